import { z } from 'zod';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, UnavailableError } from '../../base/index.js';
import {
  type ContainerService, type ContainerRecord, type CreateRequest, type WaitCondition,
  inspectContainer, containerSummary, containerChanges, commitContainer, containerConfigForCommit, exportContainer,
  containerTop, isRunningStatus,
} from '../../containers/index.js';
import type { RouteModule, RequestContext } from '../server/index.js';
import type { FilterArgs } from '../types/index.js';
import type { ApiDeps } from './deps.js';
import { repoTagReference } from './images.js';
import { attachToContainer, streamLogs } from './container-streams.js';
import { headArchive, getArchiveRoute, putArchiveRoute } from './container-archive.js';

/** The create body: Docker's container config plus HostConfig; unknown fields pass through. */
const createBodySchema = z.looseObject({
  Image: z.string().optional(),
  Cmd: z.union([z.array(z.string()), z.string(), z.null()]).optional(),
  Entrypoint: z.union([z.array(z.string()), z.string(), z.null()]).optional(),
  Env: z.array(z.string()).nullable().optional(),
  Labels: z.record(z.string(), z.string()).nullable().optional(),
  WorkingDir: z.string().optional(),
  User: z.string().optional(),
  Hostname: z.string().optional(),
  Tty: z.boolean().optional(),
  OpenStdin: z.boolean().optional(),
  StdinOnce: z.boolean().optional(),
  HostConfig: z.looseObject({}).nullable().optional(),
});

/** The container endpoints of the engine core. Streams (attach, logs) are in container-streams.ts. */
export const containerRoutes: RouteModule<ApiDeps> = (router, deps) => {
  const containers = () => requireContainers(deps);
  router.post('/containers/create', (ctx) => create(ctx, containers()));
  router.get('/containers/json', (ctx) => list(ctx, containers()));
  router.post('/containers/prune', (ctx) => prune(ctx, containers()));
  router.get('/containers/{id}/json', async (ctx) => {
    const c = containers();
    const record = c.get(ctx.params.id!);
    const view = await inspectContainer(c, record, { size: ctx.bool('size') });
    if (deps.execs) view.ExecIDs = nullIfEmpty(deps.execs.idsOf(record.id));
    ctx.sendJson(200, view);
  });
  router.get('/containers/{id}/top', async (ctx) => ctx.sendJson(200, await containerTop(containers(), ctx.params.id!, ctx.string('ps_args') || '-ef')));
  router.get('/containers/{id}/changes', async (ctx) => ctx.sendJson(200, await containerChanges(containers(), ctx.params.id!)));
  router.get('/containers/{id}/export', async (ctx) => {
    const tar = await exportContainer(containers(), ctx.params.id!);
    ctx.res.setHeader('Content-Type', 'application/x-tar');
    ctx.res.writeHead(200);
    await pipeline(tar, ctx.res).catch(() => tar.destroy());
  });
  router.get('/containers/{id}/logs', (ctx) => streamLogs(ctx, containers()));
  router.post('/containers/{id}/start', async (ctx) => {
    await containers().start(ctx.params.id!);
    ctx.sendStatus(204);
  });
  router.post('/containers/{id}/stop', async (ctx) => {
    await containers().stop(ctx.params.id!, stopOptions(ctx));
    ctx.sendStatus(204);
  });
  router.post('/containers/{id}/restart', async (ctx) => {
    await containers().restart(ctx.params.id!, stopOptions(ctx));
    ctx.sendStatus(204);
  });
  router.post('/containers/{id}/kill', async (ctx) => {
    await containers().kill(ctx.params.id!, ctx.string('signal') || 'SIGKILL');
    ctx.sendStatus(204);
  });
  router.post('/containers/{id}/pause', async (ctx) => {
    await containers().pause(ctx.params.id!);
    ctx.sendStatus(204);
  });
  router.post('/containers/{id}/unpause', async (ctx) => {
    await containers().unpause(ctx.params.id!);
    ctx.sendStatus(204);
  });
  router.post('/containers/{id}/rename', async (ctx) => {
    await containers().rename(ctx.params.id!, ctx.string('name'));
    ctx.sendStatus(204);
  });
  router.post('/containers/{id}/resize', async (ctx) => {
    const c = containers();
    const record = c.get(ctx.params.id!);
    if (!isRunningStatus(record.state.Status)) throw new InvalidArgumentError(`Container ${record.id} is not running`);
    await c.runtime.resize(record.id, { height: ctx.int('h', 0), width: ctx.int('w', 0) }).catch(() => {});
    ctx.sendStatus(200);
  });
  router.post('/containers/{id}/wait', (ctx) => wait(ctx, containers()));
  router.post('/containers/{id}/attach', (ctx) => attachToContainer(ctx, containers()));
  router.delete('/containers/{id}', async (ctx) => {
    const c = containers();
    const id = c.get(ctx.params.id!).id;
    await c.remove(id, { force: ctx.bool('force'), removeVolumes: ctx.bool('v') });
    deps.execs?.forgetContainer(id);
    ctx.sendStatus(204);
  });
  router.head('/containers/{id}/archive', (ctx) => headArchive(ctx, containers()));
  router.get('/containers/{id}/archive', (ctx) => getArchiveRoute(ctx, containers()));
  router.put('/containers/{id}/archive', (ctx) => putArchiveRoute(ctx, containers()));
  router.post('/commit', (ctx) => commit(ctx, deps));
};

function requireContainers(deps: ApiDeps): ContainerService {
  if (!deps.containers) throw new UnavailableError('containers are not available on this daemon');
  return deps.containers;
}

function nullIfEmpty<T>(list: T[]): T[] | null {
  return list.length === 0 ? null : list;
}

function stopOptions(ctx: RequestContext): { timeout?: number; signal?: string } {
  const out: { timeout?: number; signal?: string } = {};
  if (ctx.query.has('t') && ctx.string('t') !== '') out.timeout = ctx.int('t', 10);
  if (ctx.string('signal')) out.signal = ctx.string('signal');
  return out;
}

async function create(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const body = (await ctx.readJson(createBodySchema)) ?? {};
  const request = { ...body } as unknown as CreateRequest;
  // Docker accepts a string for Cmd/Entrypoint (one argument).
  if (typeof body.Cmd === 'string') request.Cmd = [body.Cmd];
  if (typeof body.Entrypoint === 'string') request.Entrypoint = [body.Entrypoint];
  if (body.Env === null) delete request.Env;
  if (body.Labels === null) delete request.Labels;
  request.HostConfig = (body.HostConfig ?? {}) as CreateRequest['HostConfig'];
  const name = ctx.string('name');
  if (name) request.name = name;
  const record = await containers.create(request);
  ctx.sendJson(201, { Id: record.id, Warnings: [] });
}

async function list(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const filters = ctx.filters();
  const all = ctx.bool('all');
  let records = containers.list()
    .filter((r) => all || isRunningStatus(r.state.Status) || hasStatusFilter(filters))
    .filter((r) => matchesFilters(r, filters, containers))
    .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  const limit = ctx.int('limit', -1);
  if (limit > 0) records = records.slice(0, limit);
  const rows = [];
  for (const r of records) rows.push(await containerSummary(containers, r, { size: ctx.bool('size') }));
  ctx.sendJson(200, rows);
}

function hasStatusFilter(filters: FilterArgs): boolean {
  return filters.get('status').length > 0 || filters.get('exited').length > 0;
}

/** Docker's container list filters: id, name, label, status, exited, ancestor, before, since, volume. */
function matchesFilters(record: ContainerRecord, filters: FilterArgs, containers: ContainerService): boolean {
  const ids = filters.get('id');
  if (ids.length > 0 && !ids.some((id) => record.id.startsWith(id))) return false;
  const names = filters.get('name');
  if (names.length > 0 && !names.some((n) => new RegExp(n.replace(/^\//, '')).test(record.name))) return false;
  const statuses = filters.get('status');
  if (statuses.length > 0 && !statuses.includes(record.state.Status)) return false;
  const exited = filters.get('exited');
  if (exited.length > 0 && !(record.state.Status === 'exited' && exited.includes(String(record.state.ExitCode)))) return false;
  if (!filters.matchKVList('label', record.config.Labels)) return false;
  const ancestors = filters.get('ancestor');
  if (ancestors.length > 0) {
    const images = ancestors.map((a) => containers.images.tryResolve(a)?.id).filter((x) => x !== undefined);
    if (!images.includes(record.image)) return false;
  }
  const volumes = filters.get('volume');
  if (volumes.length > 0 && !record.mounts.some((m) => volumes.includes(m.Name ?? '') || volumes.includes(m.Destination))) return false;
  for (const before of filters.get('before')) {
    const other = containers.get(before);
    if (!(record.created < other.created)) return false;
  }
  for (const since of filters.get('since')) {
    const other = containers.get(since);
    if (!(record.created > other.created)) return false;
  }
  return true;
}

async function prune(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const filters = ctx.filters();
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const record of containers.list()) {
    if (isRunningStatus(record.state.Status)) continue;
    const until = filters.get('until')[0];
    if (!matchesFilters(record, filters, containers)) continue;
    if (until && Date.parse(record.created) >= untilTime(until)) continue;
    reclaimed += (await containers.images.snapshotter.usage(record.id).catch(() => ({ size: 0 }))).size;
    await containers.remove(record.id);
    deleted.push(record.id);
  }
  ctx.sendJson(200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed });
}

function untilTime(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(\d+)(s|m|h)$/.exec(value);
  if (duration) return Date.now() - Number(duration[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 's' | 'm' | 'h'];
  return Date.parse(value);
}

/**
 * `POST /containers/{id}/wait`: the 200 headers go out as soon as the waiter is in place, so
 * a client that waits and then starts the container (docker run) misses no exit.
 */
async function wait(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const condition = (ctx.string('condition') || 'not-running') as WaitCondition;
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
  const result = await containers.wait(ctx.params.id!, condition, () => {
    ctx.res.setHeader('Content-Type', 'application/json');
    ctx.res.writeHead(200);
    ctx.res.flushHeaders();
  });
  ctx.res.end(JSON.stringify({ StatusCode: result.StatusCode }) + '\n');
}

const commitBodySchema = z.looseObject({}).nullable();

async function commit(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const containers = requireContainers(deps);
  const container = containers.get(ctx.string('container'));
  const body = (await ctx.readJson(commitBodySchema)) ?? {};
  let config = { ...containerConfigForCommit(containers, container.id), ...(body as object) };
  const changes = ctx.strings('changes').filter((c) => c !== '');
  if (changes.length > 0) {
    if (!deps.applyChanges) throw new InvalidArgumentError('--change is not supported by this daemon');
    config = await deps.applyChanges(changes, config);
  }
  const ref = repoTagReference(ctx.string('repo'), ctx.string('tag'));
  const id = await commitContainer(containers, container.id, {
    reference: ref?.toString(),
    comment: ctx.string('comment') || undefined,
    author: ctx.string('author') || undefined,
    config,
    pause: ctx.boolOr('pause', true),
  });
  deps.events.publish({ Type: 'container', Action: 'commit', Actor: { ID: container.id, Attributes: { comment: ctx.string('comment'), imageID: id, imageRef: ref?.familiarString() ?? '', name: container.name } } });
  ctx.sendJson(201, { Id: id });
}
