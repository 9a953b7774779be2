import type { RequestContext } from '../server/index.js';
import { InvalidArgumentError } from '../../base/index.js';
import { FilterArgs, type DiskUsage } from '../types/index.js';
import type { ApiDeps } from './deps.js';
import { listImageSummaries, layersSize } from './image-list.js';
import { containerSummary } from '../../containers/index.js';

const TYPES = ['container', 'image', 'volume', 'build-cache'];

/** `GET /system/df`: images, containers (with their writable layer's size), volumes; build cache joins with the builder. */
export async function diskUsage(ctx: RequestContext, deps: ApiDeps): Promise<DiskUsage> {
  const wanted = ctx.versionBefore('1.42') || !ctx.query.has('type') ? new Set(TYPES) : new Set(ctx.strings('type'));
  for (const t of wanted) if (!TYPES.includes(t)) throw new InvalidArgumentError(`unknown object type: ${t}`);
  const usage: DiskUsage = { LayersSize: 0, Images: [], Containers: [], Volumes: [], BuildCache: [] };
  if (wanted.has('image')) {
    usage.LayersSize = await layersSize(deps.images);
    usage.Images = await listImageSummaries(deps.images, {
      all: false,
      filters: new FilterArgs(),
      sharedSize: true,
      containersUsing: (id) => deps.containersUsingImage?.(id) ?? 0,
    });
  }
  if (wanted.has('container') && deps.containers) {
    const containers = deps.containers;
    for (const record of containers.list()) usage.Containers.push(await containerSummary(containers, record, { size: true }));
  }
  if (wanted.has('volume') && deps.volumes) {
    const volumes = deps.volumes;
    for (const volume of volumes.list()) {
      // Volume sizes need a walk of their data: only df asks, as Docker's does.
      usage.Volumes.push({ ...volume, UsageData: { Size: await volumes.size(volume.Name), RefCount: volumes.inUse(volume.Name).length } });
    }
  }
  return usage;
}
