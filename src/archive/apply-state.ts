import type { LayerRoot } from './layer-root.js';

export type ApplyWhiteouts = 'overlay' | 'delete';

/** What one applyLayer call carries from entry to entry. */
export interface ApplyState {
  root: LayerRoot;
  whiteouts: ApplyWhiteouts;
  /**
   * Canonical in-root paths this archive created or updated. A layer's whiteouts only hide what
   * the layers below had (OCI image spec), so they never remove these.
   */
  applied: Set<string>;
  /** Directory times, set after every entry is in because adding children changes them. */
  directoryTimes: Array<{ rel: string; atime: number; mtime: number }>;
}
