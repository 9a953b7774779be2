/**
 * The deterministic layer writer: the same tree gives the same bytes, so the sha256 of the
 * stream is a stable diffID. Everything in a header comes from the file itself (no clock, no
 * user database): uid/gid/mode, mtime in whole seconds, empty uname/gname, xattrs sorted.
 */
import { Readable } from 'node:stream';
import { read, readlinkSync, constants as fsConstants } from 'node:fs';
import { createHash } from 'node:crypto';
import { FailedPreconditionError, digestFromHash, type Digest } from '../base/index.js';
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
  for await (const node of walkLayer(dir, options.whiteouts)) {
    const header = headerFor(node, options.whiteouts, firstNames);
    yield encodeTarHeader(header);
    if (header.type === 'file' && header.size > 0) {
      yield* fileContent(node, header.size);
      const padding = paddingFor(header.size);
      if (padding > 0) yield Buffer.alloc(padding);
    }
  }
  yield END_OF_ARCHIVE;
}

function headerFor(node: LayerNode, whiteouts: PackWhiteouts, firstNames: Map<string, string>): TarHeader {
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
  if (node.kind === 'directory') return { ...base, type: 'directory', xattrs: readXattrs(node, whiteouts) };

  if (stat.nlink > 1n) {
    const key = `${stat.dev}:${stat.ino}`;
    const first = firstNames.get(key);
    if (first !== undefined) return { ...base, type: 'hardlink', linkname: first };
    firstNames.set(key, node.tarName);
  }
  const xattrs = readXattrs(node, whiteouts);
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
function readXattrs(node: LayerNode, whiteouts: PackWhiteouts): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>();
  for (const name of llistxattr(node.path)) {
    if (isOverlayXattr(name)) {
      if (whiteouts === 'overlay') refuseUnpackableOverlay(name, node.tarName);
      continue;
    }
    const value = lgetxattr(node.path, name);
    if (value !== undefined) xattrs.set(name, value);
  }
  return xattrs;
}

/**
 * Streams exactly `size` bytes of a regular file, opened beneath its pinned parent without
 * following symlinks (O_NONBLOCK so a FIFO swapped in cannot hang us). The header already
 * promised `size` bytes, so a file that shrank or grew meanwhile fails the pack.
 */
async function* fileContent(node: LayerNode, size: number): AsyncGenerator<Buffer> {
  const fd = openInRoot(node.parentFd, node.name, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK, BENEATH_NO_SYMLINKS);
  try {
    const opened = assertSameFile(fd, node.stat, node.tarName);
    if (!opened.isFile()) throw new FailedPreconditionError(`${JSON.stringify(node.tarName)} changed while the layer was being packed`);
    // Each read asks for one byte more than is left: growth shows up as an overlong read, and a
    // short read that ends exactly at `size` proves the end of the file without another read.
    let left = size;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, left + 1));
      const n = await readInto(fd, buffer);
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
