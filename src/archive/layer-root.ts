/**
 * Directories inside an apply target, resolved so that nothing outside it can be reached, with
 * the semantics of Go's securejoin and containerd's fs.RootPath: symlinks are followed but
 * scoped to the target (an absolute one is taken relative to it) and `..` stops at it.
 *
 * When the directory exists the kernel resolves it in one call (openat2 with RESOLVE_IN_ROOT).
 * When part of it is missing, a walker does the same one component at a time and creates what
 * is missing. Either way the result is pinned by an O_PATH descriptor, and the applier works on
 * `/proc/self/fd/<fd>/<name>`: the last component is looked up in that very directory and is
 * never followed unless the call asks for it. Synchronous throughout: these are syscalls of
 * microseconds, made once or twice per entry.
 */
import { lstatSync, mkdirSync, readlinkSync, realpathSync } from 'node:fs';
import { errnoCode, InternalError, InvalidArgumentError } from '../base/index.js';
import {
  closeFd, openDirPath, openInRoot, O_DIRECTORY, O_NOFOLLOW, O_PATH, RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
} from '../host/index.js';
import { joinEntryName } from './entry-name.js';
import { reopenDirectory, resolveInTree, type Graft, type Grafts } from './tree-resolve.js';

/** Mode of directories an archive needs but does not list (Docker uses the same). */
const IMPLIED_DIRECTORY_MODE = 0o755;
/** Linux's limit on symlinks followed in one lookup; the walker below keeps the same one. */
const MAX_SYMLINKS = 40;
/** openat2 fails with EAGAIN when a concurrent rename makes `..` checks unsure; it asks for a retry. */
const EAGAIN_RETRIES = 16;

/** A directory inside the root, pinned by a descriptor. Close it when done. */
export class PinnedDir {
  constructor(
    readonly fd: number,
    /** Its canonical path relative to the root (`''` for the root itself): no symlinks, no `..`. */
    readonly rel: string,
    /** It lies in a read-only graft: nothing may be written in it. */
    readonly readonly = false,
  ) {}

  /** A path naming `name` in this directory; the kernel does not follow `name` unless the call does. */
  child(name: string): string {
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  /** A path naming the directory itself, usable with the l* calls (`/.` makes the magic link an inner component). */
  get self(): string {
    return `/proc/self/fd/${this.fd}/.`;
  }

  close(): void {
    closeFd(this.fd);
  }
}

const NO_GRAFTS: Grafts = new Map();

export class LayerRoot {
  private constructor(
    private readonly fd: number,
    /** The target with every symlink resolved; canonical paths are made relative to it. */
    readonly realPath: string,
    /** Trees mounted inside the target (see tree-resolve.ts); none for a layer. */
    private readonly grafts: Grafts = NO_GRAFTS,
  ) {}

  /**
   * A root at a directory the caller has pinned (its descriptor stays the caller's), with
   * `grafts` in place: what `docker cp` extracts into, a directory of a container that may
   * have volumes mounted below it.
   */
  static openFd(dirFd: number, grafts: Grafts = NO_GRAFTS): LayerRoot {
    const fd = reopenDirectory(dirFd);
    try {
      return new LayerRoot(fd, readlinkSync(`/proc/self/fd/${fd}`), grafts);
    } catch (err) {
      closeFd(fd);
      throw err;
    }
  }

  /** The graft mounted exactly at `rel` (a canonical path), if any. */
  graftAt(rel: string): Graft | undefined {
    return this.grafts.get(rel);
  }

  static open(target: string): LayerRoot {
    let realPath: string;
    try {
      realPath = realpathSync(target);
    } catch (err) {
      throw new InvalidArgumentError(`cannot apply a layer to ${target}: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
    if (!lstatSync(realPath).isDirectory()) throw new InvalidArgumentError(`cannot apply a layer to ${target}: not a directory`);
    return new LayerRoot(openDirPath(realPath), realPath);
  }

  close(): void {
    closeFd(this.fd);
  }

  /**
   * The directory `rel` (a cleaned entry name) resolves to inside the root, following symlinks
   * scoped to the root. With `create`, missing directories are made (0755), also where a
   * dangling symlink points, and a component that is not a directory is an error naming
   * `entry`; without it, a path that does not lead to an existing directory gives undefined.
   */
  openDirectory(rel: string, entry: string, create: boolean): PinnedDir | undefined {
    if (this.grafts.size > 0) return this.openGrafted(rel, entry, create);
    let fd = this.tryOpen(rel, entry, create);
    if (fd === undefined) {
      if (!create) return undefined;
      fd = this.createDirectories(rel, entry);
    }
    return this.pin(fd);
  }

  /**
   * openDirectory with grafts: the walk of tree-resolve.ts, which tracks the canonical path
   * itself (a graft's host path says nothing about where it is in the root).
   */
  private openGrafted(rel: string, entry: string, create: boolean): PinnedDir | undefined {
    let resolved;
    try {
      resolved = resolveInTree(this.fd, rel, this.grafts, { followLast: true, missing: create ? 'create' : 'keep' });
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOTDIR' && !create) return undefined;
      if (code === 'ENOTDIR') throw new InvalidArgumentError(`the parent ${JSON.stringify(rel)} of tar entry ${JSON.stringify(entry)} is not a directory`, { cause: err });
      if (code === 'ELOOP') throw new InvalidArgumentError(`too many levels of symbolic links resolving ${JSON.stringify(rel)} for tar entry ${JSON.stringify(entry)}`, { cause: err });
      if (code === 'EROFS') throw new InvalidArgumentError(`cannot extract tar entry ${JSON.stringify(entry)}: read-only file system`, { cause: err });
      throw err;
    }
    try {
      if (!resolved.exists) return undefined;
      if (!resolved.leaf.stat!.isDirectory()) {
        if (!create) return undefined;
        throw new InvalidArgumentError(`the parent ${JSON.stringify(rel)} of tar entry ${JSON.stringify(entry)} is not a directory`);
      }
      const leaf = resolved.leaf;
      const fd = resolved.steps.length > 1 ? resolved.takeLeafFd() : reopenDirectory(this.fd);
      return new PinnedDir(fd, resolved.rel, leaf.readonly);
    } finally {
      resolved.close();
    }
  }

  /** Opens the root directory itself. */
  openRoot(): PinnedDir {
    return this.openDirectory('', '/', false)!;
  }

  /**
   * The slow path when part of `rel` is missing: walks it one component at a time from the
   * root, as securejoin does. A symlink (even one pointing at something missing) is followed by
   * splicing its text into the components still to walk, restarting at the root when absolute;
   * `..` goes to the parent of the canonical directory reached so far and stops at the root;
   * a missing component is created. Every step is a lookup of one name inside a pinned directory.
   */
  private createDirectories(rel: string, entry: string): number {
    let current = this.tryOpen('', entry, true)!;
    let currentRel = '';
    const pending = rel.split('/');
    let symlinks = 0;
    const moveTo = (fd: number, fdRel: string): void => {
      closeFd(current);
      current = fd;
      currentRel = fdRel;
    };
    try {
      while (pending.length > 0) {
        const component = pending.shift()!;
        if (component === '' || component === '.') continue;
        if (component === '..') {
          const parentRel = currentRel.includes('/') ? currentRel.slice(0, currentRel.lastIndexOf('/')) : '';
          moveTo(this.tryOpen(parentRel, entry, true)!, parentRel);
          continue;
        }
        const path = `/proc/self/fd/${current}/${component}`;
        const found = lstatSync(path, { throwIfNoEntry: false });
        if (found?.isSymbolicLink()) {
          if (++symlinks > MAX_SYMLINKS) {
            throw new InvalidArgumentError(`too many levels of symbolic links resolving ${JSON.stringify(rel)} for tar entry ${JSON.stringify(entry)}`);
          }
          const text = readlinkSync(path);
          pending.unshift(...text.split('/'));
          if (text.startsWith('/')) moveTo(this.tryOpen('', entry, true)!, '');
          continue;
        }
        if (found && !found.isDirectory()) {
          throw new InvalidArgumentError(`the parent ${JSON.stringify(joinEntryName(currentRel, component))} of tar entry ${JSON.stringify(entry)} is not a directory`);
        }
        if (!found) mkdirSync(path, IMPLIED_DIRECTORY_MODE);
        moveTo(openInRoot(current, component, O_PATH | O_DIRECTORY | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS),
          joinEntryName(currentRel, component));
      }
    } catch (err) {
      closeFd(current);
      throw err;
    }
    return current;
  }

  /**
   * An O_PATH descriptor of the directory `rel` resolves to, or undefined when a component
   * is missing. A component that is not a directory is an error when `strict`, else undefined.
   */
  private tryOpen(rel: string, entry: string, strict: boolean): number | undefined {
    for (let attempt = 0; ; attempt++) {
      try {
        return openInRoot(this.fd, rel === '' ? '.' : rel, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'EAGAIN' && attempt < EAGAIN_RETRIES) continue;
        if (code === 'ENOENT') return undefined;
        if (code === 'ENOTDIR' && !strict) return undefined;
        if (code === 'ENOTDIR') {
          throw new InvalidArgumentError(`the parent ${JSON.stringify(rel)} of tar entry ${JSON.stringify(entry)} is not a directory`, { cause: err });
        }
        if (code === 'ELOOP') {
          throw new InvalidArgumentError(`too many levels of symbolic links resolving ${JSON.stringify(rel)} for tar entry ${JSON.stringify(entry)}`, { cause: err });
        }
        throw err;
      }
    }
  }

  private pin(fd: number): PinnedDir {
    try {
      const hostPath = readlinkSync(`/proc/self/fd/${fd}`);
      return new PinnedDir(fd, this.relativeTo(hostPath));
    } catch (err) {
      closeFd(fd);
      throw err;
    }
  }

  private relativeTo(hostPath: string): string {
    if (hostPath === this.realPath) return '';
    const prefix = this.realPath === '/' ? '/' : `${this.realPath}/`;
    // The kernel resolved it in the root, so this cannot fail unless the root itself moved.
    if (!hostPath.startsWith(prefix)) throw new InternalError(`resolved ${hostPath} lies outside the layer root ${this.realPath}`);
    return hostPath.slice(prefix.length);
  }
}
