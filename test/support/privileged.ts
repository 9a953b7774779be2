import type { TestContext } from 'node:test';
import { isRoot, kernelHasFilesystem } from '../../src/host/index.js';

/**
 * Root and e2e tests skip with a printed reason when a capability is missing, unless
 * STRATA_TEST_PRIVILEGED=1 (CI sets it): then a missing capability fails the test.
 */
export function skipOrFail(t: TestContext, reason: string): boolean {
  if (process.env.STRATA_TEST_PRIVILEGED === '1') {
    throw new Error(`privileged test cannot run: ${reason}`);
  }
  t.skip(reason);
  return true;
}

/** Returns true when the test should stop because it cannot run here. */
export async function needsRoot(t: TestContext): Promise<boolean> {
  if (!isRoot()) return skipOrFail(t, 'needs root');
  return false;
}

export async function needsOverlay(t: TestContext): Promise<boolean> {
  if (await needsRoot(t)) return true;
  if (!(await kernelHasFilesystem('overlay'))) return skipOrFail(t, 'kernel has no overlayfs');
  return false;
}
