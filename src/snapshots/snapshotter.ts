import type { Mount } from '../host/index.js';

/**
 * A snapshot is either active (writable, named by a `key`), a view (read-only, by `key`) or
 * committed (read-only, by `name`). Committed snapshots are the unpacked layers; active ones
 * are a container's or build step's writable layer.
 */
export type SnapshotKind = 'active' | 'view' | 'committed';

export interface SnapshotInfo {
  /** The key of an active snapshot or view, the name of a committed one. */
  name: string;
  kind: SnapshotKind;
  parent?: string;
  labels: Record<string, string>;
  created: string; // RFC 3339
}

export interface Usage {
  /**
   * Bytes of this snapshot's own layer: st_size of every non-directory (a symlink counts
   * its target's length, devices and FIFOs 0), hard links once.
   */
  size: number;
  /** Distinct inodes in this snapshot's own layer, directories and the layer's root included. */
  inodes: number;
}

/**
 * Where the content of a snapshot's own layer lives, and how deletions are written there:
 * `overlay` — the dir is an overlay upper dir (whiteouts are 0/0 character devices, opaque
 * dirs carry trusted.overlay.opaque=y); `delete` — the dir is a full tree, deleted entries
 * are simply absent.
 */
export interface LayerDir {
  dir: string;
  whiteouts: 'overlay' | 'delete';
}

/** The label a committed snapshot carries with the diffID of the layer it holds. */
export const DIFF_ID_LABEL = 'strata.io/diff-id';

export interface PrepareOptions {
  labels?: Record<string, string>;
}

/**
 * Errors (src/base): NotFoundError for unknown keys (`snapshot "x" not found`),
 * AlreadyExistsError for a key or name in use, InvalidArgumentError for a parent that is
 * not committed.
 */
export interface Snapshotter {
  readonly driver: string;
  stat(key: string): Promise<SnapshotInfo>;
  /** A writable snapshot on `parent` (a committed name) or on nothing. */
  prepare(key: string, parent?: string, options?: PrepareOptions): Promise<Mount[]>;
  /** A read-only snapshot on `parent`. */
  view(key: string, parent?: string, options?: PrepareOptions): Promise<Mount[]>;
  /** Active and views as prepared; a committed snapshot as a read-only mount of its stack. */
  mounts(key: string): Promise<Mount[]>;
  /**
   * Turns active `key` into committed `name` in place, recording its size and inode count
   * (and the DIFF_ID_LABEL value, which makes the layer reusable). Unmount `key` first.
   */
  commit(name: string, key: string, options?: PrepareOptions): Promise<void>;
  /**
   * Removes a snapshot; refused (ConflictError) while another snapshot has it as parent.
   * Unmounting it first is the caller's job.
   */
  remove(key: string): Promise<void>;
  /** Committed: the figures recorded at commit. Active: measured now. */
  usage(key: string): Promise<Usage>;
  walk(): AsyncIterable<SnapshotInfo>;
  /**
   * The directory holding the snapshot's own layer (active or committed). Write a layer
   * into it directly, not through a mount: with `overlay` whiteouts written through a mount
   * depend on what the parent has, and the layer could no longer serve other parents.
   */
  layerDir(key: string): Promise<LayerDir>;
  /**
   * When a committed snapshot already holds the layer with this diffID (on any parent),
   * records committed `name` on `parent` sharing that unpacked copy and returns true.
   * Drivers whose layers depend on their parent (native) return false.
   */
  reuseLayer(name: string, parent: string | undefined, diffId: string): Promise<boolean>;
}
