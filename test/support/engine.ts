import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { LocalContentStore } from '../../src/content/index.js';
import { OverlaySnapshotter, NativeSnapshotter, type Snapshotter } from '../../src/snapshots/index.js';
import { ImageStore, ImageService } from '../../src/images/index.js';

export type Driver = 'overlay' | 'native';

/** The engine core's storage, wired the way the daemon wires it, on a private root. */
export async function makeImageService(root: string, driver: Driver = 'overlay'): Promise<ImageService> {
  const content = new LocalContentStore(join(root, 'content'));
  const snapshotRoot = join(root, 'snapshots', driver);
  const snapshotter: Snapshotter & { init(): Promise<void> } =
    driver === 'overlay' ? new OverlaySnapshotter(snapshotRoot) : new NativeSnapshotter(snapshotRoot);
  await snapshotter.init();
  const store = new ImageStore(join(root, 'images'));
  await store.init();
  await mkdir(join(root, 'tmp'), { recursive: true });
  return new ImageService(content, snapshotter, store);
}
