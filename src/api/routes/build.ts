import { InvalidArgumentError, UnavailableError } from '../../base/index.js';
import { classicStreamMessage, RunStepFailedError, type BuildRequest, type ImageBuilder } from '../../builder/index.js';
import type { RouteModule, RequestContext } from '../server/index.js';
import type { ApiDeps } from './deps.js';

/**
 * `POST /build` as the docker CLI's classic builder calls it: the context is the request body
 * (a tar, plain or gzipped), options are query parameters, and progress is Docker's JSON
 * stream. A client that goes away cancels the build (its step container is killed and
 * everything it made is cleaned up).
 */
export const buildRoutes: RouteModule<ApiDeps> = (router, deps) => {
  router.post('/build', (ctx) => build(ctx, deps));
  router.post('/build/prune', async (ctx) => {
    ctx.sendJson(200, { CachesDeleted: null, SpaceReclaimed: 0 });
  });
};

async function build(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const builder: ImageBuilder | undefined = deps.builder;
  if (!builder) throw new UnavailableError('builds are not available on this daemon');
  if (ctx.string('remote') !== '') throw new InvalidArgumentError('remote build contexts are not supported: send the context as the request body');
  const request: BuildRequest = {
    context: { tar: ctx.req },
    tags: ctx.strings('t').filter((t) => t !== ''),
    buildArgs: jsonParam<Record<string, string | null>>(ctx, 'buildargs'),
    labels: jsonParam<Record<string, string>>(ctx, 'labels'),
    noCache: ctx.bool('nocache'),
    quiet: ctx.bool('q'),
    network: ctx.string('networkmode') || undefined,
    rm: ctx.boolOr('rm', true),
    forceRm: ctx.bool('forcerm'),
    signal: ctx.signal,
  };
  const dockerfile = ctx.string('dockerfile');
  if (dockerfile) request.dockerfile = { path: dockerfile };
  const target = ctx.string('target');
  if (target) request.target = target;
  const out = ctx.jsonStream();
  try {
    for await (const event of builder.build(request)) {
      if (ctx.signal.aborted) break;
      out.write(classicStreamMessage(event));
    }
  } catch (err) {
    // Nothing written yet: an ordinary error response with its status; else in the stream.
    if (!out.started) throw err;
    out.error(err, err instanceof RunStepFailedError ? err.exitCode : undefined);
  } finally {
    // Whatever of the context the builder did not read is dropped, so the answer gets out.
    ctx.req.resume();
  }
  out.end();
}

function jsonParam<T>(ctx: RequestContext, name: string): T | undefined {
  const raw = ctx.string(name);
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch (err) {
    throw new InvalidArgumentError(`invalid ${name} parameter: ${(err as Error).message}`);
  }
}
