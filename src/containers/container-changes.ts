import { readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { type Digest, InvalidArgumentError } from '../base/index.js';
import type { ExecutionConfig } from '../oci/index.js';
import { packLayer } from '../archive/index.js';
import type { ContainerService } from './container-service.js';
import { overlayChanges, type Change } from './changes.js';

/** `docker diff`: what the container changed, from its writable layer. */
export async function containerChanges(service: ContainerService, idOrName: string): Promise<Change[]> {
  const record = service.get(idOrName);
  const layer = await service.images.snapshotter.layerDir(record.id);
  if (layer.whiteouts !== 'overlay') {
    throw new InvalidArgumentError(`diff needs the overlay storage driver (this daemon uses ${service.images.snapshotter.driver})`);
  }
  return overlayChanges(layer.dir, await service.lowerDirs(record));
}

export interface CommitOptions {
  reference?: string;
  comment?: string;
  author?: string;
  /** The config after `--change`s (the caller applies them to `containerConfigForCommit`). */
  config?: ExecutionConfig;
  /** Pause a running container while its layer is read (Docker's default). */
  pause?: boolean;
}

/** The container's config in image form: what `docker commit` starts the new image's config from. */
export function containerConfigForCommit(service: ContainerService, idOrName: string): ExecutionConfig {
  const c = service.get(idOrName).config;
  const out: ExecutionConfig = { Env: c.Env, Cmd: c.Cmd ?? undefined, WorkingDir: c.WorkingDir, Labels: c.Labels };
  if (c.User) out.User = c.User;
  if (c.Entrypoint) out.Entrypoint = c.Entrypoint;
  if (c.ExposedPorts) out.ExposedPorts = c.ExposedPorts;
  if (c.Volumes) out.Volumes = c.Volumes;
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  return out;
}

/**
 * `docker commit`: a new image whose one new layer holds exactly the container's changes —
 * its writable layer, packed with OCI whiteouts for deletions. A container that changed
 * nothing adds no layer, only a history entry, as Docker does.
 */
export async function commitContainer(service: ContainerService, idOrName: string, options: CommitOptions = {}): Promise<Digest> {
  const record = service.get(idOrName);
  const layer = await service.images.snapshotter.layerDir(record.id);
  if (layer.whiteouts !== 'overlay') {
    throw new InvalidArgumentError(`commit needs the overlay storage driver (this daemon uses ${service.images.snapshotter.driver})`);
  }
  const config = options.config ?? containerConfigForCommit(service, record.id);
  const createdBy = (record.config.Cmd ?? []).join(' ');
  const pause = (options.pause ?? true) && record.state.Status === 'running';
  if (pause) await service.pause(record.id);
  try {
    const empty = (await readdir(layer.dir)).length === 0;
    const common = { createdBy, comment: options.comment, author: options.author, config, replaceConfig: true, reference: options.reference };
    if (empty) return await service.images.appendEmptyLayer(record.image, common);
    return await service.images.appendLayer(record.image, packLayer(layer.dir, { whiteouts: 'overlay' }), common);
  } finally {
    if (pause) await service.unpause(record.id).catch(() => {});
  }
}

/**
 * `docker export`: the container's whole file system as a tar. A stopped container's layers
 * are mounted for the duration of the stream.
 */
export async function exportContainer(service: ContainerService, idOrName: string): Promise<Readable> {
  const { rootfs, release } = await service.holdRootfs(idOrName);
  const tar = packLayer(rootfs, { whiteouts: 'none' });
  let done = false;
  const releaseOnce = () => {
    if (done) return;
    done = true;
    void release();
  };
  tar.once('end', releaseOnce);
  tar.once('close', releaseOnce);
  tar.once('error', releaseOnce);
  return tar;
}
