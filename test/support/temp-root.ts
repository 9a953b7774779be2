import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountsUnder, unmountIfMounted, MNT_DETACH } from '../../src/host/index.js';

/**
 * A private temp directory for one test, removed with everything mounted under it at the
 * end, even when the test failed.
 */
export async function makeTempRoot(prefix = 'strata-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    cleanup: async () => {
      for (const point of await mountsUnder(dir)) unmountIfMounted(point, MNT_DETACH);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A canary outside a test's root: tests that feed hostile input check afterwards that it is
 * untouched and that nothing new appeared beside it.
 */
export async function plantCanary(dir: string): Promise<{ path: string; check: () => Promise<boolean> }> {
  const path = join(dir, 'canary.txt');
  const content = `canary ${Math.random()}`;
  await writeFile(path, content);
  return { path, check: async () => (await readFile(path, 'utf8')) === content };
}
