import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Digest, NotFoundError, ConflictError, InvalidArgumentError,
} from '../base/index.js';
import {
  MediaType, chainIds, currentPlatform, parseAnyReference, parseDockerRef, parseNormalizedNamed, withDefaultTag,
  parseImageConfigJson, parseImageManifestJson, isImageIdHex,
  type ImageConfig, type ExecutionConfig, type ImageManifest, type Descriptor, type Reference, type HistoryEntry,
} from '../oci/index.js';
import { decompressIfNeeded, packLayer } from '../archive/index.js';
import { mountAt, unmountIfMounted, MNT_DETACH } from '../host/index.js';
import type { ContentStore, BlobInfo } from '../content/index.js';
import type { Snapshotter } from '../snapshots/index.js';
import { ImageStore, type ImageRecord } from './image-store.js';
import { LayerUnpacker } from './layer-unpacker.js';
import { Leases, type Lease } from './leases.js';
import { collectGarbage, type GcResult } from './garbage-collector.js';

/** Who uses an image besides its names: containers, told by the containers module. */
export interface ImageUser {
  containerId: string;
  running: boolean;
}
export type ImageUsersLookup = (imageId: Digest) => ImageUser[];

/** One layer of an image as the service hands it around. */
export interface LayerInfo {
  diffId: Digest;
  /** Size of the stored (uncompressed) layer blob. */
  size: number;
}

export interface NewImage {
  config: ImageConfig;
  /**
   * The config's exact bytes, when it came from elsewhere (a loaded archive): they are its
   * ID, so they are stored as they are rather than re-serialised from `config`.
   */
  rawConfig?: Uint8Array;
  layers: LayerInfo[];
  parent?: Digest;
  /** Name to give the image (normalised, `:latest` added when no tag). */
  reference?: string;
}

export interface ImportOptions {
  reference?: string;
  /** History comment; Docker's default is "Imported from -" for an upload. */
  message?: string;
  /** Config fields from `--change` instructions, already evaluated by the caller. */
  config?: ExecutionConfig;
}

export interface DeriveOptions {
  createdBy?: string;
  comment?: string;
  author?: string;
  /** Config fields for the new image, over the base image's (or instead of them, with replaceConfig). */
  config?: ExecutionConfig;
  replaceConfig?: boolean;
  reference?: string;
}

export type RemoveResult = { Untagged: string } | { Deleted: string };

/**
 * The image operations of the engine core: import and create, name, list, inspect, history,
 * remove with garbage collection of what no image, container or build uses any more.
 */
export class ImageService {
  readonly leases = new Leases();
  private readonly unpacker: LayerUnpacker;
  private readonly configCache = new Map<Digest, ImageConfig>();
  private usersOf: ImageUsersLookup = () => [];

  constructor(
    readonly content: ContentStore,
    readonly snapshotter: Snapshotter,
    readonly store: ImageStore,
  ) {
    this.unpacker = new LayerUnpacker(snapshotter);
  }

  /** The containers module tells the service which containers use an image. */
  setUsersLookup(lookup: ImageUsersLookup): void {
    this.usersOf = lookup;
  }

  // ---- resolving -------------------------------------------------------------------------

  /**
   * Finds an image by name (familiar or full; `:latest` implied), full ID or unique ID prefix,
   * in Docker's order: a name first, then an ID prefix.
   */
  resolve(nameOrId: string): ImageRecord {
    const found = this.tryResolve(nameOrId);
    if (!found) throw new NotFoundError(`No such image: ${displayName(nameOrId)}`);
    return found;
  }

  tryResolve(nameOrId: string): ImageRecord | undefined {
    let parsed;
    try {
      parsed = parseAnyReference(nameOrId);
    } catch (err) {
      // Not a valid name; it may still be an ID prefix such as "sha256:ab12".
      const id = this.store.resolveIdPrefix(nameOrId);
      if (id) return this.store.get(id);
      throw err;
    }
    if (parsed.kind === 'id') return this.store.has(parsed.id) ? this.store.get(parsed.id) : undefined;
    const byName = this.store.lookupName(withDefaultTag(parsed.ref).toString());
    if (byName) return this.store.get(byName);
    const id = this.store.resolveIdPrefix(nameOrId);
    return id ? this.store.get(id) : undefined;
  }

  async config(id: Digest): Promise<ImageConfig> {
    let config = this.configCache.get(id);
    if (!config) {
      config = parseImageConfigJson(await this.content.readBytes(id));
      this.configCache.set(id, config);
    }
    return config;
  }

  async manifest(record: ImageRecord): Promise<ImageManifest> {
    return parseImageManifestJson(await this.content.readBytes(record.manifestDigest));
  }

  /** The chainIDs of an image's layers, bottom first: the snapshots a container stacks on. */
  async chainIds(id: Digest): Promise<Digest[]> {
    return chainIds((await this.config(id)).rootfs.diff_ids);
  }

  // ---- creating --------------------------------------------------------------------------

  /**
   * Stores a layer tar (plain or gzipped) as an uncompressed blob, whose digest is the
   * layer's diffID. The lease keeps the blob from collection until the image is recorded.
   */
  async ingestLayer(tar: Readable, lease: Lease): Promise<LayerInfo> {
    const ref = `layer-${randomBytes(8).toString('hex')}`;
    const plain = decompressIfNeeded(tar);
    const endIngest = this.leases.beginIngest();
    try {
      const info: BlobInfo = await this.content.ingest(ref, plain);
      lease.addBlobs(info.digest);
      return { diffId: info.digest, size: info.size };
    } catch (err) {
      // The ref is random, so nobody can resume this ingest: drop its partial data now
      // (an upload cut off by the client) instead of leaving it until the next start-up.
      await this.content.abortIngest(ref).catch(() => {});
      throw err;
    } finally {
      endIngest();
    }
  }

  /** Unpacks the image's layers (those not unpacked yet) into the snapshotter. */
  async unpack(id: Digest, lease?: Lease): Promise<Digest[]> {
    const config = await this.config(id);
    return this.unpacker.unpack(config.rootfs.diff_ids, (diffId) => this.content.read(diffId), lease);
  }

  /** `docker import`: a rootfs tarball becomes a one-layer image. */
  async importRootfs(tar: Readable, options: ImportOptions = {}): Promise<Digest> {
    const reference = options.reference ? normaliseTagTarget(options.reference) : undefined;
    return this.leases.with({}, async (lease) => {
      const layer = await this.ingestLayer(tar, lease);
      const created = new Date().toISOString();
      const message = options.message ?? 'Imported from -';
      const platform = currentPlatform();
      const config: ImageConfig = {
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        created,
        comment: message,
        config: options.config ?? {},
        rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        history: [{ created, comment: message }],
      };
      return this.createImage({ config, layers: [layer], reference: reference?.toString() }, lease);
    });
  }

  /**
   * A new image: `base` plus one layer read from `tar`, with a history entry and config
   * changes. The shape of `docker commit` and of a build step, for callers that have a tar.
   */
  async appendLayer(base: Digest, tar: Readable, options: DeriveOptions = {}): Promise<Digest> {
    return this.derive(base, tar, options);
  }

  /** A new image: `base` with changed config and a history entry, and no new layer. */
  async appendEmptyLayer(base: Digest, options: DeriveOptions = {}): Promise<Digest> {
    return this.derive(base, undefined, options);
  }

  private async derive(base: Digest, tar: Readable | undefined, options: DeriveOptions): Promise<Digest> {
    const reference = options.reference ? normaliseTagTarget(options.reference) : undefined;
    return this.leases.with({ blobs: [base] }, async (lease) => {
      const baseConfig = await this.config(base);
      const layer = tar ? await this.ingestLayer(tar, lease) : undefined;
      const created = new Date().toISOString();
      const history: HistoryEntry = { created, created_by: options.createdBy ?? '' };
      if (options.comment) history.comment = options.comment;
      if (options.author) history.author = options.author;
      if (!layer) history.empty_layer = true;
      const config: ImageConfig = {
        ...baseConfig,
        created,
        // The new image's comment is its own (`commit -m`), never the parent's.
        comment: options.comment ?? '',
        ...(options.author ? { author: options.author } : {}),
        config: options.replaceConfig ? (options.config ?? {}) : { ...(baseConfig.config ?? {}), ...(options.config ?? {}) },
        rootfs: { type: 'layers', diff_ids: layer ? [...baseConfig.rootfs.diff_ids, layer.diffId] : [...baseConfig.rootfs.diff_ids] },
        history: [...historyFor(baseConfig), history],
      };
      const baseManifest = await this.manifest(this.store.get(base));
      const layers = baseManifest.layers.map((d) => ({ diffId: d.digest, size: d.size }));
      if (layer) layers.push(layer);
      return this.createImage({ config, layers, parent: base, reference: reference?.toString() }, lease);
    });
  }

  /**
   * Writes config and manifest, unpacks the layers, records the image and names it. The
   * record is written last: until then nothing names the new blobs, and a crash leaves only
   * orphans for the collector.
   */
  async createImage(image: NewImage, lease: Lease): Promise<Digest> {
    const reference = image.reference ? normaliseTagTarget(image.reference) : undefined;
    const configBytes = image.rawConfig ? Buffer.from(image.rawConfig) : Buffer.from(JSON.stringify(image.config));
    const configInfo = await this.content.writeBlob(configBytes);
    lease.addBlobs(configInfo.digest);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: configInfo.digest, size: configInfo.size },
      layers: image.layers.map((l): Descriptor => ({ mediaType: MediaType.ociLayer, digest: l.diffId, size: l.size })),
    };
    const manifestInfo = await this.content.writeBlob(Buffer.from(JSON.stringify(manifest)));
    lease.addBlobs(manifestInfo.digest);
    const id = configInfo.digest;
    this.configCache.set(id, image.config);
    await this.unpack(id, lease);
    await this.store.mutate(async () => {
      if (!this.store.has(id)) {
        const record: ImageRecord = { id, manifestDigest: manifestInfo.digest, addedAt: new Date().toISOString() };
        if (image.parent) record.parent = image.parent;
        await this.store.put(record);
      }
      if (reference) await this.store.setName(reference.toString(), id);
    });
    return id;
  }

  // ---- naming ----------------------------------------------------------------------------

  /** `docker tag SOURCE TARGET`. */
  async tag(source: string, target: string): Promise<void> {
    const record = this.resolve(source);
    const ref = normaliseTagTarget(target);
    await this.store.mutate(() => this.store.setName(ref.toString(), record.id));
  }

  // ---- removing --------------------------------------------------------------------------

  /**
   * `docker rmi`, following Docker's rules: given a name, that name is untagged, and the image
   * is deleted only when no other name is left; given an ID, an image with names in more than
   * one repository needs force. Children (images built on it) and running containers are
   * hard conflicts; other names and stopped containers are soft ones that force overrides.
   * Deleting an image prunes its unnamed, unused parents and collects layers nobody uses.
   */
  async remove(nameOrId: string, options: { force?: boolean; prune?: boolean } = {}): Promise<RemoveResult[]> {
    const force = options.force ?? false;
    const prune = options.prune ?? true;
    const records: RemoveResult[] = [];
    await this.store.mutate(async () => {
      const id = this.resolve(nameOrId).id;
      const name = this.namedReference(nameOrId, id);
      if (name) {
        const user = this.usersOf(id)[0];
        if (!force && isSingleRepository(this.store.namesOf(id).map((n) => n.name)) && user) {
          throw new ConflictError(`conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${shortHex(user.containerId)} is using its referenced image ${shortHex(id)}`);
        }
        await this.store.removeName(name);
        records.push({ Untagged: familiar(name) });
        if (this.store.namesOf(id).length > 0) return;
      } else if (isSingleRepository(this.store.namesOf(id).map((n) => n.name))) {
        const conflict = this.deleteConflict(id, force ? HARD : HARD | STOPPED);
        if (conflict) throw conflict;
        for (const { name: n } of this.store.namesOf(id)) {
          await this.store.removeName(n);
          records.push({ Untagged: familiar(n) });
        }
      }
      await this.deleteImage(id, force, prune, name !== undefined, records);
    });
    return records;
  }

  private async deleteImage(id: Digest, force: boolean, prune: boolean, quiet: boolean, records: RemoveResult[]): Promise<void> {
    const conflict = this.deleteConflict(id, force ? HARD : HARD | SOFT);
    if (conflict) {
      // Quiet (after an untag, or pruning parents): a conflict just ends the deletion, unless
      // it would leave an image nobody names, uses or builds on.
      if (quiet && (!this.isDangling(id) || conflict.used)) return;
      throw conflict;
    }
    const parent = this.store.get(id).parent;
    const chain = await this.chainIds(id);
    for (const { name } of this.store.namesOf(id)) {
      await this.store.removeName(name);
      records.push({ Untagged: familiar(name) });
    }
    await this.store.delete(id);
    this.configCache.delete(id);
    records.push({ Deleted: id });
    const removed = await this.collectGarbageLocked();
    for (const chainId of [...chain].reverse()) if (removed.snapshots.includes(chainId)) records.push({ Deleted: chainId });
    if (prune && parent && this.store.has(parent)) await this.deleteImage(parent, false, true, true, records);
  }

  private isDangling(id: Digest): boolean {
    return this.store.namesOf(id).length === 0 && !this.store.list().some((r) => r.parent === id);
  }

  private deleteConflict(id: Digest, mask: number): (ConflictError & { used?: boolean }) | undefined {
    const fail = (hard: boolean, message: string, used = false) =>
      Object.assign(new ConflictError(`conflict: unable to delete ${shortHex(id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${message}`), { used });
    if (mask & CHILD && this.store.list().some((r) => r.parent === id)) return fail(true, 'image has dependent child images');
    const users = this.usersOf(id);
    const running = users.find((u) => u.running);
    if (mask & RUNNING && running) return fail(true, `image is being used by running container ${shortHex(running.containerId)}`, true);
    if (mask & NAMED && this.store.namesOf(id).length > 0) return fail(false, 'image is referenced in multiple repositories');
    const stopped = users.find((u) => !u.running);
    if (mask & STOPPED && stopped) return fail(false, `image is being used by stopped container ${shortHex(stopped.containerId)}`, true);
    return undefined;
  }

  /** The normalised name `nameOrId` refers to `id` by, or undefined when it is an ID. */
  private namedReference(nameOrId: string, id: Digest): string | undefined {
    try {
      const parsed = parseAnyReference(nameOrId);
      if (parsed.kind === 'id') return undefined;
      const name = withDefaultTag(parsed.ref).toString();
      return this.store.lookupName(name) === id ? name : undefined;
    } catch {
      return undefined;
    }
  }

  /** Removes snapshots and blobs that no image, container, build or operation uses. */
  async collectGarbage(): Promise<GcResult> {
    return this.store.mutate(() => this.collectGarbageLocked());
  }

  private async collectGarbageLocked(): Promise<GcResult> {
    const images = await Promise.all(this.store.list().map(async (record) => ({
      chain: await this.chainIds(record.id),
      blobs: await this.blobsOf(record),
    })));
    return collectGarbage({ images, content: this.content, snapshotter: this.snapshotter, leases: this.leases });
  }

  /** Every blob an image needs: manifest, config, layers. */
  private async blobsOf(record: ImageRecord): Promise<Digest[]> {
    const manifest = await this.manifest(record);
    return [record.manifestDigest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  }

  // ---- exporting -------------------------------------------------------------------------

  /**
   * The image's whole file system as one deterministic tar (what `docker export` gives for a
   * fresh container of it): a read-only view of its top layer is mounted under `scratchDir`,
   * packed, and unmounted when the stream ends or fails.
   */
  async exportRootfs(nameOrId: string, scratchDir: string): Promise<Readable> {
    const record = this.resolve(nameOrId);
    const chain = await this.unpack(record.id);
    const top = chain[chain.length - 1];
    const key = `export-${randomBytes(8).toString('hex')}`;
    const target = join(scratchDir, key);
    await mkdir(target, { recursive: true });
    const release = async () => {
      unmountIfMounted(target, MNT_DETACH);
      await rm(target, { recursive: true, force: true });
      await this.snapshotter.remove(key).catch(() => {});
    };
    try {
      const mounts = await this.snapshotter.view(key, top);
      for (const m of mounts) mountAt(m, target);
    } catch (err) {
      await release();
      throw err;
    }
    const tar = packLayer(target, { whiteouts: 'none' });
    let released = false;
    const releaseOnce = () => {
      if (released) return;
      released = true;
      void release();
    };
    tar.once('end', releaseOnce);
    tar.once('close', releaseOnce);
    tar.once('error', releaseOnce);
    return tar;
  }
}

// Conflict kinds for image deletion, as Docker distinguishes them.
const CHILD = 1;
const RUNNING = 2;
const NAMED = 4;
const STOPPED = 8;
const HARD = CHILD | RUNNING;
const SOFT = NAMED | STOPPED;

/** True when every name is in one repository and there is at most one tag. */
function isSingleRepository(names: string[]): boolean {
  if (names.length === 0) return true;
  const repos = new Set(names.map((n) => parseNormalizedNamed(n).name));
  const tags = names.filter((n) => parseNormalizedNamed(n).tag !== undefined);
  return repos.size === 1 && tags.length <= 1;
}

function historyFor(config: ImageConfig): HistoryEntry[] {
  return config.history ?? [];
}

/** A tag target: must be a name, not an ID; `:latest` added when no tag was given. */
export function normaliseTagTarget(target: string): Reference {
  if (isImageIdHex(target)) {
    throw new InvalidArgumentError(`invalid repository name (${target}), cannot specify 64-byte hexadecimal strings`);
  }
  const ref = parseNormalizedNamed(target);
  if (ref.digest) throw new InvalidArgumentError(`refusing to create a tag with a digest reference`);
  return withDefaultTag(ref);
}

function displayName(nameOrId: string): string {
  try {
    const parsed = parseAnyReference(nameOrId);
    if (parsed.kind === 'named') return parseDockerRef(nameOrId).familiarString();
  } catch { /* shown as given */ }
  return nameOrId;
}

function familiar(name: string): string {
  return parseNormalizedNamed(name).familiarString();
}

function shortHex(id: string): string {
  return (id.startsWith('sha256:') ? id.slice(7) : id).slice(0, 12);
}
