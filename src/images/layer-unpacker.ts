import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Digest, KeyedLock, DataCorruptError, isErrorKind } from '../base/index.js';
import { chainIds } from '../oci/index.js';
import { applyLayer } from '../archive/index.js';
import { DIFF_ID_LABEL, type Snapshotter } from '../snapshots/index.js';
import type { Lease } from './leases.js';

/**
 * Makes sure every layer of an image is unpacked as a committed snapshot named by its
 * chainID. A layer already unpacked on the same parents is used as it is; with a driver that
 * shares layers across parents (overlay), a layer already unpacked anywhere is shared
 * instead of unpacked again.
 */
export class LayerUnpacker {
  private readonly lock = new KeyedLock();

  constructor(private readonly snapshotter: Snapshotter) {}

  /**
   * Unpacks `diffIds` bottom-up; `openLayer(diffId)` gives the uncompressed (or gzipped)
   * tar of a layer that needs unpacking. Returns the chainIDs.
   */
  async unpack(diffIds: readonly Digest[], openLayer: (diffId: Digest) => Readable, lease?: Lease): Promise<Digest[]> {
    const chain = chainIds(diffIds);
    for (let i = 0; i < chain.length; i++) {
      const chainId = chain[i]!;
      const parent = i > 0 ? chain[i - 1] : undefined;
      lease?.addSnapshots(chainId);
      await this.lock.run(chainId, () => this.unpackOne(chainId, parent, diffIds[i]!, openLayer));
    }
    return chain;
  }

  private async unpackOne(chainId: Digest, parent: Digest | undefined, diffId: Digest, openLayer: (diffId: Digest) => Readable): Promise<void> {
    if (await this.exists(chainId)) return;
    if (await this.snapshotter.reuseLayer(chainId, parent, diffId)) return;
    const key = `extract-${randomBytes(8).toString('hex')} ${chainId}`;
    await this.snapshotter.prepare(key, parent, { labels: { [DIFF_ID_LABEL]: diffId } });
    try {
      const target = await this.snapshotter.layerDir(key);
      const applied = await applyLayer(openLayer(diffId), target.dir, { whiteouts: target.whiteouts });
      if (applied.digest !== diffId) {
        throw new DataCorruptError(`layer content does not match its diffID: expected ${diffId}, got ${applied.digest}`);
      }
      await this.snapshotter.commit(chainId, key, { labels: { [DIFF_ID_LABEL]: diffId } });
    } catch (err) {
      await this.snapshotter.remove(key).catch(() => {});
      throw err;
    }
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.snapshotter.stat(name);
      return true;
    } catch (err) {
      if (isErrorKind(err, 'not-found')) return false;
      throw err;
    }
  }
}
