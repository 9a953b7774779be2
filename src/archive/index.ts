/**
 * Layer tars: the deterministic writer, the secure applier, OCI ↔ overlay whiteouts and
 * compression. The only door into src/archive.
 */
export { packLayer, measureLayer, type PackOptions, type PackWhiteouts, type LayerMeasure } from './pack-layer.js';
export { applyLayer, extractArchive, type ApplyOptions, type ApplyWhiteouts, type AppliedLayer, type ExtractOptions } from './apply-layer.js';
export { packPath, packPathChunks, type PackSource, type PackPathOptions } from './pack-path.js';
export { resolveInTree, graftsBelow, ResolvedPath, type Graft, type Grafts, type ResolveOptions, type ResolvedStep } from './tree-resolve.js';
export { gzipStream, decompressIfNeeded } from './compression.js';
export {
  WHITEOUT_PREFIX, WHITEOUT_META_PREFIX, OPAQUE_WHITEOUT, OVERLAY_OPAQUE_XATTR, OVERLAY_OPAQUE_VALUE,
  isWhiteoutName, isOpaqueWhiteout, isWhiteoutMetaName, whiteoutNameFor, whiteoutTarget, isOverlayXattr,
} from './whiteouts.js';
export { cleanEntryName } from './entry-name.js';
export { readTarEntries, type TarEntry } from './tar-reader.js';
export { encodeTarHeader, END_OF_ARCHIVE } from './tar-encode.js';
export type { TarHeader, TarEntryType } from './tar-format.js';
