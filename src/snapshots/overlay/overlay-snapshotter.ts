import { chmod, lchown, mkdir, rm, stat } from 'node:fs/promises';
import { InvalidArgumentError } from '../../base/index.js';
import type { Mount } from '../../host/index.js';
import { IndexedSnapshotter, type SnapshotterOptions } from '../indexed-snapshotter.js';
import type { SnapshotRecord } from '../snapshot-record.js';
import { DIFF_ID_LABEL, type LayerDir, type PrepareOptions } from '../snapshotter.js';
import { overlayFeatureOptions } from './overlay-options.js';
import { readOnlyMounts, writableMounts } from './overlay-mounts.js';

/**
 * Snapshots as kernel overlayfs layers. Each snapshot's directory holds only its own
 * changes (the upper dir while active, a lower dir once committed), so a committed layer is
 * shared as-is by every snapshot above it, and one unpacked layer can even serve several
 * parents (`reuseLayer`).
 */
export class OverlaySnapshotter extends IndexedSnapshotter {
  readonly driver = 'overlay';
  private features: string[] = [];

  constructor(root: string, options: SnapshotterOptions = {}) {
    // Both separate paths in overlay's option string and cannot be escaped there.
    if (/[,:]/.test(root)) throw new InvalidArgumentError(`overlay snapshot root "${root}" must not contain "," or ":"`);
    super(root, options);
  }

  protected override async start(): Promise<void> {
    this.features = await overlayFeatureOptions(this.layout.root);
  }

  async prepare(key: string, parent?: string, options: PrepareOptions = {}): Promise<Mount[]> {
    await this.init();
    const record = await this.index.createInNewDir({ name: key, kind: 'active', parent, labels: options.labels }, async (dir, parentRecord) => {
      await mkdir(this.layout.workPath(dir), { mode: 0o700 });
      // The upper dir's root is the mount's root: give it the parent's owner and mode.
      if (parentRecord) await copyRootAttributes(this.layout.fsPath(parentRecord.dir), this.layout.fsPath(dir));
    });
    return this.mountsOf(record);
  }

  /** A view gets its own (empty) directory: what it mounts when it has no parent. */
  async view(key: string, parent?: string, options: PrepareOptions = {}): Promise<Mount[]> {
    await this.init();
    const record = await this.index.createInNewDir({ name: key, kind: 'view', parent, labels: options.labels }, async () => {});
    return this.mountsOf(record);
  }

  async layerDir(key: string): Promise<LayerDir> {
    await this.init();
    return { dir: this.layout.fsPath(this.index.get(key).dir), whiteouts: 'overlay' };
  }

  /**
   * An overlay layer dir holds only that layer's own changes, so it serves any parent. The
   * one exception: a dir already in the parent's stack, because overlay refuses the same
   * lowerdir twice in one mount (ELOOP); the caller then unpacks a second copy.
   */
  async reuseLayer(name: string, parent: string | undefined, diffId: string): Promise<boolean> {
    await this.init();
    const labels = { [DIFF_ID_LABEL]: diffId };
    const record = await this.index.createInSharedDir({ name, kind: 'committed', parent, labels }, (lineage) => {
      const inStack = new Set(lineage.map((r) => r.dir));
      return this.index.committedDirsWithDiffId(diffId).find((dir) => !inStack.has(dir));
    });
    return record !== undefined;
  }

  /** Committed: a read-only mount of the whole stack, the snapshot's own layer on top. */
  protected mountsOf(record: SnapshotRecord): Mount[] {
    switch (record.kind) {
      case 'active':
        return writableMounts(this.layout, record.name, record.dir, this.parentDirs(record), this.features);
      case 'view':
        return readOnlyMounts(this.layout, record.name, record.dir, this.parentDirs(record), this.features);
      case 'committed':
        return readOnlyMounts(this.layout, record.name, record.dir, this.index.lineage(record.name).map((r) => r.dir), this.features);
    }
  }

  /** The workdir is overlay's scratch space for an upper dir; a committed layer has none. */
  protected override async committed(record: SnapshotRecord): Promise<void> {
    await rm(this.layout.workPath(record.dir), { recursive: true, force: true }).catch(() => {});
  }

  private parentDirs(record: SnapshotRecord): string[] {
    return record.parent === undefined ? [] : this.index.lineage(record.parent).map((r) => r.dir);
  }
}

async function copyRootAttributes(from: string, to: string): Promise<void> {
  const st = await stat(from);
  await lchown(to, st.uid, st.gid);
  await chmod(to, st.mode & 0o7777);
}
