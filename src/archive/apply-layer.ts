/**
 * The secure layer applier. Whatever an archive says, nothing outside `target` is created,
 * changed or removed: names are cleaned lexically as if joined to `/`, parents are resolved by
 * the kernel inside the target (LayerRoot), and the last component is never followed.
 */
import { createHash } from 'node:crypto';
import { lutimesSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { digestFromHash, InternalError, InvalidArgumentError, isStrataError, errorMessage, type Digest } from '../base/index.js';
import { decompressIfNeeded } from './compression.js';
import { cleanEntryName, splitEntryName } from './entry-name.js';
import { LayerRoot } from './layer-root.js';
import { readTarEntries, type TarEntry } from './tar-reader.js';
import { applyEntryIn, applyRootDirectory, lstatIfExists } from './apply-entry.js';
import { applyWhiteout } from './apply-whiteout.js';
import type { ApplyState, ApplyWhiteouts } from './apply-state.js';
import { WHITEOUT_META_PREFIX, isWhiteoutMetaName, isWhiteoutName } from './whiteouts.js';

export type { ApplyWhiteouts } from './apply-state.js';

export interface ApplyOptions {
  /**
   * `overlay`: `target` is an overlayfs upper dir; `.wh.x` becomes a 0/0 character device and
   * `.wh..wh..opq` sets trusted.overlay.opaque=y. `delete`: `target` is a full tree; whiteouts
   * delete what the lower layers put there.
   */
  whiteouts: ApplyWhiteouts;
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
    root = LayerRoot.open(target);
    const state: ApplyState = { root, whiteouts: options.whiteouts, applied: new Set(), directoryTimes: [] };
    for await (const entry of readTarEntries(source)) {
      try {
        await applyEntry(entry, state);
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
    const dir = rel === '' ? state.root.openRoot() : state.root.openDirectory(parentRel, rel, false);
    if (!dir) continue;
    try {
      const path = rel === '' ? dir.self : dir.child(base);
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
