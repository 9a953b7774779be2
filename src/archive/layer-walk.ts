/**
 * Walks a layer directory in the order its tar lists it: every path in byte order of its tar
 * name, parents before children. Visiting siblings sorted by their tar name (a directory's
 * with the trailing `/`) and descending depth-first gives exactly that global order, so the walk
 * needs to hold only one directory listing per level, never the whole tree.
 *
 * Each directory is pinned by an O_PATH descriptor opened without following symlinks, and its
 * children are reached through `/proc/self/fd/<fd>/<name>`: a process in a running container
 * that swaps a directory for a symlink mid-walk cannot make us read files outside the layer.
 */
import { readdir } from 'node:fs/promises';
import { fstatSync, lstatSync, openSync, type BigIntStats } from 'node:fs';
import { FailedPreconditionError, InvalidArgumentError, NotImplementedError, errnoCode } from '../base/index.js';
import {
  closeFd, lgetxattr, openDirPath, openInRoot, O_DIRECTORY, O_NOFOLLOW, O_PATH, RESOLVE_BENEATH,
  RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS,
} from '../host/index.js';
import { decodeUtf8 } from './tar-format.js';
import { OPAQUE_WHITEOUT, OVERLAY_OPAQUE_VALUE, OVERLAY_OPAQUE_XATTR, isWhiteoutName, whiteoutNameFor } from './whiteouts.js';
import { joinRel, type Grafts } from './tree-resolve.js';

export type PackWhiteouts = 'overlay' | 'none';

export type LayerNodeKind = 'directory' | 'file' | 'symlink' | 'char-device' | 'block-device' | 'fifo' | 'whiteout' | 'opaque';

export interface LayerNode {
  /** Relative tar name; directories end with `/`. */
  tarName: string;
  kind: LayerNodeKind;
  /** The file's own metadata; for `opaque`, its directory's. */
  stat: BigIntStats;
  /** A path reaching the file through its pinned parent (valid until the walk moves on). */
  path: string;
  /** The pinned parent directory and the file's name in it, to open its content safely. */
  parentFd: number;
  name: string;
  /**
   * Set for a file that is a graft's root (a file bind-mounted into the tree): an O_PATH
   * descriptor of the file itself, through which its content is opened instead.
   */
  selfFd?: number;
}

export interface WalkOptions {
  whiteouts: PackWhiteouts;
  /**
   * Trees mounted below the walked directory, keyed by their path relative to it: each is
   * walked in place of what lies underneath, as a walk through the mounts would see it.
   */
  grafts?: Grafts;
  /** A live tree: what vanishes or is replaced during the walk is left out instead of failing it. */
  tolerateChanges?: boolean;
}

/** Lookups beneath a pinned directory that refuse every symlink, so only real children are reached. */
export const BENEATH_NO_SYMLINKS = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

export async function* walkLayer(dir: string, whiteouts: PackWhiteouts): AsyncGenerator<LayerNode> {
  const rootFd = openDirPath(dir);
  try {
    yield* walkDirectory(rootFd, '', '', { whiteouts });
  } finally {
    closeFd(rootFd);
  }
}

/**
 * Walks the directory pinned by `dirFd` (the caller's descriptor) below its own entry: every
 * tar name starts with `prefix` (`''`, or a directory name ending in `/`).
 */
export async function* walkTree(dirFd: number, prefix: string, options: WalkOptions): AsyncGenerator<LayerNode> {
  yield* walkDirectory(dirFd, prefix, '', options);
}

interface Child {
  name: string;
  stat: BigIntStats;
  kind: Exclude<LayerNodeKind, 'opaque'>;
  /** The basename as it appears in the tar (`.wh.<name>` for an overlay whiteout). */
  tarBase: string;
  sortKey: Buffer;
  /** An O_PATH descriptor of a graft's root, owned by the walk until the child is done. */
  graftFd?: number;
}

async function* walkDirectory(dirFd: number, prefix: string, rel: string, options: WalkOptions): AsyncGenerator<LayerNode> {
  const { whiteouts, grafts } = options;
  const dirPath = fdPath(dirFd);
  const children: Child[] = [];
  try {
    for (const raw of await readdir(dirPath, { encoding: 'buffer' })) {
      const name = decodeUtf8(raw, `a file name in ${JSON.stringify(prefix || '/')}`);
      const graft = grafts?.get(joinRel(rel, name));
      if (graft) {
        const graftFd = openSync(graft.source, O_PATH);
        const stat = fstatSync(graftFd, { bigint: true });
        const kind = kindOf(stat);
        if (kind === undefined) {
          closeFd(graftFd);
          continue;
        }
        children.push({ name, stat, kind, tarBase: name, sortKey: Buffer.from(kind === 'directory' ? `${name}/` : name, 'utf8'), graftFd });
        continue;
      }
      // Synchronous: a microsecond syscall, where a thread-pool round trip would cost far more.
      const stat = lstatSync(`${dirPath}/${name}`, { bigint: true, throwIfNoEntry: false });
      if (!stat && options.tolerateChanges) continue;
      if (!stat) throw new FailedPreconditionError(`${JSON.stringify(prefix + name)} was removed while the layer was being packed`);
      const child = classify(name, stat, prefix, whiteouts);
      if (child) children.push(child);
    }
    children.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));

    for (const child of children) {
      const tarName = prefix + child.tarBase + (child.kind === 'directory' ? '/' : '');
      const childRel = joinRel(rel, child.name);
      if (child.graftFd !== undefined) {
        const self = fdPath(child.graftFd);
        if (child.kind !== 'directory') {
          yield { tarName, kind: child.kind, stat: child.stat, path: self, parentFd: dirFd, name: child.name, selfFd: child.graftFd };
          continue;
        }
        yield { tarName, kind: 'directory', stat: child.stat, path: `${self}/.`, parentFd: dirFd, name: child.name };
        yield* walkDirectory(child.graftFd, tarName, childRel, options);
        continue;
      }
      const path = `${dirPath}/${child.name}`;
      yield { tarName, kind: child.kind, stat: child.stat, path, parentFd: dirFd, name: child.name };
      if (child.kind !== 'directory') continue;

      if (whiteouts === 'overlay' && lgetxattr(path, OVERLAY_OPAQUE_XATTR)?.toString('latin1') === OVERLAY_OPAQUE_VALUE) {
        // Docker and containerd put the opaque marker right after its directory.
        yield { tarName: tarName + OPAQUE_WHITEOUT, kind: 'opaque', stat: child.stat, path, parentFd: dirFd, name: child.name };
      }
      let subFd: number;
      try {
        subFd = openInRoot(dirFd, child.name, O_PATH | O_DIRECTORY | O_NOFOLLOW, BENEATH_NO_SYMLINKS);
      } catch (err) {
        // Gone, or swapped for a symlink or a file, since it was listed.
        const code = errnoCode(err);
        if (options.tolerateChanges && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP')) continue;
        throw err;
      }
      try {
        if (options.tolerateChanges && !isSameFile(subFd, child.stat)) continue;
        assertSameFile(subFd, child.stat, tarName);
        yield* walkDirectory(subFd, tarName, childRel, options);
      } finally {
        closeFd(subFd);
      }
    }
  } finally {
    for (const child of children) if (child.graftFd !== undefined) closeFd(child.graftFd);
  }
}

function classify(name: string, stat: BigIntStats, prefix: string, whiteouts: PackWhiteouts): Child | undefined {
  const kind = kindOf(stat);
  // Sockets belong to a running process and cannot be recreated from a tar; Docker skips them too.
  if (kind === undefined) return undefined;
  if (whiteouts === 'overlay') {
    if (kind === 'char-device' && stat.rdev === 0n) {
      const tarBase = whiteoutNameFor(name);
      return { name, stat, kind: 'whiteout', tarBase, sortKey: Buffer.from(tarBase, 'utf8') };
    }
    if (isWhiteoutName(name)) {
      // In an upper dir deletions are devices; a real file with this name would read as a
      // whiteout to every consumer of the tar.
      throw new InvalidArgumentError(`cannot pack ${JSON.stringify(prefix + name)}: names starting with ".wh." are reserved for whiteouts`);
    }
  }
  const sortKey = Buffer.from(kind === 'directory' ? `${name}/` : name, 'utf8');
  return { name, stat, kind, tarBase: name, sortKey };
}

export function kindOf(stat: BigIntStats): Exclude<LayerNodeKind, 'whiteout' | 'opaque'> | undefined {
  if (stat.isDirectory()) return 'directory';
  if (stat.isFile()) return 'file';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char-device';
  if (stat.isBlockDevice()) return 'block-device';
  if (stat.isFIFO()) return 'fifo';
  return undefined;
}

function isSameFile(fd: number, expected: BigIntStats): boolean {
  const actual = fstatSync(fd, { bigint: true });
  return actual.ino === expected.ino && actual.dev === expected.dev;
}

/** The descriptor must name the inode we listed; otherwise the tree changed under us. */
export function assertSameFile(fd: number, expected: BigIntStats, tarName: string): BigIntStats {
  const actual = fstatSync(fd, { bigint: true });
  if (actual.ino !== expected.ino || actual.dev !== expected.dev) {
    throw new FailedPreconditionError(`${JSON.stringify(tarName)} changed while the layer was being packed`);
  }
  return actual;
}

export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** Overlay features whose upper-dir form a tar cannot express; refused rather than packed wrong. */
export const UNPACKABLE_OVERLAY_XATTRS: Record<string, string> = {
  'trusted.overlay.redirect': 'a renamed directory (redirect_dir)',
  'trusted.overlay.metacopy': 'a metadata-only copy-up (metacopy)',
};

export function refuseUnpackableOverlay(xattr: string, tarName: string): void {
  const what = UNPACKABLE_OVERLAY_XATTRS[xattr];
  if (what) throw new NotImplementedError(`cannot pack ${JSON.stringify(tarName)}: it is ${what}; mount overlay without that feature`);
}
