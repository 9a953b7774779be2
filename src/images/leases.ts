import type { Digest } from '../base/index.js';

/**
 * What operations in flight are using right now, so garbage collection leaves it alone: a
 * blob ingested for an image whose record is not written yet, a snapshot being unpacked.
 * This is live state of running operations, not a persisted counter: after a crash there
 * are no operations, and whatever they left unreferenced is collected.
 */
export class Leases {
  private readonly blobs = new Map<Digest, number>();
  private readonly snapshots = new Map<string, number>();

  /** Runs `work` with the given blobs and snapshots protected from collection. */
  async with<T>(items: { blobs?: Digest[]; snapshots?: string[] }, work: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = new Lease(this);
    lease.addBlobs(...(items.blobs ?? []));
    lease.addSnapshots(...(items.snapshots ?? []));
    try {
      return await work(lease);
    } finally {
      lease.release();
    }
  }

  private readonly ingestStarts = new Set<{ at: number }>();

  /**
   * Marks an ingest whose digest is not known until it ends; returns the function that ends
   * the mark. See `oldestIngestStart`.
   */
  beginIngest(): () => void {
    const token = { at: Date.now() };
    this.ingestStarts.add(token);
    return () => { this.ingestStarts.delete(token); };
  }

  /** When the oldest ingest in flight began (ms since the epoch), if any is in flight. */
  oldestIngestStart(): number | undefined {
    let oldest: number | undefined;
    for (const { at } of this.ingestStarts) if (oldest === undefined || at < oldest) oldest = at;
    return oldest;
  }

  hasBlob(digest: Digest): boolean {
    return this.blobs.has(digest);
  }

  hasSnapshot(name: string): boolean {
    return this.snapshots.has(name);
  }

  /** @internal */
  adjust<K>(map: 'blobs' | 'snapshots', key: K, delta: number): void {
    const m = this[map] as unknown as Map<K, number>;
    const next = (m.get(key) ?? 0) + delta;
    if (next <= 0) m.delete(key);
    else m.set(key, next);
  }
}

export class Lease {
  private readonly heldBlobs: Digest[] = [];
  private readonly heldSnapshots: string[] = [];
  constructor(private readonly owner: Leases) {}

  addBlobs(...digests: Digest[]): void {
    for (const d of digests) {
      this.owner.adjust('blobs', d, 1);
      this.heldBlobs.push(d);
    }
  }

  addSnapshots(...names: string[]): void {
    for (const n of names) {
      this.owner.adjust('snapshots', n, 1);
      this.heldSnapshots.push(n);
    }
  }

  release(): void {
    for (const d of this.heldBlobs.splice(0)) this.owner.adjust('blobs', d, -1);
    for (const n of this.heldSnapshots.splice(0)) this.owner.adjust('snapshots', n, -1);
  }
}
