/**
 * The path rules of `docker cp` (cli/command/container/cp.go and moby's archive/copy.go),
 * with Go's path semantics: which side is the container, trailing `/` and `/.` asserting a
 * directory, and how an archive is placed at its destination (renamed when the destination
 * does not exist).
 */
import { posix } from 'node:path';

/** Go's filepath.Clean. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Go's filepath.Base. */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's filepath.Dir. */
export function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  return goClean(p.slice(0, i + 1));
}

/** Go's filepath.Join (empty elements dropped, result cleaned). */
export function goJoin(...parts: string[]): string {
  const kept = parts.filter((x) => x !== '');
  return kept.length === 0 ? '' : goClean(kept.join('/'));
}

export function isAbs(p: string): boolean {
  return p.startsWith('/');
}

export function hasTrailingPathSeparator(p: string): boolean {
  return p.length > 0 && p.endsWith('/');
}

export function specifiesCurrentDir(p: string): boolean {
  return goBase(p) === '.';
}

/** A path ending in `/` or `/.` says it is a directory. */
export function assertsDirectory(p: string): boolean {
  return hasTrailingPathSeparator(p) || specifiesCurrentDir(p);
}

/** archive.PreserveTrailingDotOrSeparator. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!hasTrailingPathSeparator(out)) out += '/';
    out += '.';
  }
  if (!hasTrailingPathSeparator(out) && hasTrailingPathSeparator(original)) out += '/';
  return out;
}

/** archive.SplitPathDirEntry: the directory and the entry, keeping a trailing `.`. */
export function splitPathDirEntry(p: string): { dir: string; base: string } {
  let cleaned = goClean(p);
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return { dir: goDir(cleaned), base: goBase(cleaned) };
}

/** `CONTAINER:PATH` or a local path (absolute, or starting with `.`, is always local). */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (isAbs(arg)) return { container: '', path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** resolveLocalPath: absolute, keeping a trailing `/` or `/.`. */
export function resolveLocalPath(local: string, cwd = process.cwd()): string {
  const abs = isAbs(local) ? goClean(local) : goJoin(cwd, local);
  return preserveTrailingDotOrSeparator(abs, local);
}

export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

export class CopyError extends Error {}

/**
 * archive.PrepareArchiveCopy: where the source archive is extracted (`dstDir`) and how its
 * top entry is renamed (`rebase`), or why the copy cannot be made.
 */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): { dstDir: string; rebase?: { from: string; to: string } } {
  const { dir: dstDir, base: dstBase } = splitPathDirEntry(dst.path);
  let { base: srcBase } = splitPathDirEntry(src.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new CopyError('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new CopyError('no such directory');
  if (src.rebaseName) srcBase = src.rebaseName;
  return { dstDir, rebase: { from: srcBase, to: dstBase } };
}

/**
 * The renaming of RebaseArchiveEntries: a name that is `from` or starts with `from/` gets
 * `to` in its place; `from` empty or `/` (the root) puts every name under `to`.
 */
export function rebaseName(name: string, from: string, to: string): string {
  const oldBase = from.replace(/\/+$/, '');
  const newBase = to.replace(/\/+$/, '');
  if (oldBase === '') {
    const trimmed = name.replace(/^\/+/, '');
    return newBase === '' ? trimmed : `${newBase}/${trimmed}`;
  }
  if (!name.startsWith(oldBase)) return name;
  const suffix = name.slice(oldBase.length);
  if (suffix !== '' && !suffix.startsWith('/')) return name;
  return newBase + suffix;
}
