/**
 * The image archive `docker save` writes since Docker 25 and `docker load` reads: an OCI image
 * layout (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) that is also a docker-archive
 * (`manifest.json`, `repositories`). Names and shapes follow moby's
 * daemon/internal/image/tarexport (save.go, load.go, tarexport.go).
 */
import { z } from 'zod';
import { InvalidArgumentError, digestHex, isDigest, type Digest } from '../base/index.js';
import { goObject, parseJsonText, parseWithSchema } from '../oci/index.js';

export const MANIFEST_FILE = 'manifest.json';
export const INDEX_FILE = 'index.json';
export const LAYOUT_FILE = 'oci-layout';
export const REPOSITORIES_FILE = 'repositories';
/** Written exactly as moby writes it (note the space): readers compare the version only. */
export const LAYOUT_CONTENT = '{"imageLayoutVersion": "1.0.0"}';

/** containerd's full image name on an index.json descriptor (`docker.io/library/busybox:latest`). */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
/** OCI's reference name: Docker writes the tag alone (`latest`); other tools a full reference. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/** The top-level documents a loader reads whole; everything else is a blob to stream. */
export const METADATA_FILES: ReadonlySet<string> = new Set([MANIFEST_FILE, INDEX_FILE, LAYOUT_FILE, REPOSITORIES_FILE]);

/** `blobs/sha256/<hex>`: where a blob lives in an OCI layout. */
export function blobEntryName(digest: Digest): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

/** The digest a layout path names (`blobs/sha256/<hex>`), if it is one. */
export function digestOfBlobEntry(name: string): Digest | undefined {
  const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
  const digest = m ? `sha256:${m[1]}` : undefined;
  return digest !== undefined && isDigest(digest) ? digest : undefined;
}

/** One image of `manifest.json`, with moby's field names (manifestItem). */
export interface ManifestItem {
  Config: string;
  /** Familiar tagged names (`busybox:latest`); Docker writes `null` for an untagged image. */
  RepoTags?: string[] | null;
  Layers: string[];
  /** The image's parent, when it was saved in the same archive. */
  Parent?: string;
  /** Per diffID, the descriptor of the layer blob (Docker 25+ writes it for every layer). */
  LayerSources?: Record<string, LayerSource>;
}

/** moby's distribution.Descriptor: its field order (mediaType, size, digest) is what Go writes. */
export interface LayerSource {
  mediaType: string;
  size: number;
  digest: Digest;
}

const manifestItemSchema: z.ZodType<ManifestItem> = goObject({
  Config: z.string().min(1),
  RepoTags: z.array(z.string()).optional(),
  Layers: z.array(z.string()),
  Parent: z.string().optional(),
  LayerSources: z.record(z.string(), z.looseObject({ mediaType: z.string(), size: z.number(), digest: z.string() })).optional(),
}) as z.ZodType<ManifestItem>;

/** Parses `manifest.json`; `null` is refused as moby refuses it (it usually means a bug). */
export function parseManifestFile(bytes: Uint8Array): ManifestItem[] {
  const value = parseJsonText(bytes, MANIFEST_FILE);
  if (value === null) throw new InvalidArgumentError('invalid manifest, manifest cannot be null (but can be [])');
  return parseWithSchema(z.array(manifestItemSchema), value, `archive ${MANIFEST_FILE}`);
}

/** Go's json.Encoder output: compact JSON and a newline. Object keys keep insertion order. */
export function goJsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}
