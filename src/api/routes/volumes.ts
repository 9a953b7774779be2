import { z } from 'zod';
import { UnavailableError } from '../../base/index.js';
import type { VolumeService, Volume } from '../../volumes/index.js';
import type { RouteModule } from '../server/index.js';
import type { FilterArgs } from '../types/index.js';
import type { ApiDeps } from './deps.js';

const createSchema = z.looseObject({
  Name: z.string().optional(),
  Driver: z.string().optional(),
  DriverOpts: z.record(z.string(), z.string()).nullable().optional(),
  Labels: z.record(z.string(), z.string()).nullable().optional(),
});

/** Named volumes: create, list, inspect, remove, prune. */
export const volumeRoutes: RouteModule<ApiDeps> = (router, deps) => {
  const volumes = (): VolumeService => {
    if (!deps.volumes) throw new UnavailableError('volumes are not available on this daemon');
    return deps.volumes;
  };
  router.get('/volumes', (ctx) => {
    const filters = ctx.filters();
    filters.validate(['dangling', 'driver', 'label', 'name']);
    const list = volumes().list().filter((v) => matches(v, filters, volumes()));
    ctx.sendJson(200, { Volumes: list, Warnings: null });
  });
  router.post('/volumes/create', async (ctx) => {
    const body = (await ctx.readJson(createSchema)) ?? {};
    const volume = await volumes().create({ name: body.Name, driver: body.Driver, driverOpts: body.DriverOpts ?? undefined, labels: body.Labels ?? undefined });
    deps.events.publish({ Type: 'volume', Action: 'create', Actor: { ID: volume.Name, Attributes: { driver: volume.Driver } } });
    ctx.sendJson(201, volume);
  });
  router.post('/volumes/prune', async (ctx) => {
    const filters = ctx.filters();
    const all = filters.getBool('all', false);
    const { removed, reclaimed } = await volumes().prune({ all, labels: (labels) => filters.matchKVList('label', labels) });
    for (const name of removed) deps.events.publish({ Type: 'volume', Action: 'destroy', Actor: { ID: name, Attributes: { driver: 'local' } } });
    ctx.sendJson(200, { VolumesDeleted: removed.length ? removed : null, SpaceReclaimed: reclaimed });
  });
  router.get('/volumes/{name}', (ctx) => ctx.sendJson(200, volumes().get(ctx.params.name!)));
  router.delete('/volumes/{name}', async (ctx) => {
    await volumes().remove(ctx.params.name!, { force: ctx.bool('force') });
    deps.events.publish({ Type: 'volume', Action: 'destroy', Actor: { ID: ctx.params.name!, Attributes: { driver: 'local' } } });
    ctx.sendStatus(204);
  });
};

function matches(volume: Volume, filters: FilterArgs, service: VolumeService): boolean {
  if (!filters.fuzzyMatch('name', volume.Name) && !filters.get('name').some((n) => volume.Name.includes(n))) return false;
  if (!filters.exactMatch('driver', volume.Driver)) return false;
  if (!filters.matchKVList('label', volume.Labels)) return false;
  if (filters.contains('dangling')) {
    const dangling = service.inUse(volume.Name).length === 0;
    if (dangling !== filters.getBool('dangling', false)) return false;
  }
  return true;
}
