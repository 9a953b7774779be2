import { lstat, readdir } from 'node:fs/promises';
import { lstatSync, type Stats } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { errnoCode, InvalidArgumentError, NotFoundError } from '../base/index.js';
import { realpathInRoot } from '../host/index.js';
import type { DockerIgnore } from './dockerignore.js';
import { containsWildcards, wildcardMatcher } from './wildcards.js';

/**
 * A tree COPY/ADD read from: the build context (a directory, `.dockerignore` applied) or a
 * read-only mount of an image or earlier stage (`--from`). Paths inside are resolved by the
 * kernel with RESOLVE_IN_ROOT, so neither `..` nor a symlink, absolute or relative, leads out
 * of `root`, the way Docker's FollowSymlinkInScope confines them.
 */
export interface SourceTree {
  /** `download`: an ADD URL fetched into a private directory. */
  readonly kind: 'context' | 'image' | 'download';
  /** Host directory of the tree's root. */
  readonly root: string;
  readonly ignore?: DockerIgnore;
}

/** One source of a COPY/ADD: a path resolved inside its tree. */
export interface SourceEntry {
  readonly tree: SourceTree;
  /** The resolved path relative to the tree's root, `/`-separated; '' for the root. */
  readonly rel: string;
  /** The path as written (after expansion): its last component names the copy. */
  readonly original: string;
  readonly stat: Stats;
}

export function hostPath(tree: SourceTree, rel: string): string {
  return rel === '' ? tree.root : join(tree.root, rel);
}

export function isExcluded(tree: SourceTree, rel: string): boolean {
  return tree.ignore?.excludes(rel) ?? false;
}

function notFound(original: string): NotFoundError {
  return new NotFoundError(`file not found in build context or excluded by .dockerignore: stat ${original}: file does not exist`);
}

/** The written path as a path relative to the tree root, refusing `..` that climbs out of it. */
function lexicalRel(original: string): string {
  const cleaned = posix.normalize(original === '' ? '.' : original);
  if (cleaned === '..' || cleaned.startsWith('../')) {
    throw new InvalidArgumentError(`forbidden path outside the build context: ${original} ()`);
  }
  return posix.normalize(posix.join('/', cleaned)).slice(1);
}

/** Resolves one written source (no wildcards) inside the tree, or throws "file not found". */
async function resolveOne(tree: SourceTree, original: string): Promise<SourceEntry> {
  const rel = lexicalRel(original);
  let resolved: string;
  try {
    resolved = rel === '' ? tree.root : realpathInRoot(tree.root, rel);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') throw notFound(original);
    throw err;
  }
  const resolvedRel = relative(tree.root, resolved).split('\\').join('/');
  if (resolvedRel.startsWith('..')) throw notFound(original); // cannot happen with RESOLVE_IN_ROOT
  if (isExcluded(tree, resolvedRel) || (resolvedRel !== rel && isExcluded(tree, rel))) throw notFound(original);
  return { tree, rel: resolvedRel, original, stat: await lstat(resolved) };
}

/**
 * Every entry of the tree below `rel`, parents before children, names sorted, excluded
 * entries skipped (an excluded directory is still entered, and reported, when a
 * `.dockerignore` exception re-includes something inside it). Symlinks are reported, never followed.
 */
export async function* walkTree(tree: SourceTree, rel: string): AsyncGenerator<{ rel: string; stat: Stats }> {
  let names: string[];
  try {
    names = (await readdir(hostPath(tree, rel))).sort();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return;
    throw err;
  }
  for (const [index, name] of names.entries()) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    // lstat is a microsecond call, a thread-pool round trip many times that; a big directory
    // still lets other requests in every so often.
    if (index % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
    const stat = lstatSync(hostPath(tree, childRel));
    const excluded = isExcluded(tree, childRel);
    if (excluded && !(stat.isDirectory() && tree.ignore?.mayIncludeUnder(childRel))) continue;
    // An excluded directory entered for its exceptions is reported too: its files need it.
    yield { rel: childRel, stat };
    if (stat.isDirectory()) yield* walkTree(tree, childRel);
  }
}

/**
 * The entries one written COPY/ADD source names: the path itself, or for a pattern with
 * `*`, `?` or `[…]` every path of the tree it matches (a matched directory stands for its
 * whole subtree), as Docker's classic copier does. Throws with Docker's messages.
 */
export async function resolveSource(tree: SourceTree, original: string): Promise<SourceEntry[]> {
  if (!containsWildcards(original)) return [await resolveOne(tree, original)];
  const pattern = lexicalRel(original);
  const matches = wildcardMatcher(pattern);
  const found: SourceEntry[] = [];
  const skipUnder: string[] = [];
  for await (const entry of walkTree(tree, '')) {
    if (skipUnder.some((dir) => entry.rel.startsWith(`${dir}/`))) continue;
    if (!matches(entry.rel)) continue;
    found.push({ tree, rel: entry.rel, original: entry.rel, stat: entry.stat });
    if (entry.stat.isDirectory()) skipUnder.push(entry.rel);
  }
  return found;
}
