import { stat } from 'node:fs/promises';
import type { Digest } from '../base/index.js';
import type { ContentStore } from '../content/index.js';
import type { Snapshotter, SnapshotInfo } from '../snapshots/index.js';
import type { Leases } from './leases.js';

export interface GcInput {
  /** Per image: its layer chainIDs and every blob it needs. */
  images: { chain: readonly Digest[]; blobs: readonly Digest[] }[];
  content: ContentStore;
  snapshotter: Snapshotter;
  leases: Leases;
}

export interface GcResult {
  snapshots: string[];
  blobs: Digest[];
}

/**
 * Mark and sweep over what the records say is in use — never over counters. Roots: every
 * image's layer chain and blobs, every active snapshot or view (a container's or a build
 * step's writable layer keeps its parents), and whatever operations in flight hold leases on.
 * Unreachable committed snapshots are removed children first; unreachable blobs after.
 */
export async function collectGarbage(input: GcInput): Promise<GcResult> {
  const { snapshotter, content, leases } = input;
  const all = new Map<string, SnapshotInfo>();
  for await (const info of snapshotter.walk()) all.set(info.name, info);

  const keep = new Set<string>();
  const mark = (name: string | undefined) => {
    while (name && !keep.has(name)) {
      keep.add(name);
      name = all.get(name)?.parent;
    }
  };
  for (const image of input.images) for (const chainId of image.chain) mark(chainId);
  for (const info of all.values()) if (info.kind !== 'committed' || leases.hasSnapshot(info.name)) mark(info.name);

  const removedSnapshots: string[] = [];
  let candidates = [...all.values()].filter((info) => !keep.has(info.name));
  while (candidates.length > 0) {
    const parents = new Set(candidates.map((c) => c.parent).filter((p): p is string => p !== undefined));
    const leaves = candidates.filter((c) => !parents.has(c.name));
    if (leaves.length === 0) break; // a cycle cannot happen; refuse to loop forever if it did
    for (const leaf of leaves) {
      await snapshotter.remove(leaf.name);
      removedSnapshots.push(leaf.name);
    }
    const gone = new Set(leaves.map((l) => l.name));
    candidates = candidates.filter((c) => !gone.has(c.name));
  }

  const liveBlobs = new Set<Digest>();
  for (const image of input.images) for (const blob of image.blobs) liveBlobs.add(blob);
  // A blob an ingest in flight just published may not be leased yet: spare anything written
  // since the oldest such ingest began.
  const spareSince = leases.oldestIngestStart();
  const removedBlobs: Digest[] = [];
  for await (const blob of content.list()) {
    if (liveBlobs.has(blob.digest) || leases.hasBlob(blob.digest)) continue;
    if (spareSince !== undefined) {
      const written = (await stat(content.blobPath(blob.digest))).mtimeMs;
      if (written >= spareSince - 1000) continue;
    }
    await content.delete(blob.digest);
    removedBlobs.push(blob.digest);
  }
  return { snapshots: removedSnapshots, blobs: removedBlobs };
}
