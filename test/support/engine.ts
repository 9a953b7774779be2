import { join } from 'node:path';
import { silentLogger } from '../../src/base/index.js';
import type { ImageService } from '../../src/images/index.js';
import type { VolumeService } from '../../src/volumes/index.js';
import type { ConmonRuntime } from '../../src/runtime/index.js';
import type { ContainerService, ExecService } from '../../src/containers/index.js';
import { openStorage, openEngine } from '../../src/daemon/engine.js';

export type Driver = 'overlay' | 'native';

/** The engine core's storage, wired as the daemon wires it, on a private root. */
export async function makeImageService(root: string, driver: Driver = 'overlay'): Promise<ImageService> {
  return (await openStorage(root, driver)).images;
}

export interface ContainerEngine {
  images: ImageService;
  volumes: VolumeService;
  runtime: ConmonRuntime;
  containers: ContainerService;
  execs: ExecService;
  /** Force-removes every container this engine made and releases the runtime's watches. */
  close(): Promise<void>;
}

/**
 * The engine core with containers, as the daemon opens it, on a private root and exec root:
 * real overlay, runc and conmon. `close` force-removes every container so nothing keeps
 * running after a test.
 */
export async function makeContainerEngine(root: string): Promise<ContainerEngine> {
  const engine = await openEngine(join(root, 'lib'), join(root, 'run'), 'overlay', silentLogger);
  return {
    ...engine,
    close: async () => {
      for (const record of engine.containers.list()) await engine.containers.remove(record.id, { force: true }).catch(() => {});
      for (const id of await engine.runtime.list()) await engine.runtime.delete(id, { force: true }).catch(() => {});
      engine.close();
    },
  };
}
