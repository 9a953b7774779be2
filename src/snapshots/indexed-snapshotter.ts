import { silentLogger, type Logger } from '../base/index.js';
import type { Mount } from '../host/index.js';
import { SnapshotIndex } from './snapshot-index.js';
import { recordToInfo, type SnapshotRecord } from './snapshot-record.js';
import type { LayerDir, PrepareOptions, SnapshotInfo, Snapshotter, Usage } from './snapshotter.js';
import { StoreLayout } from './store-layout.js';

export interface SnapshotterOptions {
  logger?: Logger;
}

/**
 * What both drivers share: the records (SnapshotIndex) and the store layout. A driver says
 * what a new snapshot's directory receives and how a snapshot is mounted.
 *
 * Every method waits for `init()` (loading and repairing the store, plus the driver's own
 * start-up), so the daemon may call it early to fail fast, but need not.
 */
export abstract class IndexedSnapshotter implements Snapshotter {
  abstract readonly driver: string;
  protected readonly layout: StoreLayout;
  protected readonly index: SnapshotIndex;
  protected readonly log: Logger;
  private starting?: Promise<void>;

  constructor(root: string, options: SnapshotterOptions = {}) {
    this.log = options.logger ?? silentLogger;
    this.layout = new StoreLayout(root);
    this.index = new SnapshotIndex(this.layout, { logger: this.log });
  }

  /** Loads the index, cleans up after a crash, runs the driver's start-up checks. */
  init(): Promise<void> {
    this.starting ??= (async () => {
      await this.index.load();
      await this.start();
    })().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /** Driver start-up after the index is loaded (overlay probes the kernel here). */
  protected async start(): Promise<void> {}

  abstract prepare(key: string, parent?: string, options?: PrepareOptions): Promise<Mount[]>;
  abstract view(key: string, parent?: string, options?: PrepareOptions): Promise<Mount[]>;
  abstract layerDir(key: string): Promise<LayerDir>;
  abstract reuseLayer(name: string, parent: string | undefined, diffId: string): Promise<boolean>;
  protected abstract mountsOf(record: SnapshotRecord): Mount[];

  async stat(key: string): Promise<SnapshotInfo> {
    await this.init();
    return recordToInfo(this.index.get(key));
  }

  async mounts(key: string): Promise<Mount[]> {
    await this.init();
    return this.mountsOf(this.index.get(key));
  }

  /** The caller unmounts the active snapshot first: its directory becomes a read-only layer. */
  async commit(name: string, key: string, options: PrepareOptions = {}): Promise<void> {
    await this.init();
    const record = await this.index.commit(name, key, options.labels ?? {});
    await this.committed(record);
  }

  /** Driver clean-up once a commit is recorded (overlay drops the workdir). */
  protected async committed(_record: SnapshotRecord): Promise<void> {}

  async remove(key: string): Promise<void> {
    await this.init();
    await this.index.remove(key);
  }

  async usage(key: string): Promise<Usage> {
    await this.init();
    return this.index.usage(key);
  }

  async *walk(): AsyncIterable<SnapshotInfo> {
    await this.init();
    // A copy: the caller may stat or remove while walking.
    for (const record of this.index.all()) yield recordToInfo(record);
  }
}
