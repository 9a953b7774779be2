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

import { VolumeService } from '../../src/volumes/index.js';
import { ConmonRuntime } from '../../src/runtime/index.js';
import { ContainerService, ExecService } from '../../src/containers/index.js';

export interface ContainerEngine {
  images: ImageService;
  volumes: VolumeService;
  runtime: ConmonRuntime;
  containers: ContainerService;
  execs: ExecService;
  /** Stops every container this engine started and releases the runtime's watches. */
  close(): Promise<void>;
}

/**
 * The engine core with containers, on a private root and exec root: real overlay, runc and
 * conmon. `close` force-removes every container so nothing keeps running after a test.
 */
export async function makeContainerEngine(root: string): Promise<ContainerEngine> {
  const images = await makeImageService(join(root, 'lib'));
  const volumes = new VolumeService(join(root, 'lib', 'volumes'));
  await volumes.init();
  const runtime = await ConmonRuntime.open({ execRoot: join(root, 'run') });
  const containers = new ContainerService({ root: join(root, 'lib', 'containers'), scratchDir: join(root, 'lib', 'tmp'), images, volumes, runtime });
  await containers.init();
  const execs = new ExecService(containers);
  return {
    images, volumes, runtime, containers, execs,
    close: async () => {
      for (const record of containers.list()) await containers.remove(record.id, { force: true }).catch(() => {});
      for (const id of await runtime.list()) await runtime.delete(id, { force: true }).catch(() => {});
      runtime.close();
    },
  };
}
