/**
 * `docker cp`'s archive of one file or directory (moby's TarWithOptions with IncludeFiles and
 * RebaseNames): the object under a chosen name, a directory with everything below it, as
 * plain PAX-compatible tar. The same header writer as layers, with moby's cp choices: no
 * whiteout conversion, only `security.capability` among the extended attributes. The tree may
 * be live (a running container's): what changes while it is read never breaks the archive —
 * a file keeps the size its header gave (cut, or padded with zeros), what vanishes is left out.
 */
import { Readable } from 'node:stream';
import { fstatSync, lstatSync } from 'node:fs';
import { FailedPreconditionError } from '../base/index.js';
import { closeFd, openInRoot, O_DIRECTORY, O_NOFOLLOW, O_PATH } from '../host/index.js';
import { END_OF_ARCHIVE } from './tar-encode.js';
import { BENEATH_NO_SYMLINKS, assertSameFile, kindOf, walkTree, type LayerNode, type LayerNodeKind } from './layer-walk.js';
import { nodeChunks, type XattrPolicy } from './pack-layer.js';
import type { Grafts } from './tree-resolve.js';

/**
 * What to pack. `directory`: an O_PATH descriptor of a directory, packed with its tree.
 * `entry`: the entry `name` of the directory `dirFd`, not followed (a symlink is packed as
 * one). `file`: an O_PATH descriptor of a non-directory that has no usable parent (a file
 * bind-mounted into a container). Descriptors stay the caller's, open until the stream ends.
 */
export type PackSource =
  | { kind: 'directory'; fd: number }
  | { kind: 'entry'; dirFd: number; name: string }
  | { kind: 'file'; fd: number };

export interface PackPathOptions {
  /**
   * The name of the packed object in the archive. A directory's entries are `<name>/…`;
   * `''` gives moby's names for the root directory (`/`, `/a`, `/a/b`).
   */
  name: string;
  /** Trees mounted below a packed directory, keyed relative to it (see walkTree). */
  grafts?: Grafts;
  /** Default `capability`, as moby's cp. */
  xattrs?: XattrPolicy;
}

/** The archive as a stream; its bytes are produced as they are read. */
export function packPath(source: PackSource, options: PackPathOptions): Readable {
  return Readable.from(packPathChunks(source, options), { objectMode: false });
}

export async function* packPathChunks(source: PackSource, options: PackPathOptions): AsyncGenerator<Buffer> {
  const headerOptions = { whiteouts: 'none' as const, xattrs: options.xattrs ?? 'capability', tolerateChanges: true };
  const firstNames = new Map<string, string>();
  const root = rootNode(source, options.name);
  yield* nodeChunks(root, headerOptions, firstNames);
  if (root.kind === 'directory') {
    const dirFd = source.kind === 'entry' ? openChildDirectory(source, root) : source.fd;
    try {
      for await (const node of walkTree(dirFd, root.tarName, { whiteouts: 'none', grafts: options.grafts, tolerateChanges: true })) {
        yield* nodeChunks(node, headerOptions, firstNames);
      }
    } finally {
      if (source.kind === 'entry') closeFd(dirFd);
    }
  }
  yield END_OF_ARCHIVE;
}

function rootNode(source: PackSource, name: string): LayerNode {
  if (source.kind === 'entry') {
    const path = `/proc/self/fd/${source.dirFd}/${source.name}`;
    const stat = lstatSync(path, { bigint: true });
    const kind = kindOf(stat);
    if (!kind) throw new FailedPreconditionError(`${JSON.stringify(source.name)} is a socket, which cannot be archived`);
    return { tarName: tarName(name, kind), kind, stat, path, parentFd: source.dirFd, name: source.name };
  }
  const stat = fstatSync(source.fd, { bigint: true });
  const kind = kindOf(stat);
  if (!kind) throw new FailedPreconditionError(`${JSON.stringify(name)} is a socket, which cannot be archived`);
  const self = `/proc/self/fd/${source.fd}`;
  if (kind === 'directory') return { tarName: tarName(name, kind), kind, stat, path: `${self}/.`, parentFd: source.fd, name: '.' };
  if (source.kind === 'directory') throw new FailedPreconditionError(`${JSON.stringify(name)} is not a directory`);
  return { tarName: tarName(name, kind), kind, stat, path: self, parentFd: -1, name: '', selfFd: source.fd };
}

function tarName(name: string, kind: LayerNodeKind): string {
  return kind === 'directory' ? `${name}/` : name;
}

/** The entry's directory, pinned and checked to be the one whose header was written. */
function openChildDirectory(source: { dirFd: number; name: string }, root: LayerNode): number {
  const fd = openInRoot(source.dirFd, source.name, O_PATH | O_DIRECTORY | O_NOFOLLOW, BENEATH_NO_SYMLINKS);
  try {
    assertSameFile(fd, root.stat, root.tarName);
  } catch (err) {
    closeFd(fd);
    throw err;
  }
  return fd;
}
