/**
 * The deterministic layer writer: the same tree gives the same bytes, so the sha256 of the
 * stream is a stable diffID. Everything in a header comes from the file itself (no clock, no
 * user database): uid/gid/mode, mtime in whole seconds, empty uname/gname, xattrs sorted.
 */
import { Readable } from 'node:stream';
import { fstatSync, openSync, read, readSync, readlinkSync, constants as fsConstants } from 'node:fs';
import { createHash } from 'node:crypto';
import { FailedPreconditionError, SMALL_FILE, digestFromHash, errnoCode, type Digest } from '../base/index.js';
import { closeFd, lgetxattr, llistxattr, major, minor, openInRoot } from '../host/index.js';
import { END_OF_ARCHIVE, encodeTarHeader } from './tar-encode.js';
import { decodeUtf8, paddingFor, type TarHeader } from './tar-format.js';
import {
  BENEATH_NO_SYMLINKS, assertSameFile, refuseUnpackableOverlay, walkLayer, type LayerNode, type PackWhiteouts,
} from './layer-walk.js';
import { isOverlayXattr } from './whiteouts.js';

export type { PackWhiteouts } from './layer-walk.js';

export interface PackOptions {
  /**
   * `overlay`: `dir` is an overlayfs upper dir; 0/0 character devices become `.wh.<name>` files
   * and opaque directories get a `.wh..wh..opq` entry. `none`: every file is packed as it is.
   */
  whiteouts: PackWhiteouts;
}

export interface LayerMeasure {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  size: number;
}

const READ_CHUNK = 256 * 1024;

/** The uncompressed layer tar of `dir`, streamed as it is read from disk. */
export function packLayer(dir: string, options: PackOptions): Readable {
  return Readable.from(layerTarChunks(dir, options), { objectMode: false });
}

/** The diffID and size `packLayer` would produce, without keeping the bytes. */
export async function measureLayer(dir: string, options: PackOptions): Promise<LayerMeasure> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of layerTarChunks(dir, options)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { diffId: digestFromHash(hash), size };
}

async function* layerTarChunks(dir: string, options: PackOptions): AsyncGenerator<Buffer> {
  // Later names of one inode become hard links to the first name packed: dev:ino → tar name.
  const firstNames = new Map<string, string>();
  for await (const node of walkLayer(dir, options.whiteouts)) yield* nodeChunks(node, { whiteouts: options.whiteouts, xattrs: 'all' }, firstNames);
  yield END_OF_ARCHIVE;
}

/** Which extended attributes go into headers: all of them (layers), or only file capabilities (`docker cp`, like moby). */
export type XattrPolicy = 'all' | 'capability';

export interface HeaderOptions {
  whiteouts: PackWhiteouts;
  xattrs: XattrPolicy;
  /**
   * A live tree (a running container's, for `docker cp`): a file that vanishes before its
   * header is skipped, one that grows is cut at the size its header gives, one that shrinks or
   * is replaced after its header is padded with zeros (GNU tar's choice). Layers never do this:
   * their bytes must be exactly the tree's.
   */
  tolerateChanges?: boolean;
}

/** One node's header, content and padding. */
export async function* nodeChunks(node: LayerNode, options: HeaderOptions, firstNames: Map<string, string>): AsyncGenerator<Buffer> {
  let header: TarHeader;
  try {
    header = headerFor(node, options, firstNames);
  } catch (err) {
    if (options.tolerateChanges && isVanished(err)) return;
    throw err;
  }
  yield encodeTarHeader(header);
  if (header.type === 'file' && header.size > 0) {
    yield* options.tolerateChanges ? liveFileContent(node, header.size) : fileContent(node, header.size);
    const padding = paddingFor(header.size);
    if (padding > 0) yield Buffer.alloc(padding);
  }
}

function headerFor(node: LayerNode, options: HeaderOptions, firstNames: Map<string, string>): TarHeader {
  const { stat } = node;
  const base: TarHeader = {
    name: node.tarName,
    type: 'file',
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    size: 0,
    mtime: wholeSeconds(stat.mtimeNs),
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
  };
  // Marker files carry the owner and time of what they stand for, like Docker's converter.
  if (node.kind === 'whiteout') return { ...base, mode: 0o600 };
  if (node.kind === 'opaque') return { ...base, mode: base.mode & 0o777 };
  if (node.kind === 'directory') return { ...base, type: 'directory', xattrs: readXattrs(node, options) };

  if (stat.nlink > 1n) {
    const key = `${stat.dev}:${stat.ino}`;
    const first = firstNames.get(key);
    if (first !== undefined) return { ...base, type: 'hardlink', linkname: first };
    firstNames.set(key, node.tarName);
  }
  const xattrs = readXattrs(node, options);
  switch (node.kind) {
    case 'file':
      return { ...base, type: 'file', size: Number(stat.size), xattrs };
    case 'symlink': {
      const target = readlinkSync(node.path, { encoding: 'buffer' });
      return { ...base, type: 'symlink', linkname: decodeUtf8(target, `the target of symlink ${JSON.stringify(node.tarName)}`), xattrs };
    }
    case 'char-device':
    case 'block-device':
      return { ...base, type: node.kind, devmajor: major(stat.rdev), devminor: minor(stat.rdev), xattrs };
    case 'fifo':
      return { ...base, type: 'fifo', xattrs };
  }
}

/** Every xattr except overlay's own bookkeeping, which describes the upper dir, not the layer. */
function readXattrs(node: LayerNode, options: HeaderOptions): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>();
  // A file grafted in is reached through a magic link, which the l*xattr calls would not follow.
  if (node.selfFd !== undefined) return xattrs;
  if (options.xattrs === 'capability') {
    const value = lgetxattr(node.path, CAPABILITY_XATTR);
    if (value !== undefined) xattrs.set(CAPABILITY_XATTR, capabilityV2(value));
    return xattrs;
  }
  for (const name of llistxattr(node.path)) {
    if (isOverlayXattr(name)) {
      if (options.whiteouts === 'overlay') refuseUnpackableOverlay(name, node.tarName);
      continue;
    }
    const value = lgetxattr(node.path, name);
    if (value !== undefined) xattrs.set(name, value);
  }
  return xattrs;
}

const CAPABILITY_XATTR = 'security.capability';

/**
 * moby's conversion: a VFS_CAP_REVISION_3 value (it names a namespace root uid, meaningless
 * outside the user namespace that wrote it) becomes a revision 2 value of 20 bytes.
 */
function capabilityV2(value: Buffer): Buffer {
  if (value.length >= 20 && value[3] === 3) {
    const v2 = Buffer.from(value.subarray(0, 20));
    v2[3] = 2;
    return v2;
  }
  return value;
}

/**
 * Streams exactly `size` bytes of a regular file, opened beneath its pinned parent without
 * following symlinks (O_NONBLOCK so a FIFO swapped in cannot hang us). The header already
 * promised `size` bytes, so a file that shrank or grew meanwhile fails the pack.
 */
async function* fileContent(node: LayerNode, size: number): AsyncGenerator<Buffer> {
  const fd = node.selfFd !== undefined
    // Reopening our own O_PATH descriptor through its magic link: the file it pins, nothing else.
    ? openSync(`/proc/self/fd/${node.selfFd}`, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
    : openInRoot(node.parentFd, node.name, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK, BENEATH_NO_SYMLINKS);
  try {
    const opened = assertSameFile(fd, node.stat, node.tarName);
    if (!opened.isFile()) throw new FailedPreconditionError(`${JSON.stringify(node.tarName)} changed while the layer was being packed`);
    // Each read asks for one byte more than is left: growth shows up as an overlong read, and a
    // short read that ends exactly at `size` proves the end of the file without another read.
    let left = size;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, left + 1));
      // A small file is read synchronously: microseconds, where a thread-pool round trip costs more.
      const n = size <= SMALL_FILE ? readSync(fd, buffer, 0, buffer.length, null) : await readInto(fd, buffer);
      if (n > left) throw new FailedPreconditionError(`${JSON.stringify(node.tarName)} grew while the layer was being packed`);
      if (n === 0) {
        if (left === 0) return;
        throw new FailedPreconditionError(`${JSON.stringify(node.tarName)} shrank while the layer was being packed`);
      }
      left -= n;
      yield buffer.subarray(0, n);
      if (left === 0 && n < buffer.length) return;
    }
  } finally {
    closeFd(fd);
  }
}

/**
 * fileContent for a live tree: exactly `size` bytes whatever happens to the file — its first
 * `size` bytes, then zeros if it shrank, all zeros if it was replaced or removed.
 */
async function* liveFileContent(node: LayerNode, size: number): AsyncGenerator<Buffer> {
  let left = size;
  const fd = openLive(node);
  try {
    while (fd >= 0 && left > 0) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const n = await readInto(fd, buffer);
      if (n === 0) break;
      left -= n;
      yield buffer.subarray(0, n);
    }
  } finally {
    if (fd >= 0) closeFd(fd);
  }
  while (left > 0) {
    const n = Math.min(READ_CHUNK, left);
    left -= n;
    yield Buffer.alloc(n);
  }
}

/** The node's file opened for reading, or -1 when it is gone or no longer the file listed. */
function openLive(node: LayerNode): number {
  let fd: number;
  try {
    fd = node.selfFd !== undefined
      ? openSync(`/proc/self/fd/${node.selfFd}`, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
      : openInRoot(node.parentFd, node.name, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK, BENEATH_NO_SYMLINKS);
  } catch (err) {
    if (isVanished(err)) return -1;
    throw err;
  }
  const opened = fstatSync(fd, { bigint: true });
  if (opened.isFile() && opened.ino === node.stat.ino && opened.dev === node.stat.dev) return fd;
  closeFd(fd);
  return -1;
}

/** The file went away or was swapped for something else between listing and reading. */
export function isVanished(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENXIO';
}

function readInto(fd: number, buffer: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, null, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}

/** Floor division, so times before 1970 round down like every other tar writer. */
function wholeSeconds(ns: bigint): number {
  const seconds = ns / 1_000_000_000n;
  return Number(ns < 0n && seconds * 1_000_000_000n !== ns ? seconds - 1n : seconds);
}
