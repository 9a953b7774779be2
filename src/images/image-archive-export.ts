import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataCorruptError, NotFoundError, isErrorKind, sha256Of, digestHex, type Digest } from '../base/index.js';
import { MediaType, type ImageIndex, type ImageManifest, type Descriptor } from '../oci/index.js';
import { encodeTarHeader, END_OF_ARCHIVE, type TarHeader } from '../archive/index.js';
import type { ContentStore } from '../content/index.js';
import type { ImageService } from './image-service.js';
import { Lease } from './leases.js';
import { selectSaveTargets, type SaveTarget } from './image-archive-select.js';
import {
  ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, INDEX_FILE, LAYOUT_CONTENT, LAYOUT_FILE, MANIFEST_FILE, REPOSITORIES_FILE,
  blobEntryName, goJsonLine, type LayerSource, type ManifestItem,
} from './image-archive-format.js';

/** One blob of the archive: small documents are held in memory, layers and configs stream from the store. */
interface ArchiveBlob {
  digest: Digest;
  size: number;
  /** Seconds since the epoch, for the tar header. */
  mtime: number;
  bytes?: Buffer;
}

interface ArchivePlan {
  /** Sorted by digest, each once however many images share it. */
  blobs: ArchiveBlob[];
  /** Top-level files in name order, after `blobs/` as a directory walk would give them. */
  documents: { name: string; bytes: Buffer }[];
}

/**
 * `docker save`: the named images as one tar in the Docker 25+ layout. Names are resolved
 * and every document is computed before the first byte, so a bad name is an ordinary error;
 * then the tar is produced as it is read, layers streamed from the content store, never
 * assembled in memory or on disk. The output is a function of the images and their tags
 * only (no clock, no store order), so saving the same images twice gives the same bytes.
 */
export async function saveImages(service: ImageService, names: readonly string[]): Promise<{ stream: Readable; images: Digest[] }> {
  const targets = selectSaveTargets(service, names);
  // Held from before the plan reads anything until the stream is done, so a concurrent
  // `rmi` cannot have its garbage collection delete a blob mid-stream.
  const lease = new Lease(service.leases);
  let plan: ArchivePlan;
  try {
    lease.addBlobs(...targets.map((t) => t.record.id));
    plan = await planArchive(service, targets, lease);
  } catch (err) {
    lease.release();
    throw err;
  }
  const stream = Readable.from(writeArchive(service.content, plan), { objectMode: false });
  stream.once('close', () => lease.release());
  return { stream, images: targets.map((t) => t.record.id) };
}

async function planArchive(service: ImageService, targets: SaveTarget[], lease: Lease): Promise<ArchivePlan> {
  const blobs = new Map<Digest, ArchiveBlob>();
  const addBlob = (blob: ArchiveBlob) => { if (!blobs.has(blob.digest)) blobs.set(blob.digest, blob); };
  const items: ManifestItem[] = [];
  const indexEntries: Descriptor[] = [];
  const repositories = new Map<string, Map<string, string>>();
  const saved = new Set(targets.map((t) => t.record.id));

  for (const { record, refs } of targets) {
    const id = record.id;
    const config = await service.config(id);
    const configSize = (await service.content.info(id)).size;
    const created = createdSeconds(config.created);
    const diffIds = config.rootfs.diff_ids;
    lease.addBlobs(...diffIds);
    addBlob({ digest: id, size: configSize, mtime: created });

    const layers: Descriptor[] = [];
    for (const diffId of diffIds) {
      const size = await layerSize(service.content, diffId, id);
      layers.push({ mediaType: MediaType.ociLayer, digest: diffId, size });
      addBlob({ digest: diffId, size, mtime: created });
    }
    // The manifest moby writes: Go's field order, uncompressed layers named by diffID.
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: id, size: configSize },
      layers,
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const manifestDescriptor: Descriptor = { mediaType: MediaType.ociManifest, digest: sha256Of(manifestBytes), size: manifestBytes.length };
    addBlob({ digest: manifestDescriptor.digest, size: manifestBytes.length, mtime: 0, bytes: manifestBytes });

    if (refs.length === 0) indexEntries.push(manifestDescriptor);
    for (const ref of refs) {
      // Go sorts map keys: the containerd name comes before the OCI ref name.
      indexEntries.push({ ...manifestDescriptor, annotations: { [ANNOTATION_IMAGE_NAME]: ref.toString(), [ANNOTATION_REF_NAME]: ref.tag! } });
      const top = diffIds[diffIds.length - 1];
      if (top) {
        const tags = repositories.get(ref.familiarName()) ?? new Map<string, string>();
        tags.set(ref.tag!, digestHex(top));
        repositories.set(ref.familiarName(), tags);
      }
    }

    const item: ManifestItem = {
      Config: blobEntryName(id),
      RepoTags: refs.length > 0 ? refs.map((r) => r.familiarString()) : null,
      Layers: diffIds.map(blobEntryName),
    };
    if (record.parent && saved.has(record.parent)) item.Parent = record.parent;
    if (diffIds.length > 0) item.LayerSources = layerSources(layers);
    items.push(item);
  }

  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: indexEntries };
  const documents = [
    { name: INDEX_FILE, bytes: Buffer.from(JSON.stringify(index)) },
    { name: MANIFEST_FILE, bytes: Buffer.from(goJsonLine(items)) },
    { name: LAYOUT_FILE, bytes: Buffer.from(LAYOUT_CONTENT) },
  ];
  if (repositories.size > 0) documents.push({ name: REPOSITORIES_FILE, bytes: Buffer.from(goJsonLine(sortedRepositories(repositories))) });

  const sorted = [...blobs.values()].sort((a, b) => compare(a.digest, b.digest));
  return { blobs: sorted, documents };
}

async function* writeArchive(content: ContentStore, plan: ArchivePlan): AsyncGenerator<Buffer> {
  yield encodeTarHeader(entryHeader('blobs/', 'directory', 0, 0));
  yield encodeTarHeader(entryHeader('blobs/sha256/', 'directory', 0, 0));
  for (const blob of plan.blobs) {
    yield encodeTarHeader(entryHeader(blobEntryName(blob.digest), 'file', blob.size, blob.mtime));
    if (blob.bytes) yield blob.bytes;
    else yield* verifiedBlob(content, blob);
    const pad = padding(blob.size);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  for (const doc of plan.documents) {
    yield encodeTarHeader(entryHeader(doc.name, 'file', doc.bytes.length, 0));
    yield doc.bytes;
    const pad = padding(doc.bytes.length);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield END_OF_ARCHIVE;
}

/**
 * A blob's bytes from the store, checked as they pass: a blob that changed size or content
 * on disk fails the stream (the client sees a cut-off tar) instead of going out as valid.
 */
async function* verifiedBlob(content: ContentStore, blob: ArchiveBlob): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of content.read(blob.digest)) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > blob.size) break;
    hash.update(bytes);
    yield bytes;
  }
  const actual: Digest = `sha256:${hash.digest('hex')}`;
  if (size !== blob.size || actual !== blob.digest) {
    throw new DataCorruptError(`blob ${blob.digest} in the content store is corrupt: expected ${blob.size} bytes with that digest, read ${size} bytes${size === blob.size ? ` with digest ${actual}` : ''}`);
  }
}

function entryHeader(name: string, type: 'file' | 'directory', size: number, mtime: number): TarHeader {
  return {
    name, type, mode: type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, size, mtime,
    linkname: '', devmajor: 0, devminor: 0, xattrs: new Map(),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function padding(size: number): number {
  return (512 - (size % 512)) % 512;
}

async function layerSize(content: ContentStore, diffId: Digest, imageId: Digest): Promise<number> {
  try {
    return (await content.info(diffId)).size;
  } catch (err) {
    if (isErrorKind(err, 'not-found')) throw new NotFoundError(`layer ${diffId} of image ${imageId} is not in the content store`, { cause: err });
    throw err;
  }
}

/** Docker 25+ records each layer's blob descriptor by diffID, keys sorted as Go sorts a map. */
function layerSources(layers: Descriptor[]): Record<string, LayerSource> {
  const out: Record<string, LayerSource> = {};
  for (const layer of [...layers].sort((a, b) => compare(a.digest, b.digest))) {
    out[layer.digest] = { mediaType: layer.mediaType, size: layer.size, digest: layer.digest };
  }
  return out;
}

function sortedRepositories(repositories: Map<string, Map<string, string>>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const name of [...repositories.keys()].sort()) {
    const tags = repositories.get(name)!;
    out[name] = Object.fromEntries([...tags.keys()].sort().map((tag) => [tag, tags.get(tag)!]));
  }
  return out;
}

/** An image's creation time in whole seconds for tar headers; 0 when absent or unreadable. */
function createdSeconds(created: string | undefined): number {
  const ms = created ? Date.parse(created) : NaN;
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
}
