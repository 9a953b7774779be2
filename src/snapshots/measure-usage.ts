import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Usage } from './snapshotter.js';

/** lstat calls in flight at once while measuring one directory. */
const STAT_BATCH = 32;

/**
 * What a tree occupies: `size` is the sum of st_size of every non-directory (hard links
 * counted once), `inodes` the number of distinct inodes including the directories and the
 * root itself. Used at commit (then recorded) and for active snapshots.
 */
export async function measureUsage(root: string): Promise<Usage> {
  const linkedSeen = new Set<string>();
  let size = 0;
  let inodes = 1; // the root directory
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const entries = await readdir(dir, { withFileTypes: true });
    for (let i = 0; i < entries.length; i += STAT_BATCH) {
      const batch = entries.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map((e) => (e.isDirectory() ? undefined : lstat(join(dir, e.name), { bigint: true }))));
      batch.forEach((entry, j) => {
        const st = stats[j];
        if (!st) {
          // Directories cannot be hard linked: each one is its own inode.
          inodes += 1;
          pending.push(join(dir, entry.name));
          return;
        }
        if (st.nlink > 1n) {
          const inode = `${st.dev}:${st.ino}`;
          if (linkedSeen.has(inode)) return;
          linkedSeen.add(inode);
        }
        inodes += 1;
        size += Number(st.size);
      });
    }
  }
  return { size, inodes };
}
