/**
 * Path resolution inside a root directory that has other trees grafted into it — a container's
 * root file system with its volumes and bind mounts as the container sees them, without
 * mounting anything. Symlinks are followed scoped to the root (an absolute one restarts at the
 * root, `..` stops there), exactly like LayerRoot's walker, and a path that reaches a graft
 * point continues in the graft's source instead of the directory underneath.
 *
 * Every step is the lookup of one name in a directory pinned by an O_PATH descriptor, with the
 * kernel refusing to follow anything (RESOLVE_NO_SYMLINKS | O_NOFOLLOW); symlinks are read and
 * followed here, so a process that swaps a directory for a symlink mid-walk changes what is
 * found inside the root, never whether the walk stays in it.
 */
import { fstatSync, mkdirSync, openSync, readlinkSync, type Stats } from 'node:fs';
import { errnoCode } from '../base/index.js';
import {
  closeFd, openInRoot, O_DIRECTORY, O_NOFOLLOW, O_PATH, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS,
} from '../host/index.js';

/** A tree mounted at a path of the root (a bind mount or volume, as a container has them). */
export interface Graft {
  /** The host path of its source, a directory or a file; chosen by the host, so opened as given. */
  source: string;
  /** Writes into it are refused, as a read-only mount refuses them. */
  readonly: boolean;
}

/** Grafts by their canonical path relative to the root: no leading or trailing `/`, no symlinks. */
export type Grafts = ReadonlyMap<string, Graft>;

export interface ResolveOptions {
  /** Follow a symlink named by the last component (every other one is always followed). */
  followLast: boolean;
  /**
   * A missing component: `keep` goes on by name (what FollowSymlinkInScope does, so the
   * result says where the path would be); `create` makes it a directory (0755), also where a
   * dangling symlink points.
   */
  missing: 'keep' | 'create';
}

/** One component of a resolved path. */
export interface ResolvedStep {
  /** An O_PATH descriptor of the file, or -1 when it does not exist. */
  fd: number;
  /** Its name in its parent (`''` for the root). */
  name: string;
  /** lstat of the file (of the graft source's root for a graft point). */
  stat?: Stats;
  /** Set on a graft point: the file is the root of this graft's source. */
  graft?: Graft;
  /** Lies in a read-only graft. */
  readonly: boolean;
  /** Lies in (or is the root of) a graft, as opposed to the root's own tree. */
  inGraft: boolean;
}

const LOOKUP_ONE = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
/** Linux's limit on symlinks followed in one lookup. */
const MAX_SYMLINKS = 40;

function errnoLike(code: string, message: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${message}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

/**
 * The result of a resolution: the chain of components from the root to the last one, each
 * pinned. The root's descriptor belongs to the caller; every other one to this object.
 */
export class ResolvedPath {
  /** A missing component was walked over by `..`: the path does not lead anywhere that exists. */
  broken = false;

  constructor(readonly steps: ResolvedStep[]) {}

  /** Canonical path relative to the root (`''` for the root). */
  get rel(): string {
    return this.steps.slice(1).map((s) => s.name).join('/');
  }

  get leaf(): ResolvedStep {
    return this.steps[this.steps.length - 1]!;
  }

  get parent(): ResolvedStep | undefined {
    return this.steps.length > 1 ? this.steps[this.steps.length - 2] : undefined;
  }

  get exists(): boolean {
    return !this.broken && this.leaf.fd >= 0;
  }

  /** Hands the leaf's descriptor to the caller, who must close it. */
  takeLeafFd(): number {
    const fd = this.leaf.fd;
    if (this.steps.length > 1) this.leaf.fd = -1;
    return fd;
  }

  close(): void {
    for (const step of this.steps.slice(1)) {
      if (step.fd >= 0) closeFd(step.fd);
      step.fd = -1;
    }
  }
}

/**
 * Resolves `path` (absolute or relative, both taken from the root) inside the directory pinned
 * by `rootFd`, with `grafts` in place. Throws Node-style errors: ENOTDIR when a component that
 * must be a directory is not one, ELOOP after 40 symlinks, EROFS when `create` would have to
 * write into a read-only graft; a graft source that cannot be opened throws what open(2) does.
 */
export function resolveInTree(rootFd: number, path: string, grafts: Grafts, options: ResolveOptions): ResolvedPath {
  if (path.includes('\0')) throw errnoLike('EINVAL', `path ${JSON.stringify(path)} contains a NUL byte`);
  const root: ResolvedStep = { fd: rootFd, name: '', stat: fstatSync(rootFd), readonly: false, inGraft: false };
  const result = new ResolvedPath([root]);
  const steps = result.steps;
  const pending = path.split('/');
  let symlinks = 0;
  const relOf = () => steps.slice(1).map((s) => s.name).join('/');
  const pop = (dotDot: boolean) => {
    const step = steps.pop()!;
    if (step.fd >= 0) closeFd(step.fd);
    // `..` out of something missing: the kernel would have failed there.
    else if (dotDot) result.broken = true;
  };
  try {
    while (pending.length > 0) {
      const component = pending.shift()!;
      if (component === '' || component === '.') continue;
      if (component === '..') {
        if (steps.length > 1) pop(true);
        continue;
      }
      const current = steps[steps.length - 1]!;
      const childRel = joinRel(relOf(), component);
      const last = !pending.some((p) => p !== '' && p !== '.');

      const graft = grafts.get(childRel);
      if (graft) {
        const fd = openGraft(graft.source);
        steps.push({ fd, name: component, stat: fstatSync(fd), graft, readonly: graft.readonly, inGraft: true });
        if (!last && !steps[steps.length - 1]!.stat!.isDirectory()) throw errnoLike('ENOTDIR', `${childRel} is not a directory`);
        continue;
      }

      if (current.fd < 0) {
        // Beneath something missing: nothing can exist, only names are kept.
        steps.push(missingStep(component, current));
        continue;
      }

      let fd = lookup(current.fd, component);
      if (fd < 0) {
        if (options.missing !== 'create') {
          steps.push(missingStep(component, current));
          continue;
        }
        if (current.readonly) throw errnoLike('EROFS', `cannot create ${childRel}: read-only file system`);
        mkdirSync(`/proc/self/fd/${current.fd}/${component}`, 0o755);
        fd = lookup(current.fd, component);
        if (fd < 0) throw errnoLike('ENOENT', `${childRel} vanished after it was created`);
      }
      const stat = fstatSync(fd);
      if (stat.isSymbolicLink() && (!last || options.followLast)) {
        closeFd(fd);
        if (++symlinks > MAX_SYMLINKS) throw errnoLike('ELOOP', `too many levels of symbolic links resolving ${JSON.stringify(path)}`);
        const text = readlinkSync(`/proc/self/fd/${current.fd}/${component}`);
        pending.unshift(...text.split('/'));
        if (text.startsWith('/')) while (steps.length > 1) pop(false);
        continue;
      }
      steps.push({ fd, name: component, stat, readonly: current.readonly, inGraft: current.inGraft });
      if (!last && !stat.isDirectory()) throw errnoLike('ENOTDIR', `${childRel} is not a directory`);
    }
  } catch (err) {
    result.close();
    throw err;
  }
  return result;
}

/** Opens a graft's source (a host path the host chose, so symlinks in it are followed). */
function openGraft(source: string): number {
  return openSync(source, O_PATH);
}

function missingStep(name: string, parent: ResolvedStep): ResolvedStep {
  return { fd: -1, name, readonly: parent.readonly, inGraft: parent.inGraft };
}

/** The child `name` of a pinned directory, not followed; -1 when it does not exist. */
function lookup(dirFd: number, name: string): number {
  try {
    return openInRoot(dirFd, name, O_PATH | O_NOFOLLOW, LOOKUP_ONE);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return -1;
    throw err;
  }
}

export function joinRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** The grafts lying strictly below `rel`, keyed relative to it (for a walk or an extraction rooted there). */
export function graftsBelow(grafts: Grafts, rel: string): Map<string, Graft> {
  const out = new Map<string, Graft>();
  for (const [key, graft] of grafts) {
    if (rel === '') out.set(key, graft);
    else if (key.startsWith(`${rel}/`)) out.set(key.slice(rel.length + 1), graft);
  }
  return out;
}

/** Opens the directory a resolved step names as an O_PATH directory descriptor of its own. */
export function reopenDirectory(fd: number): number {
  return openInRoot(fd, '.', O_PATH | O_DIRECTORY, LOOKUP_ONE);
}
