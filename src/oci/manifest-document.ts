import { InvalidArgumentError } from '../base/index.js';
import {
  MediaType,
  isImageIndexType,
  isImageManifestType,
  isSchema1ManifestType,
  schema1RemovedMessage,
} from './media-types.js';
import { parseJsonText } from './schema-parse.js';
import { parseImageManifest, type ImageManifest } from './image-manifest.js';
import { parseImageIndex, type ImageIndex } from './image-index.js';

/** What a registry or an archive handed us under a manifest reference: one image or an index. */
export type ManifestDocument =
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; index: ImageIndex };

/** Content types that say nothing about which manifest kind a body is. */
function isGenericContentType(contentType: string): boolean {
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  return base === '' || base === 'application/json' || base === 'application/octet-stream' || base === 'text/plain';
}

/**
 * Parses a manifest or an index, deciding which from the document's own `mediaType`, then
 * from `contentType` (the registry's header or the referring descriptor), then from its
 * shape (OCI lets `mediaType` be absent). Schema 1 manifests are refused with a message
 * saying so; other unknown types are InvalidArgumentError too.
 */
export function parseManifestDocument(json: string | Uint8Array, contentType?: string): ManifestDocument {
  const value = parseJsonText(json, 'manifest');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError('invalid manifest: expected a JSON object');
  }
  const doc = value as Record<string, unknown>;
  const ownType = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const hintType = contentType && !isGenericContentType(contentType) ? contentType : undefined;
  const declared = ownType ?? hintType;

  if (doc.schemaVersion === 1 || (declared !== undefined && isSchema1ManifestType(declared))) {
    throw new InvalidArgumentError(schema1RemovedMessage('the manifest'));
  }
  if (declared !== undefined) {
    if (isImageIndexType(declared)) return { kind: 'index', mediaType: declared, index: parseImageIndex(doc) };
    if (isImageManifestType(declared)) return { kind: 'manifest', mediaType: declared, manifest: parseImageManifest(doc) };
    throw new InvalidArgumentError(`unsupported manifest media type "${declared}"`);
  }
  if (Array.isArray(doc.manifests)) return { kind: 'index', mediaType: MediaType.ociIndex, index: parseImageIndex(doc) };
  if (doc.config !== undefined) return { kind: 'manifest', mediaType: MediaType.ociManifest, manifest: parseImageManifest(doc) };
  throw new InvalidArgumentError('invalid manifest: no mediaType, and neither "manifests" nor "config" to tell its kind');
}
