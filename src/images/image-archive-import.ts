import type { Readable } from 'node:stream';
import type { Digest } from '../base/index.js';
import type { ImageService } from './image-service.js';
import type { Lease } from './leases.js';
import { readImageArchive, type LayerReadProgress } from './image-archive-reader.js';
import { resolveArchiveImages, type ArchiveImage } from './image-archive-resolve.js';

/** What a load reports as it goes, in Docker's order; the API renders these as JSON lines. */
export type LoadEvent =
  | ({ type: 'layer-progress' } & LayerReadProgress)
  /** A tag moved to the loaded image from `previousId`, which keeps existing, maybe untagged. */
  | { type: 'renamed'; name: string; previousId: Digest }
  | { type: 'loaded'; name: string }
  | { type: 'loaded-id'; id: Digest };

export interface LoadOptions {
  onEvent?: (event: LoadEvent) => void;
  /** Cancels the load (client gone, daemon stopping); nothing is recorded then. */
  signal?: AbortSignal;
}

export interface LoadedImage {
  id: Digest;
  /** Familiar tagged names (`busybox:latest`). */
  names: string[];
}

/**
 * `docker load`: the images of an archive (Docker 25+ layout, the older docker-archive, or a
 * plain OCI layout; gzip or not) enter the store, all or none. The archive is read once, its
 * files streamed into the content store under a lease; then every blob is verified, every
 * layer unpacked, and only when all of that worked are image records and tags written. A
 * failure anywhere (a corrupt or truncated archive, a client that went away) records nothing,
 * and the collection that follows removes what the load had stored.
 *
 * Loaded images get no parent: the classic builder's cache only chains through images built
 * here, and a loaded image must not become a cache source.
 */
export async function loadImages(service: ImageService, input: Readable, options: LoadOptions = {}): Promise<LoadedImage[]> {
  const emit = options.onEvent ?? (() => {});
  const referenced = new Set<Digest>();
  let stored: Digest[] = [];
  let ok = false;
  try {
    const loaded = await service.leases.with({}, async (lease) => {
      const contents = await readImageArchive(service, input, lease, {
        signal: options.signal,
        onProgress: (p) => emit({ type: 'layer-progress', ...p }),
      });
      stored = [...contents.files.values()].map((f) => f.stored);
      const images = await resolveArchiveImages(service, contents);
      for (const image of images) {
        options.signal?.throwIfAborted();
        await service.unpack(image.id, lease);
      }
      options.signal?.throwIfAborted();
      for (const digest of await recordImages(service, images, lease)) referenced.add(digest);
      return nameImages(service, images, emit);
    });
    ok = true;
    return loaded;
  } finally {
    // After a failure, whatever was stored goes; after success, only what no image uses
    // (an archive's own manifests, say) — and collection runs only when there is some.
    if (!ok || stored.some((d) => !referenced.has(d))) await service.collectGarbage().catch(() => {});
  }
}

/**
 * Writes the image records (no parent, no name yet); returns every blob they use. Only a
 * store write can fail here; the records written so far are then taken back, so the load
 * stays all or nothing.
 */
async function recordImages(service: ImageService, images: ArchiveImage[], lease: Lease): Promise<Digest[]> {
  const used: Digest[] = [];
  const created: Digest[] = [];
  try {
    for (const image of images) {
      if (!service.store.has(image.id)) created.push(image.id);
      await service.createImage({ config: image.config, rawConfig: image.rawConfig, layers: image.layers }, lease);
      used.push(image.id, service.store.get(image.id).manifestDigest, ...image.layers.map((l) => l.diffId));
    }
  } catch (err) {
    await service.store.mutate(async () => { for (const id of created) if (service.store.has(id)) await service.store.delete(id); }).catch(() => {});
    throw err;
  }
  return used;
}

/** Tags in one mutation, reporting as moby's setLoadedTag does when a tag moves. */
async function nameImages(service: ImageService, images: ArchiveImage[], emit: (event: LoadEvent) => void): Promise<LoadedImage[]> {
  return service.store.mutate(async () => {
    const out: LoadedImage[] = [];
    for (const image of images) {
      const names: string[] = [];
      for (const ref of image.names) {
        const key = ref.toString();
        const previousId = service.store.lookupName(key);
        if (previousId !== undefined && previousId !== image.id) emit({ type: 'renamed', name: ref.familiarString(), previousId });
        await service.store.setName(key, image.id);
        names.push(ref.familiarString());
        emit({ type: 'loaded', name: ref.familiarString() });
      }
      if (names.length === 0) emit({ type: 'loaded-id', id: image.id });
      out.push({ id: image.id, names });
    }
    return out;
  });
}
