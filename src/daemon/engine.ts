import { join } from 'node:path';
import { mkdir, readdir } from 'node:fs/promises';
import { type Logger, UnavailableError, errorMessage } from '../base/index.js';
import { kernelHasFilesystem, isRoot } from '../host/index.js';
import { LocalContentStore } from '../content/index.js';
import { OverlaySnapshotter, NativeSnapshotter, type Snapshotter } from '../snapshots/index.js';
import { ImageStore, ImageService } from '../images/index.js';
import { VolumeService } from '../volumes/index.js';
import { ConmonRuntime } from '../runtime/index.js';
import { ContainerService, ExecService } from '../containers/index.js';
import { ImageBuilder } from '../builder/index.js';
import type { StorageDriver } from './config.js';

/** The engine core as the daemon runs it. */
export interface Engine {
  driver: StorageDriver;
  images: ImageService;
  volumes: VolumeService;
  runtime: ConmonRuntime;
  containers: ContainerService;
  execs: ExecService;
  builder: ImageBuilder;
  /** Stops watching containers; they keep running under their monitors. */
  close(): void;
}

/**
 * The storage half of the engine: content store at `<root>/content`, the snapshotter at
 * `<root>/snapshots/<driver>`, image records at `<root>/images`.
 */
export async function openStorage(root: string, driver: StorageDriver): Promise<{ content: LocalContentStore; images: ImageService }> {
  if (driver === 'overlay' && !(isRoot() && (await kernelHasFilesystem('overlay')))) {
    throw new UnavailableError('the overlay storage driver needs root and a kernel with overlayfs; use --storage-driver native');
  }
  const content = new LocalContentStore(join(root, 'content'));
  const snapshotRoot = join(root, 'snapshots', driver);
  const snapshotter: Snapshotter & { init(): Promise<void> } =
    driver === 'overlay' ? new OverlaySnapshotter(snapshotRoot) : new NativeSnapshotter(snapshotRoot);
  await snapshotter.init();
  const store = new ImageStore(join(root, 'images'));
  await store.init();
  await mkdir(join(root, 'tmp'), { recursive: true, mode: 0o700 });
  return { content, images: new ImageService(content, snapshotter, store) };
}

/**
 * The whole engine core: storage, volumes, the runtime and containers (re-adopting those
 * that kept running). Then the start-up recovery: partial ingests from before are discarded
 * and whatever no image, container or build uses is collected.
 */
export async function openEngine(root: string, execRoot: string, requested: StorageDriver | undefined, logger: Logger): Promise<Engine> {
  const driver = requested ?? (await chooseDriver(root, logger));
  const { content, images } = await openStorage(root, driver);
  const volumes = new VolumeService(join(root, 'volumes'));
  await volumes.init();
  const runtime = await ConmonRuntime.open({ execRoot, logger });
  const containers = new ContainerService({ root: join(root, 'containers'), scratchDir: join(root, 'tmp'), images, volumes, runtime, logger });
  // Re-adopts containers that kept running while the daemon was away, records exits meanwhile.
  await containers.init();
  const execs = new ExecService(containers, logger);
  const builder = new ImageBuilder({ images, root, execRoot: join(execRoot, 'builder'), runtimePath: runtime.runtime.path });
  // Builds cut short by a crash leave step containers, snapshots and mounts: clean them first.
  await builder.recover();

  const pruned = await content.pruneIngests();
  if (pruned > 0) logger.info('discarded partial ingests', { count: pruned });
  try {
    const gc = await images.collectGarbage();
    if (gc.snapshots.length + gc.blobs.length > 0) logger.info('collected unused layers and blobs', { snapshots: gc.snapshots.length, blobs: gc.blobs.length });
  } catch (err) {
    logger.warn('garbage collection at start-up failed', { error: errorMessage(err) });
  }
  return {
    driver, images, volumes, runtime, containers, execs, builder,
    close: () => {
      containers.close();
      runtime.close();
    },
  };
}

/** The driver the store already uses; else overlay where the kernel and privileges allow it. */
async function chooseDriver(root: string, logger: Logger): Promise<StorageDriver> {
  const used: StorageDriver[] = [];
  for (const d of ['overlay', 'native'] as const) {
    try {
      if ((await readdir(join(root, 'snapshots', d))).length > 0) used.push(d);
    } catch { /* not used */ }
  }
  if (used.length === 1) return used[0]!;
  if (isRoot() && (await kernelHasFilesystem('overlay'))) return 'overlay';
  logger.warn('overlayfs is not available: using the native storage driver');
  return 'native';
}
