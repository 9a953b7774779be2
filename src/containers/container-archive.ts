/**
 * `docker cp` in the engine core: what the Engine API's `HEAD/GET/PUT /containers/{id}/archive`
 * need, with moby's semantics (daemon/archive_unix.go, containerfs_linux.go, go-archive's
 * copy.go).
 *
 * A container is seen as moby's cp sees it: its root file system with its volumes, bind mounts
 * and /etc/hosts, /etc/hostname, /etc/resolv.conf in place (tmpfs mounts are not: moby's view
 * shows the directory underneath). Nothing is mounted for that: the mounts are grafts that the
 * path walk of archive/tree-resolve.ts steps into, so every path — the request's, and every name
 * inside an archive being extracted — is resolved one pinned component at a time, symlinks
 * scoped to the container's root (to the extraction directory inside an archive, as moby's
 * Unpack does). No symlink in the container, and no name in an archive, can reach the host.
 *
 * A running container's rootfs is already mounted; a created or stopped one's is mounted for
 * the duration of the operation (for GET, until the stream ends or is destroyed) and unmounted
 * after, unless the container started meanwhile.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, constants as fsConstants, type BigIntStats } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, errnoCode, errorMessage } from '../base/index.js';
import { closeFd, openDirPath } from '../host/index.js';
import {
  extractArchive, graftsBelow, packPathChunks, resolveInTree, type Graft, type PackSource, type ResolvedPath,
} from '../archive/index.js';
import { resolveUserFromFiles } from '../runtime/index.js';
import type { ContainerService, ContainerEvent } from './container-service.js';
import type { ContainerRecord } from './container-record.js';
import { rootfsPath } from './rootfs.js';

/**
 * Docker's container PathStat (api/types/container): what `HEAD /containers/{id}/archive`
 * returns base64-JSON encoded in the `X-Docker-Container-Path-Stat` header.
 */
export interface PathStat {
  /** The base name of the path as requested (Go's filepath.Base). */
  name: string;
  size: number;
  /** A Go os.FileMode: permission bits plus ModeDir, ModeSymlink, ModeSetuid, … (see goFileMode). */
  mode: number;
  /** RFC 3339 with nanoseconds, UTC. */
  mtime: string;
  /** For a symlink: where it leads in the container, every link followed (absolute); else `''`. */
  linkTarget: string;
}

export interface ContainerArchive {
  stat: PathStat;
  /**
   * The tar, produced as it is read. The caller must read it to the end or destroy it: the
   * container's files (and, for a stopped container, its rootfs mount) are held until then.
   */
  tar: Readable;
}

export interface PutArchiveOptions {
  /** The API's `noOverwriteDirNonDir`: refuse to replace a directory with a non-directory or the reverse. */
  noOverwriteDirNonDir?: boolean;
  /**
   * The API's `copyUIDGID` (`docker cp -a`): with a container user (Config.User), every entry is
   * owned by that user and its primary group as the container's /etc/passwd and /etc/group
   * say; without one it changes nothing. Either way, without it entries keep the archive's owner.
   */
  copyUIDGID?: boolean;
}

// ---- the three operations --------------------------------------------------------------

/** `HEAD /containers/{id}/archive?path=`: the PathStat of `path` (the last symlink is not followed). */
export async function statPath(service: ContainerService, idOrName: string, path: string): Promise<PathStat> {
  checkPath(path);
  const view = await openView(service, idOrName);
  try {
    const found = lookupPath(view, path, idOrName);
    try {
      return found.stat;
    } finally {
      found.resolved.close();
    }
  } finally {
    await view.close();
  }
}

/**
 * `GET /containers/{id}/archive?path=` (`docker cp CONTAINER:path -`): the path's PathStat and
 * a tar of it, the entry named after the path's base name — a directory with everything
 * below it (`dir/…`), or `./…` for a path ending in `/.`; a symlink as a symlink unless the
 * path ends with `/`.
 */
export async function getArchive(service: ContainerService, idOrName: string, path: string): Promise<ContainerArchive> {
  checkPath(path);
  const view = await openView(service, idOrName);
  let found: FoundPath | undefined;
  try {
    // moby: filepath.Join("/", path), keeping a trailing `/` or `/.`.
    const absPath = preserveTrailingDotOrSeparator(cleanAbsolute(path), path);
    found = lookupPath(view, absPath, idOrName);
    const { resolved, stat } = found;
    const leaf = resolved.leaf;
    const isDir = leaf.stat!.isDirectory();
    let source: PackSource;
    if (isDir) source = { kind: 'directory', fd: leaf.fd };
    else if (leaf.graft) source = { kind: 'file', fd: leaf.fd };
    else source = { kind: 'entry', dirFd: resolved.parent!.fd, name: leaf.name };
    // The root directory's entries are `/`, `/a`, … in moby (its rebase name `/` becomes empty).
    const name = isDir && stat.name === '/' ? '' : stat.name;
    const grafts = isDir ? graftsBelow(view.grafts, resolved.rel) : undefined;

    let cleaned = false;
    const held = found;
    const cleanup = async () => {
      if (cleaned) return;
      cleaned = true;
      held.resolved.close();
      await view.close();
    };
    const chunks = (async function* archiveChunks(): AsyncGenerator<Buffer> {
      try {
        yield* packPathChunks(source, { name, grafts });
      } finally {
        await cleanup();
      }
    })();
    const tar = Readable.from(chunks, { objectMode: false });
    // Destroyed before the first read, the generator never ran and its `finally` never will.
    // (Once it has run, destroy waits for it to finish, so nothing is closed under a read.)
    tar.once('close', () => { void cleanup(); });
    emitEvent(service, view.record, 'archive-path');
    return { stat, tar };
  } catch (err) {
    found?.resolved.close();
    await view.close();
    throw err;
  }
}

/**
 * `PUT /containers/{id}/archive?path=` (`docker cp SRC CONTAINER:path`): extracts `tar` (plain
 * or gzip) into `path`, which must be an existing directory in the container (a symlink to
 * one is followed). Entries land inside that directory whatever their names or the
 * container's symlinks say; names climbing out of it are refused, as moby refuses them.
 * The input is read to its end on success and destroyed on failure once reading has begun;
 * when the destination is refused before that, it is left to the caller.
 */
export async function putArchive(
  service: ContainerService,
  idOrName: string,
  path: string,
  tar: Readable,
  options: PutArchiveOptions = {},
): Promise<void> {
  checkPath(path);
  const view = await openView(service, idOrName);
  let resolved: ResolvedPath | undefined;
  try {
    // moby: filepath.EvalSymlinks(filepath.Join("/", path)), the last component followed too.
    try {
      resolved = resolveInTree(view.rootFd, cleanAbsolute(path), view.grafts, { followLast: true, missing: 'keep' });
    } catch (err) {
      throw pathError(err, path, idOrName);
    }
    if (!resolved.exists) throw notFound(path, idOrName);
    const leaf = resolved.leaf;
    if (!leaf.stat!.isDirectory()) throw new InvalidArgumentError('extraction point is not a directory');
    // moby's checkWritablePath, on the mount the directory is really in.
    if (leaf.readonly) throw new InvalidArgumentError('mounted volume is marked read-only');
    if (!leaf.inGraft && view.record.hostConfig.ReadonlyRootfs) throw new InvalidArgumentError('container rootfs is marked read-only');
    const owner = options.copyUIDGID ? containerOwner(view) : undefined;
    await extractArchive(tar, leaf.fd, {
      noOverwriteDirNonDir: options.noOverwriteDirNonDir ?? false,
      grafts: graftsBelow(view.grafts, resolved.rel),
      destination: `/${resolved.rel}`,
      ...(owner ? { owner } : {}),
    });
    emitEvent(service, view.record, 'extract-to-dir');
  } finally {
    resolved?.close();
    await view.close();
  }
}

// ---- the container as cp sees it -------------------------------------------------------

interface ContainerView {
  record: ContainerRecord;
  /** O_PATH descriptor of the mounted rootfs. */
  rootFd: number;
  /** Volumes, bind mounts and /etc files, by their canonical path in the container. */
  grafts: Map<string, Graft>;
  /** Closes the root and releases the rootfs mount; safe to call more than once. */
  close(): Promise<void>;
}

async function openView(service: ContainerService, idOrName: string): Promise<ContainerView> {
  const record = service.get(idOrName);
  for (let attempt = 0; ; attempt++) {
    const view = await tryOpenView(service, record);
    if (view || attempt >= 2) return view ?? failMount(record);
  }
}

function failMount(record: ContainerRecord): never {
  throw new FailedPreconditionError(`the file system of container ${record.id} could not be mounted`);
}

/**
 * The view, or undefined when what got pinned is the bare mount point: the container exited
 * (and its rootfs was unmounted) between the hold and the open. The next try mounts it.
 */
async function tryOpenView(service: ContainerService, record: ContainerRecord): Promise<ContainerView | undefined> {
  const release = await holdRootfs(service, record.id);
  let rootFd = -1;
  try {
    const dir = service.dir(record.id);
    rootFd = openDirPath(rootfsPath(dir));
    if (!isMountRoot(rootFd, dir)) {
      closeFd(rootFd);
      rootFd = -1;
      await release();
      return undefined;
    }
    const grafts = viewGrafts(service, record, rootFd);
    let closed = false;
    const fd = rootFd;
    return {
      record,
      rootFd,
      grafts,
      close: async () => {
        if (closed) return;
        closed = true;
        closeFd(fd);
        await release();
      },
    };
  } catch (err) {
    if (rootFd >= 0) closeFd(rootFd);
    await release();
    throw err;
  }
}

/** Whether the directory pinned by `fd` is a mount of its own, not part of `parent`'s (its mount id differs). */
function isMountRoot(fd: number, parent: string): boolean {
  const parentFd = openDirPath(parent);
  try {
    return mountIdOf(fd) !== mountIdOf(parentFd);
  } finally {
    closeFd(parentFd);
  }
}

function mountIdOf(fd: number): string {
  const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  const id = /^mnt_id:\s*(\d+)/m.exec(info)?.[1];
  if (id === undefined) throw new FailedPreconditionError('cannot tell mounts apart: /proc/self/fdinfo has no mnt_id');
  return id;
}

/**
 * The container's mounts in the order the runtime makes them — the /etc files, then the
 * volumes and binds (a later mount at the same destination replacing an earlier one) — each
 * at its destination resolved inside the container as the runtime resolves it: symlinks in
 * the image followed, in the tree the earlier mounts made.
 */
function viewGrafts(service: ContainerService, record: ContainerRecord, rootFd: number): Map<string, Graft> {
  const etc = service.etcPaths(record.id);
  const wanted = new Map<string, Graft>();
  const put = (destination: string, graft: Graft) => {
    const key = posix.normalize(destination);
    wanted.delete(key);
    wanted.set(key, graft);
  };
  put('/etc/hosts', { source: etc.hosts, readonly: false });
  put('/etc/hostname', { source: etc.hostname, readonly: false });
  put('/etc/resolv.conf', { source: etc.resolvConf, readonly: false });
  for (const m of record.mounts) {
    if (m.Type === 'tmpfs') continue;
    put(m.Destination, { source: m.Source, readonly: !m.RW });
  }
  const grafts = new Map<string, Graft>();
  for (const [destination, graft] of wanted) {
    let resolved: ResolvedPath;
    try {
      resolved = resolveInTree(rootFd, destination, grafts, { followLast: true, missing: 'keep' });
    } catch {
      // A destination the runtime could not mount either (a file in the way, a symlink loop).
      continue;
    }
    try {
      if (resolved.rel !== '') grafts.set(resolved.rel, graft);
    } finally {
      resolved.close();
    }
  }
  return grafts;
}

interface FoundPath {
  resolved: ResolvedPath;
  stat: PathStat;
}

/** moby's containerFSView.Stat: lstat of `path` in the view, a trailing `/` or `/.` following the last symlink. */
function lookupPath(view: ContainerView, path: string, idOrName: string): FoundPath {
  const followLast = assertsDirectory(path);
  let resolved: ResolvedPath;
  try {
    resolved = resolveInTree(view.rootFd, path, view.grafts, { followLast, missing: 'keep' });
  } catch (err) {
    throw pathError(err, path, idOrName);
  }
  try {
    if (!resolved.exists) throw notFound(path, idOrName);
    const leaf = resolved.leaf;
    if (followLast && !leaf.stat!.isDirectory()) throw new InvalidArgumentError(`lstat ${path}: not a directory`);
    const stat = fstatSync(leaf.fd, { bigint: true });
    let linkTarget = '';
    if (stat.isSymbolicLink()) {
      // moby: symlink.FollowSymlinkInScope(path, "/") — every link followed inside the
      // container, what is missing kept by name.
      let target: ResolvedPath;
      try {
        target = resolveInTree(view.rootFd, path, view.grafts, { followLast: true, missing: 'keep' });
      } catch (err) {
        throw pathError(err, path, idOrName);
      }
      linkTarget = `/${target.rel}`;
      target.close();
    }
    return {
      resolved,
      stat: { name: goBase(path), size: Number(stat.size), mode: goFileMode(Number(stat.mode)), mtime: rfc3339Nano(stat), linkTarget },
    };
  } catch (err) {
    resolved.close();
    throw err;
  }
}

/**
 * The owner for `copyUIDGID`: the container's Config.User resolved in the container's own
 * /etc/passwd and /etc/group (moby's getUIDGID); none when the container has no user.
 */
function containerOwner(view: ContainerView): { uid: number; gid: number } | undefined {
  const user = view.record.config.User;
  if (!user) return undefined;
  const passwd = readViewFile(view, '/etc/passwd');
  const group = readViewFile(view, '/etc/group');
  try {
    const { uid, gid } = resolveUserFromFiles(user, passwd, group);
    return { uid, gid };
  } catch (err) {
    const [userPart = '', groupPart = ''] = user.split(':');
    const message = errorMessage(err);
    if (message.includes('unable to find group')) {
      throw new InvalidArgumentError(`failed to look up group ${JSON.stringify(groupPart)} in container: no matching entries in group file`, { cause: err });
    }
    if (message.includes('unable to find user')) {
      throw new InvalidArgumentError(`failed to look up user ${JSON.stringify(userPart)} in container: no matching entries in passwd file`, { cause: err });
    }
    throw err;
  }
}

/** Account databases beyond this are not account databases. */
const MAX_ACCOUNT_FILE = 8 * 1024 * 1024;

/** A small regular file of the container, read through the view; undefined when absent. */
function readViewFile(view: ContainerView, path: string): string | undefined {
  let resolved: ResolvedPath;
  try {
    resolved = resolveInTree(view.rootFd, path, view.grafts, { followLast: true, missing: 'keep' });
  } catch (err) {
    if (errnoCode(err) === 'ENOTDIR' || errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    if (!resolved.exists) return undefined;
    if (!resolved.leaf.stat!.isFile()) throw new InvalidArgumentError(`${path} in the container is not a regular file`);
    // Reopening our own O_PATH descriptor; O_NONBLOCK in case it was swapped for a FIFO since.
    const fd = openSync(`/proc/self/fd/${resolved.leaf.fd}`, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new InvalidArgumentError(`${path} in the container is not a regular file`);
      if (st.size > MAX_ACCOUNT_FILE) throw new InvalidArgumentError(`${path} in the container is too large (${st.size} bytes)`);
      const buf = Buffer.alloc(st.size);
      let offset = 0;
      while (offset < buf.length) {
        const n = readSync(fd, buf, offset, buf.length - offset, offset);
        if (n === 0) break;
        offset += n;
      }
      return buf.subarray(0, offset).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } finally {
    resolved.close();
  }
}

// ---- the rootfs mount of a stopped container -------------------------------------------

/** The container's rootfs, mounted for this operation; the service unmounts it when idle. */
async function holdRootfs(service: ContainerService, id: string): Promise<() => Promise<void>> {
  return (await service.holdRootfs(id)).release;
}

// ---- Docker's path rules and wire formats ----------------------------------------------

function checkPath(path: string): void {
  if (path === '') throw new InvalidArgumentError('bad parameter: path cannot be empty');
  if (path.includes('\0')) throw new InvalidArgumentError(`bad parameter: path ${JSON.stringify(path)} contains a NUL byte`);
}

function notFound(path: string, idOrName: string): NotFoundError {
  return new NotFoundError(`Could not find the file ${path} in container ${idOrName}`);
}

/** Resolution errors in Docker's terms: a missing file is NotFound, the rest name the path. */
function pathError(err: unknown, path: string, idOrName: string): unknown {
  const code = errnoCode(err);
  if (code === 'ENOENT') return notFound(path, idOrName);
  if (code === 'ENOTDIR') return new InvalidArgumentError(`lstat ${path}: not a directory`, { cause: err });
  if (code === 'ELOOP') return new InvalidArgumentError(`lstat ${path}: too many levels of symbolic links`, { cause: err });
  return err;
}

/** Go's filepath.Clean(filepath.Join("/", path)). */
function cleanAbsolute(path: string): string {
  const cleaned = posix.normalize(`/${path}`);
  return cleaned.length > 1 ? cleaned.replace(/\/+$/, '') : '/';
}

/** go-archive's PreserveTrailingDotOrSeparator. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!out.endsWith('/')) out += '/';
    out += '.';
  }
  if (!out.endsWith('/') && original.endsWith('/')) out += '/';
  return out;
}

function specifiesCurrentDir(path: string): boolean {
  return goBase(path) === '.';
}

/** go-archive's assertsDirectory: a trailing `/` or a last component `.` — the kernel then follows a final symlink. */
function assertsDirectory(path: string): boolean {
  return path.endsWith('/') || specifiesCurrentDir(path);
}

/** Go's filepath.Base. */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's os.FileMode bits (io/fs), as PathStat carries them. */
export const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

const S_IFMT = 0o170000;

/** A Unix st_mode as Go's os.FileMode (what os.Lstat gives): permissions, type bits, setuid/setgid/sticky. */
export function goFileMode(mode: number): number {
  let out = mode & 0o777;
  switch (mode & S_IFMT) {
    case 0o040000: out += GO_MODE.dir; break;
    case 0o120000: out += GO_MODE.symlink; break;
    case 0o060000: out += GO_MODE.device; break;
    case 0o020000: out += GO_MODE.device + GO_MODE.charDevice; break;
    case 0o010000: out += GO_MODE.namedPipe; break;
    case 0o140000: out += GO_MODE.socket; break;
  }
  if (mode & 0o4000) out += GO_MODE.setuid;
  if (mode & 0o2000) out += GO_MODE.setgid;
  if (mode & 0o1000) out += GO_MODE.sticky;
  return out;
}

/** A modification time as Go's time.Time marshals it (RFC 3339, nanoseconds without trailing zeros), in UTC. */
export function rfc3339Nano(stat: BigIntStats): string {
  const ns = stat.mtimeNs;
  let seconds = ns / 1_000_000_000n;
  let fraction = ns % 1_000_000_000n;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += 1_000_000_000n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  const digits = fraction === 0n ? '' : `.${fraction.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${digits}Z`;
}

function emitEvent(service: ContainerService, record: ContainerRecord, action: string): void {
  const event: ContainerEvent = {
    action,
    id: record.id,
    attributes: { ...record.config.Labels, image: record.config.Image, name: record.name },
  };
  service.emit('event', event);
}
