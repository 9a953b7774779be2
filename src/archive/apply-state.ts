import type { LayerRoot } from './layer-root.js';

export type ApplyWhiteouts = 'overlay' | 'delete';

/** What `docker cp` extraction changes from layer application (see extractArchive). */
export interface CopyRules {
  /** Refuse replacing a directory with a non-directory and the reverse. */
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry instead of the archive's. */
  owner?: { uid: number; gid: number };
  /** The extraction directory as the caller names it, for error messages. */
  destination: string;
}

/** What one applyLayer call carries from entry to entry. */
export interface ApplyState {
  root: LayerRoot;
  /** `none`: a `docker cp` archive, where `.wh.` names are ordinary files. */
  whiteouts: ApplyWhiteouts | 'none';
  /** Set for `docker cp` extraction. */
  copy?: CopyRules;
  /**
   * Canonical in-root paths this archive created or updated. A layer's whiteouts only hide what
   * the layers below had (OCI image spec), so they never remove these.
   */
  applied: Set<string>;
  /** Directory times, set after every entry is in because adding children changes them. */
  directoryTimes: Array<{ rel: string; atime: number; mtime: number }>;
  /** Write small files' content synchronously (see ApplyOptions.memoryBacked). */
  syncSmallWrites?: boolean;
}
