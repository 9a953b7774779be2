import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, isErrorKind, UnavailableError, type Digest } from '../base/index.js';
import { packLayer } from '../archive/index.js';
import { mountAt, unmountIfMounted } from '../host/index.js';
import type { ImageService, Lease, LayerInfo } from '../images/index.js';
import { childChainId } from '../oci/index.js';
import { DIFF_ID_LABEL } from '../snapshots/index.js';

/** What committing a step gave: a new layer, or nothing when the step changed no file. */
export type StepCommit = { layer: LayerInfo; chainId: Digest } | undefined;

/**
 * The writable root file system of one build step: an active snapshot on the parent's
 * layers, mounted under the scratch dir. RUN runs in it, COPY writes into it; `commit` turns
 * its overlay upper dir into the step's layer without copying a file (the upper dir is
 * packed into the content store and the snapshot itself becomes the committed layer), and
 * `discard` drops it. Exactly one of the two must be called.
 */
export class StepRootfs {
  private mounted = false;

  private constructor(
    private readonly images: ImageService,
    readonly key: string,
    readonly parentChain: Digest | undefined,
    /** The mounted root, as the step sees `/`. */
    readonly rootfs: string,
  ) {}

  static async prepare(images: ImageService, parentChain: Digest | undefined, scratchDir: string): Promise<StepRootfs> {
    const key = `build-${randomBytes(12).toString('hex')}`;
    const rootfs = join(scratchDir, key);
    const step = new StepRootfs(images, key, parentChain, rootfs);
    try {
      const mounts = await images.snapshotter.prepare(key, parentChain);
      if ((await images.snapshotter.layerDir(key)).whiteouts !== 'overlay') {
        throw new UnavailableError(`the builder needs the overlay snapshotter (this store uses ${images.snapshotter.driver})`);
      }
      await mkdir(rootfs, { recursive: true, mode: 0o700 });
      for (const mount of mounts) mountAt(mount, rootfs);
      step.mounted = true;
      return step;
    } catch (err) {
      await step.discard();
      throw err;
    }
  }

  private async unmount(): Promise<void> {
    if (this.mounted) unmountIfMounted(this.rootfs);
    this.mounted = false;
    await rm(this.rootfs, { recursive: true, force: true }).catch(() => {});
  }

  /** The directory that holds only this step's changes (the overlay upper dir). */
  async upperDir(): Promise<string> {
    return (await this.images.snapshotter.layerDir(this.key)).dir;
  }

  /**
   * Unmounts, lets `tidy` remove what only the runtime put in the upper dir, then packs the
   * upper dir into the content store (its digest is the diffID) and commits the snapshot as
   * the layer's chainID, or drops it when that layer already exists. The lease keeps the
   * blob and snapshot until the caller's image record names them.
   */
  async commit(lease: Lease, tidy?: (upperDir: string) => Promise<void>): Promise<StepCommit> {
    const snapshotter = this.images.snapshotter;
    try {
      await this.unmount();
      const upper = await this.upperDir();
      if (tidy) await tidy(upper);
      if ((await readdir(upper)).length === 0) {
        await snapshotter.remove(this.key);
        return undefined;
      }
      const layer = await this.images.ingestLayer(packLayer(upper, { whiteouts: 'overlay' }), lease);
      const chainId = childChainId(this.parentChain, layer.diffId);
      lease.addSnapshots(chainId);
      if (await this.exists(chainId)) {
        await snapshotter.remove(this.key);
      } else {
        try {
          await snapshotter.commit(chainId, this.key, { labels: { [DIFF_ID_LABEL]: layer.diffId } });
        } catch (err) {
          // Another build committed the same layer on the same parents first.
          if (!isErrorKind(err, 'already-exists')) throw err;
          await snapshotter.remove(this.key);
        }
      }
      return { layer, chainId };
    } catch (err) {
      await this.discard();
      throw err;
    }
  }

  /** Unmounts and removes the snapshot; safe to call more than once. */
  async discard(): Promise<void> {
    await this.unmount();
    await this.images.snapshotter.remove(this.key).catch((err: unknown) => {
      if (!isErrorKind(err, 'not-found') && errnoCode(err) !== 'ENOENT') throw err;
    });
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.images.snapshotter.stat(name);
      return true;
    } catch (err) {
      if (isErrorKind(err, 'not-found')) return false;
      throw err;
    }
  }
}
