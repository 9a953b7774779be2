import { z } from 'zod';
import type { Digest } from '../../base/index.js';
import { InvalidArgumentError, NotImplementedError, UnavailableError } from '../../base/index.js';
import { parseNormalizedNamed, withDefaultTag, type Reference } from '../../oci/index.js';
import { imageHistory, type ImageService } from '../../images/index.js';
import type { RouteModule, RequestContext, EventBus } from '../server/index.js';
import type { DeleteResponseItem } from '../types/index.js';
import type { ApiDeps } from './deps.js';
import { listImageSummaries } from './image-list.js';
import { inspectForVersion } from './image-inspect.js';

/** The image endpoints the engine core supports. */
export const imageRoutes: RouteModule<ApiDeps> = (router, deps) => {
  router.get('/images/json', (ctx) => listImages(ctx, deps));
  router.get('/images/{name:.*}/history', (ctx) => history(ctx, deps.images));
  router.get('/images/{name:.*}/json', (ctx) => inspect(ctx, deps.images));
  router.post('/images/create', (ctx) => create(ctx, deps));
  router.post('/images/{name:.*}/tag', (ctx) => tag(ctx, deps));
  router.delete('/images/{name:.*}', (ctx) => remove(ctx, deps));
};

async function listImages(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const rows = await listImageSummaries(deps.images, {
    all: ctx.bool('all'),
    filters: ctx.filters(),
    sharedSize: !ctx.versionBefore('1.42') && ctx.bool('shared-size'),
    containersUsing: ctx.versionBefore('1.51') ? undefined : deps.containersUsingImage,
  });
  const legacyNone = ctx.versionBefore('1.43');
  const virtualSize = ctx.versionBefore('1.44');
  ctx.sendJson(200, rows.map((row) => {
    const out: Record<string, unknown> = { ...row };
    if (legacyNone && row.RepoTags.length === 0 && row.RepoDigests.length === 0) {
      out.RepoTags = ['<none>:<none>'];
      out.RepoDigests = ['<none>@<none>'];
    }
    if (virtualSize) out.VirtualSize = row.Size;
    return out;
  }));
}

async function inspect(ctx: RequestContext, images: ImageService): Promise<void> {
  const record = images.resolve(ctx.params.name!);
  ctx.sendJson(200, await inspectForVersion(images, record, (v) => ctx.versionBefore(v)));
}

async function history(ctx: RequestContext, images: ImageService): Promise<void> {
  const record = images.resolve(ctx.params.name!);
  ctx.sendJson(200, await imageHistory(images, record));
}

/**
 * Docker's RepoTagReference: `repo` may carry its own tag; `tag` overrides it; no tag means
 * `latest`; a digest cannot be a tag target. Undefined when `repo` is empty.
 */
export function repoTagReference(repo: string, tag: string): Reference | undefined {
  if (repo === '') return undefined;
  const ref = parseNormalizedNamed(repo);
  if (ref.digest !== undefined) throw new InvalidArgumentError('cannot import digest reference');
  return tag !== '' ? ref.withTag(tag) : withDefaultTag(ref);
}

async function tag(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const repo = ctx.string('repo');
  if (repo === '') throw new InvalidArgumentError('repository name must have at least one component');
  const ref = repoTagReference(repo, ctx.string('tag'))!;
  if (ref.familiarName() === 'sha256') throw new InvalidArgumentError('refusing to create an ambiguous tag using digest algorithm as name');
  const record = deps.images.resolve(ctx.params.name!);
  await deps.images.tag(record.id, ref.toString());
  publishImageEvent(deps.events, 'tag', record.id, ref.familiarString());
  ctx.sendStatus(201);
}

async function remove(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const name = ctx.params.name!;
  if (name.trim() === '') throw new InvalidArgumentError('image name cannot be blank');
  // Which image each name and ID denoted before the removal, for the events.
  const images = new Set(deps.images.store.list().map((r) => r.id as string));
  const names = new Map(deps.images.store.allNames());
  const result = await deps.images.remove(name, { force: ctx.bool('force'), prune: !ctx.bool('noprune') });
  for (const item of result) {
    if ('Untagged' in item) {
      const id = names.get(withDefaultTag(parseNormalizedNamed(item.Untagged)).toString());
      if (id) publishImageEvent(deps.events, 'untag', id, id);
    } else if (images.has(item.Deleted)) {
      publishImageEvent(deps.events, 'delete', item.Deleted, item.Deleted);
    }
  }
  ctx.sendJson(200, result satisfies DeleteResponseItem[]);
}

/** `POST /images/create`: import from the body (`fromSrc=-`); pulling needs the registry client. */
async function create(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const fromImage = ctx.string('fromImage');
  const stream = ctx.jsonStream();
  if (fromImage !== '') {
    let ref = parseNormalizedNamed(fromImage.replace(/:$/, ''));
    const tagParam = ctx.string('tag');
    if (tagParam !== '') ref = /^sha256:[a-f0-9]{64}$/.test(tagParam) ? ref.nameOnly().withDigest(tagParam) : ref.withTag(tagParam);
    // The JSON stream is where `docker pull` reads a failure from.
    stream.error(new UnavailableError(`pulling ${withDefaultTag(ref).familiarString()} is not possible: this strata daemon cannot reach registries yet`));
    stream.end();
    return;
  }
  const source = ctx.string('fromSrc');
  if (source === '') throw new InvalidArgumentError('either fromSrc or fromImage must be given');
  if (source !== '-') throw new NotImplementedError(`importing from a URL (${source}) is not supported: send the tarball in the request body with fromSrc=-`);
  const reference = repoTagReference(ctx.string('repo'), ctx.string('tag'));
  const changes = ctx.strings('changes').filter((c) => c.trim() !== '');
  let config = {};
  if (changes.length > 0) {
    if (!deps.applyChanges) throw new InvalidArgumentError(`--change is not supported yet (got ${JSON.stringify(changes)})`);
    config = await deps.applyChanges(changes, {});
  }
  const message = ctx.string('message') || `Imported from ${source}`;
  const id = await deps.images.importRootfs(ctx.req, { reference: reference?.toString(), message, config });
  if (reference) publishImageEvent(deps.events, 'tag', id, reference.familiarString());
  publishImageEvent(deps.events, 'import', id, id);
  stream.status(id);
  stream.end();
}

/** Docker's LogImageEvent: the image ID as actor, `name` and the image's labels as attributes. */
export function publishImageEvent(events: EventBus, action: string, id: Digest | string, name: string): void {
  events.publish({ Type: 'image', Action: action, Actor: { ID: id, Attributes: { name } } });
}

/** `POST /auth` body: Docker's AuthConfig; unknown fields pass. */
export const authConfigSchema = z.looseObject({
  username: z.string().optional(),
  password: z.string().optional(),
  auth: z.string().optional(),
  email: z.string().optional(),
  serveraddress: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});
