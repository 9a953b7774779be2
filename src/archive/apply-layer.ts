/**
 * The secure layer applier. Whatever an archive says, nothing outside `target` is created,
 * changed or removed: names are cleaned lexically as if joined to `/`, parents are resolved by
 * the kernel inside the target (LayerRoot), and the last component is never followed.
 */
import { createHash } from 'node:crypto';
import { lutimesSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { digestFromHash, ConflictError, InternalError, InvalidArgumentError, isStrataError, errorMessage, type Digest } from '../base/index.js';
import { decompressIfNeeded } from './compression.js';
import { cleanEntryName, copyEntryName, joinEntryName, splitEntryName } from './entry-name.js';
import { LayerRoot } from './layer-root.js';
import { readTarEntries, type TarEntry } from './tar-reader.js';
import { applyEntryIn, applyRootDirectory, lstatIfExists } from './apply-entry.js';
import { applyWhiteout } from './apply-whiteout.js';
import type { ApplyState, ApplyWhiteouts, CopyRules } from './apply-state.js';
import type { Grafts } from './tree-resolve.js';
import { WHITEOUT_META_PREFIX, isWhiteoutMetaName, isWhiteoutName } from './whiteouts.js';

export type { ApplyWhiteouts } from './apply-state.js';

export interface ApplyOptions {
  /**
   * `overlay`: `target` is an overlayfs upper dir; `.wh.x` becomes a 0/0 character device and
   * `.wh..wh..opq` sets trusted.overlay.opaque=y. `delete`: `target` is a full tree; whiteouts
   * delete what the lower layers put there.
   */
  whiteouts: ApplyWhiteouts;
  /**
   * `target` is in memory (a tmpfs): small files' content is written with one synchronous
   * call, microseconds there. On a disk a write can be held back while the kernel writes
   * dirty pages out, so there writes stay off the event loop.
   */
  memoryBacked?: boolean;
}

export interface AppliedLayer {
  /** sha256 of the uncompressed tar bytes read: the layer's diffID. */
  digest: Digest;
  /** Bytes of the uncompressed tar read, including anything after the end-of-archive marker. */
  size: number;
}

/**
 * Unpacks a layer tar (plain or gzip) into `target`, an existing directory. Fails with an error
 * naming the entry when an entry cannot be applied faithfully; the target may then hold part of
 * the layer, so callers unpack into a fresh directory they can throw away.
 */
export async function applyLayer(tar: Readable, target: string, options: ApplyOptions): Promise<AppliedLayer> {
  return applyTar(tar, () => LayerRoot.open(target), { whiteouts: options.whiteouts, syncSmallWrites: options.memoryBacked === true });
}

export interface ExtractOptions {
  /**
   * Refuse to replace an existing directory with a non-directory or the reverse, with Docker's
   * messages (the API's `noOverwriteDirNonDir`); otherwise what is in the way is replaced.
   */
  noOverwriteDirNonDir?: boolean;
  /** Owner for every entry instead of the archive's (Docker's `copyUIDGID` with a container user). */
  owner?: { uid: number; gid: number };
  /** Trees mounted below the target (a container's volumes), keyed relative to it. */
  grafts?: Grafts;
  /** How the target is named in error messages (Docker names the extraction directory). */
  destination?: string;
}

/**
 * `docker cp` extraction (moby's Unpack with AUFS whiteouts off): the archive's entries are
 * created in the directory pinned by `targetFd`, which is their root — names are cleaned,
 * `..` names and hard link targets climbing out are refused, symlinks met on the way resolve
 * inside the target. `.wh.` names are ordinary files, the entry for the target itself (`./`)
 * is skipped, and entries keep the archive's owner unless `owner` says otherwise. Plain or gzip.
 */
export async function extractArchive(tar: Readable, targetFd: number, options: ExtractOptions = {}): Promise<AppliedLayer> {
  const copy: CopyRules = {
    noOverwriteDirNonDir: options.noOverwriteDirNonDir ?? false,
    destination: options.destination ?? '.',
    ...(options.owner ? { owner: options.owner } : {}),
  };
  return applyTar(tar, () => LayerRoot.openFd(targetFd, options.grafts), { whiteouts: 'none', copy });
}

async function applyTar(
  tar: Readable,
  openRoot: () => LayerRoot,
  mode: Pick<ApplyState, 'whiteouts' | 'copy' | 'syncSmallWrites'>,
): Promise<AppliedLayer> {
  const hash = createHash('sha256');
  let size = 0;
  const plain = decompressIfNeeded(tar);
  const source = (async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of plain) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  })();

  let root: LayerRoot | undefined;
  let completed = false;
  try {
    root = openRoot();
    const state: ApplyState = { root, ...mode, applied: new Set(), directoryTimes: [] };
    for await (const entry of readTarEntries(source)) {
      try {
        if (state.copy) await copyEntry(entry, state, state.copy);
        else await applyEntry(entry, state);
      } catch (err) {
        throw namingEntry(err, entry.header.name);
      }
    }
    applyDirectoryTimes(state);
    // The digest covers every byte of the blob, including padding after the end marker.
    for await (const _ of source) { /* hashed on the way through */ }
    completed = true;
  } finally {
    root?.close();
    if (!completed) {
      // Failed: release the input (a socket, a file) whether or not reading had begun.
      await source.return(undefined);
      plain.destroy();
    }
  }
  return { digest: digestFromHash(hash), size };
}

/**
 * One `docker cp` entry. Docker resolves it under the extraction directory, refuses a name
 * that climbs out of it, skips the directory itself, and checks NoOverwriteDirNonDir against
 * what is there now (not followed).
 */
async function copyEntry(entry: TarEntry, state: ApplyState, rules: CopyRules): Promise<void> {
  const rel = copyEntryName(entry.header.name, 'entry name');
  if (rel === '') return;
  const header = rules.owner ? { ...entry.header, uid: rules.owner.uid, gid: rules.owner.gid } : entry.header;
  const owned: TarEntry = header === entry.header ? entry : { header, body: entry.body };
  const { parent: parentRel, base } = splitEntryName(rel);
  const parent = state.root.openDirectory(parentRel, header.name, true)!;
  try {
    const childRel = joinEntryName(parent.rel, base);
    if (state.root.graftAt(childRel)) return await copyOntoGraft(childRel, owned, state);
    const existing = lstatIfExists(parent.child(base));
    if (existing && rules.noOverwriteDirNonDir) {
      if (existing.isDirectory() && header.type !== 'directory') {
        throw new ConflictError(`cannot overwrite directory ${JSON.stringify(rel)} with non-directory ${JSON.stringify(rules.destination)}`);
      }
      if (!existing.isDirectory() && header.type === 'directory') {
        throw new ConflictError(`cannot overwrite non-directory ${JSON.stringify(rel)} with directory ${JSON.stringify(rules.destination)}`);
      }
    }
    if (parent.readonly) throw readOnly(header.name);
    await applyEntryIn(parent, base, owned, state);
  } finally {
    parent.close();
  }
}

/**
 * An entry naming a mount point: a directory entry sets the metadata of the mounted tree's
 * root, as it would through the mount; anything else would have to remove the mount point.
 */
async function copyOntoGraft(rel: string, entry: TarEntry, state: ApplyState): Promise<void> {
  const { header } = entry;
  if (header.type !== 'directory') {
    throw new ConflictError(`cannot replace ${JSON.stringify(rel)} with tar entry ${JSON.stringify(header.name)}: it is a mount point`);
  }
  const dir = state.root.openDirectory(rel, header.name, false);
  if (!dir) throw new ConflictError(`cannot replace ${JSON.stringify(rel)} with tar entry ${JSON.stringify(header.name)}: it is a mount point`);
  try {
    if (dir.readonly) throw readOnly(header.name);
    applyRootDirectory(dir, header, state, rel);
  } finally {
    dir.close();
  }
}

function readOnly(name: string): InvalidArgumentError {
  return new InvalidArgumentError(`cannot extract tar entry ${JSON.stringify(name)}: read-only file system`);
}

async function applyEntry(entry: TarEntry, state: ApplyState): Promise<void> {
  const { header } = entry;
  const rel = cleanEntryName(header.name);
  const { parent: parentRel, base } = splitEntryName(rel);

  // AUFS keeps its hard-link store and bookkeeping under `.wh..wh.*`; none of it is a file.
  if (isWhiteoutMetaName(base) || parentRel.split('/').some((c) => c.startsWith(WHITEOUT_META_PREFIX))) return;
  if (isWhiteoutName(base)) return applyWhiteout(parentRel, base, header, state);

  if (rel === '') {
    if (header.type !== 'directory') {
      throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.name)} (${header.type}) names the root of the layer`);
    }
    const rootDir = state.root.openRoot();
    try {
      return applyRootDirectory(rootDir, header, state);
    } finally {
      rootDir.close();
    }
  }

  const parent = state.root.openDirectory(parentRel, header.name, true)!;
  try {
    await applyEntryIn(parent, base, entry, state);
  } finally {
    parent.close();
  }
}

/** Sets directory times last, re-resolving each path in the root in case later entries moved things. */
function applyDirectoryTimes(state: ApplyState): void {
  for (const { rel, atime, mtime } of state.directoryTimes.reverse()) {
    const { parent: parentRel, base } = splitEntryName(rel);
    // The root and mount points are set through themselves, everything else through its parent.
    const itself = rel === '' || state.root.graftAt(rel) !== undefined;
    const dir = rel === '' ? state.root.openRoot() : state.root.openDirectory(itself ? rel : parentRel, rel, false);
    if (!dir) continue;
    try {
      const path = itself ? dir.self : dir.child(base);
      if (lstatIfExists(path)?.isDirectory()) lutimesSync(path, atime, mtime);
    } finally {
      dir.close();
    }
  }
}

/** Errors of our own vocabulary already name the entry; system errors get its name added. */
function namingEntry(err: unknown, name: string): unknown {
  if (isStrataError(err)) return err;
  return new InternalError(`applying tar entry ${JSON.stringify(name)}: ${errorMessage(err)}`, { cause: err });
}
