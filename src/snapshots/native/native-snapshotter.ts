import { copyTree, type Mount } from '../../host/index.js';
import { bindMount } from '../bind-mount.js';
import { IndexedSnapshotter } from '../indexed-snapshotter.js';
import type { SnapshotRecord } from '../snapshot-record.js';
import type { LayerDir, PrepareOptions } from '../snapshotter.js';

/**
 * Snapshots as full copies, for file systems overlay cannot use as an upper layer. Every
 * snapshot's directory is a complete tree: prepare copies the parent's tree (reflinked
 * where the file system can), a diff compares two trees, and deleted files are simply
 * absent. A committed tree is never written again, so views mount it read-only in place.
 */
export class NativeSnapshotter extends IndexedSnapshotter {
  readonly driver = 'native';

  async prepare(key: string, parent?: string, options: PrepareOptions = {}): Promise<Mount[]> {
    await this.init();
    const record = await this.index.createInNewDir({ name: key, kind: 'active', parent, labels: options.labels }, async (dir, parentRecord) => {
      if (parentRecord) await copyTree(this.layout.fsPath(parentRecord.dir), this.layout.fsPath(dir));
    });
    return this.mountsOf(record);
  }

  /** A view shares its parent's directory (no copy); without a parent it gets an empty one. */
  async view(key: string, parent?: string, options: PrepareOptions = {}): Promise<Mount[]> {
    await this.init();
    const spec = { name: key, kind: 'view' as const, parent, labels: options.labels };
    const record = parent
      ? await this.index.createInSharedDir(spec, (lineage) => lineage[0]!.dir)
      : await this.index.createInNewDir(spec, async () => {});
    return this.mountsOf(record!);
  }

  /** The full tree; for a view, the tree it shows. */
  async layerDir(key: string): Promise<LayerDir> {
    await this.init();
    return { dir: this.layout.fsPath(this.index.get(key).dir), whiteouts: 'delete' };
  }

  /** A native tree contains its parents' files, so it cannot serve another parent. */
  async reuseLayer(_name: string, _parent: string | undefined, _diffId: string): Promise<boolean> {
    return false;
  }

  protected mountsOf(record: SnapshotRecord): Mount[] {
    return [bindMount(this.layout.fsPath(record.dir), record.kind !== 'active')];
  }
}
