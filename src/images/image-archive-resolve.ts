import { DataCorruptError, InvalidArgumentError, type Digest } from '../base/index.js';
import {
  currentPlatform, isImageConfigType, parseImageConfigJson, parseImageIndexJson, parseManifestDocument, parseNormalizedNamed,
  pickBestPlatform, withDefaultTag, type Descriptor, type ImageConfig, type ImageManifest, type Reference,
} from '../oci/index.js';
import type { ImageService, LayerInfo } from './image-service.js';
import type { ArchiveContents, ArchiveFile } from './image-archive-reader.js';
import {
  ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, INDEX_FILE, MANIFEST_FILE, blobEntryName, digestOfBlobEntry, parseManifestFile,
} from './image-archive-format.js';

/** An image found in an archive, verified and ready to record. */
export interface ArchiveImage {
  /** The config's digest: the image ID. */
  id: Digest;
  config: ImageConfig;
  rawConfig: Buffer;
  layers: LayerInfo[];
  /** Normalised tagged references to give it. */
  names: Reference[];
}

/** Configs and manifests are read whole; real ones are a few KiB. */
const MAX_DOCUMENT_BYTES = 16 << 20;
/** Indexes within indexes are followed this deep (an image index of platforms is one level). */
const MAX_INDEX_DEPTH = 4;

/**
 * The images an archive holds, every blob checked. `manifest.json` is read when present (a
 * docker-archive, old or new layout); otherwise `index.json` (a plain OCI layout), picking
 * this host's platform from image indexes and naming images from their annotations. Any
 * layer whose content does not match its digest or diffID fails the whole load.
 */
export async function resolveArchiveImages(service: ImageService, contents: ArchiveContents): Promise<ArchiveImage[]> {
  const resolver = new Resolver(service, contents);
  const manifestFile = contents.metadata.get(MANIFEST_FILE);
  const indexFile = contents.metadata.get(INDEX_FILE);
  if (manifestFile) await resolver.fromManifestFile(manifestFile);
  else if (indexFile) await resolver.fromIndex(indexFile);
  else throw new InvalidArgumentError(`invalid archive: does not contain a ${MANIFEST_FILE} or an ${INDEX_FILE}`);
  // Blobs nothing referenced are still named by digest: a mismatch means a damaged archive.
  for (const file of contents.files.values()) verifyBlobName(file);
  return resolver.images();
}

class Resolver {
  private readonly found = new Map<Digest, ArchiveImage>();

  constructor(private readonly service: ImageService, private readonly contents: ArchiveContents) {}

  images(): ArchiveImage[] {
    return [...this.found.values()];
  }

  /** moby's Load: one image per manifest.json item, tagged with its RepoTags. */
  async fromManifestFile(bytes: Buffer): Promise<void> {
    for (const item of parseManifestFile(bytes)) {
      const names = (item.RepoTags ?? []).map(tagReference);
      const label = names[0]?.familiarString() ?? item.Config;
      const configFile = this.file(item.Config, `config of ${label}`);
      verifyBlobName(configFile, `config of ${label}`);
      const { config, raw } = await this.readConfig(configFile, label);
      const diffIds = config.rootfs.diff_ids;
      if (item.Layers.length !== diffIds.length) {
        throw new InvalidArgumentError(`invalid manifest, layers length mismatch: expected ${item.Layers.length}, got ${diffIds.length}`);
      }
      const layers = item.Layers.map((path, i) => {
        const what = `layer ${i + 1} of ${label}`;
        const file = this.file(path, what);
        verifyBlobName(file, what);
        return checkedLayer(file, diffIds[i]!, what);
      });
      this.add(configFile.stored, config, raw, layers, names);
    }
  }

  /** A plain OCI layout: each index.json descriptor is an image, or an index to pick from. */
  async fromIndex(bytes: Buffer): Promise<void> {
    const index = parseImageIndexJson(bytes);
    for (const descriptor of index.manifests) {
      const name = annotatedName(descriptor.annotations);
      const label = name?.familiarString() ?? descriptor.digest;
      const manifest = await this.pickManifest(descriptor, label, 0);
      if (manifest) await this.fromManifest(manifest, label, name ? [name] : []);
    }
  }

  private async pickManifest(descriptor: Descriptor, label: string, depth: number): Promise<ImageManifest | undefined> {
    const file = this.blob(descriptor, `manifest of ${label}`);
    const doc = parseManifestDocument(await this.readDocument(file, `manifest of ${label}`), descriptor.mediaType);
    if (doc.kind === 'manifest') return doc.manifest;
    if (depth >= MAX_INDEX_DEPTH) throw new InvalidArgumentError(`invalid archive: image indexes of ${label} nest too deep`);
    const wanted = currentPlatform();
    const best = pickBestPlatform(doc.index.manifests, (d) => d.platform, wanted);
    if (!best) throw new InvalidArgumentError(`invalid archive: ${label} has no image for ${wanted.os}/${wanted.architecture}`);
    return this.pickManifest(best, label, depth + 1);
  }

  private async fromManifest(manifest: ImageManifest, label: string, names: Reference[]): Promise<void> {
    // Artifacts (attestations, signatures) share the manifest shape but carry no image.
    if (!isImageConfigType(manifest.config.mediaType)) return;
    const configFile = this.blob(manifest.config, `config of ${label}`);
    const { config, raw } = await this.readConfig(configFile, label);
    const diffIds = config.rootfs.diff_ids;
    if (manifest.layers.length !== diffIds.length) {
      throw new InvalidArgumentError(`invalid manifest of ${label}: ${manifest.layers.length} layers, but its config lists ${diffIds.length} diffIDs`);
    }
    const layers = manifest.layers.map((descriptor, i) => {
      const what = `layer ${i + 1} of ${label}`;
      return checkedLayer(this.blob(descriptor, what), diffIds[i]!, what);
    });
    this.add(configFile.stored, config, raw, layers, names);
  }

  private add(id: Digest, config: ImageConfig, rawConfig: Buffer, layers: LayerInfo[], names: Reference[]): void {
    const existing = this.found.get(id);
    if (!existing) {
      this.found.set(id, { id, config, rawConfig, layers, names: [...names] });
      return;
    }
    for (const name of names) if (!existing.names.some((n) => n.equals(name))) existing.names.push(name);
  }

  /** The archive file a manifest.json path names; InvalidArgumentError when absent. */
  private file(path: string, what: string): ArchiveFile {
    const file = this.contents.lookup(path);
    if (!file) throw new InvalidArgumentError(`invalid archive: ${what} is missing (no file ${JSON.stringify(path)})`);
    return file;
  }

  /** The blob a descriptor names, its digest and size checked. */
  private blob(descriptor: Descriptor, what: string): ArchiveFile {
    const file = this.file(blobEntryName(descriptor.digest), what);
    verifyBlobName(file, what);
    if (file.rawDigest !== descriptor.digest || file.rawSize !== descriptor.size) {
      throw new DataCorruptError(`${what} (${file.name}) is corrupt: expected ${descriptor.size} bytes with digest ${descriptor.digest}, the archive holds ${file.rawSize} bytes with digest ${file.rawDigest}`);
    }
    return file;
  }

  private async readConfig(file: ArchiveFile, label: string): Promise<{ config: ImageConfig; raw: Buffer }> {
    const raw = await this.readDocument(file, `config of ${label}`);
    const config = parseImageConfigJson(raw);
    if (config.os !== 'linux') throw new InvalidArgumentError(`cannot load ${config.os} image ${label} on linux`);
    return { config, raw };
  }

  private async readDocument(file: ArchiveFile, what: string): Promise<Buffer> {
    if (file.stored !== file.rawDigest) throw new InvalidArgumentError(`invalid archive: ${what} (${file.name}) is compressed`);
    if (file.storedSize > MAX_DOCUMENT_BYTES) throw new InvalidArgumentError(`invalid archive: ${what} (${file.name}) is ${file.storedSize} bytes; the limit is ${MAX_DOCUMENT_BYTES}`);
    return this.service.content.readBytes(file.stored);
  }
}

/** A file stored under `blobs/sha256/<hex>` must have that digest; `what` says what it is to the image. */
function verifyBlobName(file: ArchiveFile, what?: string): void {
  const named = digestOfBlobEntry(file.name);
  if (named !== undefined && named !== file.rawDigest) {
    const subject = what ? `${what} (${file.name})` : file.name;
    throw new DataCorruptError(`${subject} is corrupt: its content has digest ${file.rawDigest} (a damaged or truncated archive)`);
  }
}

/** The layer as stored (uncompressed) must be the diffID its image's config lists. */
function checkedLayer(file: ArchiveFile, diffId: Digest, what: string): LayerInfo {
  if (file.stored !== diffId) {
    throw new DataCorruptError(`${what} (${file.name}) is corrupt: its content has digest ${file.stored}, not the diffID ${diffId} its image's config lists`);
  }
  return { diffId, size: file.storedSize };
}

/** A RepoTags entry: a familiar name with a tag (moby refuses anything else). */
function tagReference(repoTag: string): Reference {
  const ref = parseNormalizedNamed(repoTag);
  if (ref.tag === undefined || ref.digest !== undefined) throw new InvalidArgumentError(`invalid tag "${repoTag}"`);
  return ref;
}

/**
 * The name an index.json descriptor gives its image: containerd's full image name, else the
 * OCI ref name when it is a whole reference. A bare tag (`latest`, which Docker writes there)
 * names no repository, and a digest-only reference cannot be a tag: both load untagged.
 */
function annotatedName(annotations: Record<string, string> | undefined): Reference | undefined {
  const refName = annotations?.[ANNOTATION_REF_NAME];
  const candidates = [annotations?.[ANNOTATION_IMAGE_NAME], refName && /[/:]/.test(refName) ? refName : undefined];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const ref = parseNormalizedNamed(candidate);
      if (ref.digest === undefined) return withDefaultTag(ref);
      if (ref.tag !== undefined) return ref.nameOnly().withTag(ref.tag);
    } catch {
      // Not a reference: try the next annotation, else load untagged.
    }
  }
  return undefined;
}
