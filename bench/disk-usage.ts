import { mustRun } from './process.js';

/**
 * Bytes allocated on disk under `path` (`du -s -x -B1`): blocks, not apparent sizes, because
 * a 1-byte file costs a block; -x stays off the overlay mounts inside engine roots, which would
 * otherwise count every image file again through each container's merged view.
 */
export async function diskBytes(path: string): Promise<number> {
  const result = await mustRun(['du', '-s', '-x', '-B1', path], { timeoutMs: 300_000 });
  return Number(result.stdout.split(/\s/)[0]);
}
