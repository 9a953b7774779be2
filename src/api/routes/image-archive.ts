import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage } from '../../base/index.js';
import { loadImages, saveImages, type LoadEvent } from '../../images/index.js';
import type { RouteModule, RequestContext, JsonStreamWriter } from '../server/index.js';
import type { ApiDeps } from './deps.js';
import { publishImageEvent } from './images.js';
import { progressText } from './progress-text.js';

/** `docker save` and `docker load`: image archives out and in, streamed both ways. */
export const imageArchiveRoutes: RouteModule<ApiDeps> = (router, deps) => {
  router.get('/images/get', (ctx) => save(ctx, deps, ctx.strings('names')));
  router.get('/images/{name:.*}/get', (ctx) => save(ctx, deps, [ctx.params.name!]));
  router.post('/images/load', (ctx) => load(ctx, deps));
};

/**
 * `GET /images/get?names=…` and `GET /images/{name}/get`. A bad name fails before the first
 * byte, as an ordinary error; a failure while streaming can only cut the connection, which
 * the client sees as a broken archive (moby appends a JSON error to the tar instead).
 */
async function save(ctx: RequestContext, deps: ApiDeps, names: string[]): Promise<void> {
  const { stream, images } = await saveImages(deps.images, names);
  ctx.res.setHeader('Content-Type', 'application/x-tar');
  ctx.res.writeHead(200);
  try {
    await pipeline(stream, ctx.res);
  } catch (err) {
    ctx.logger.warn('image save ended early', { names, error: errorMessage(err) });
    ctx.res.destroy();
    return;
  }
  for (const id of images) publishImageEvent(deps.events, 'save', id, id);
}

/**
 * `POST /images/load?quiet=`: the body is the archive, read as it arrives. The answer is a
 * JSON-lines stream (`{"stream":"Loaded image: busybox:latest\n"}`); like moby, errors travel
 * in it too, with status 200. `quiet` defaults to true, as in moby; when false, layers report
 * `Loading layer` progress.
 */
async function load(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const quiet = ctx.boolOr('quiet', true);
  const out = ctx.jsonStream();
  // The loader stops reading at its first error and destroys what it reads from. Reading
  // through a pass-through keeps that from tearing down the connection, so the client can
  // still finish sending and read why the load failed.
  const body = new PassThrough();
  const onRequestError = (err: Error) => body.destroy(err);
  ctx.req.once('error', onRequestError);
  ctx.req.pipe(body);
  try {
    const loaded = await loadImages(deps.images, body, { signal: ctx.signal, onEvent: (event) => render(out, event, quiet) });
    for (const image of loaded) publishImageEvent(deps.events, 'load', image.id, image.id);
  } catch (err) {
    if (ctx.signal.aborted) throw err; // nobody left to tell
    out.error(err);
  } finally {
    ctx.req.off('error', onRequestError);
    if (!ctx.req.complete) {
      ctx.req.unpipe(body);
      ctx.req.resume(); // the rest of an upload we gave up on is read and dropped
    }
  }
  out.end();
}

function render(out: JsonStreamWriter, event: LoadEvent, quiet: boolean): void {
  switch (event.type) {
    case 'layer-progress':
      if (!quiet) out.write({ status: 'Loading layer', progressDetail: { current: event.current, total: event.total }, progress: progressText(event.current, event.total), id: event.id });
      return;
    case 'renamed':
      out.stream(`The image ${event.name} already exists, renaming the old one with ID ${event.previousId} to empty string\n`);
      return;
    case 'loaded':
      out.stream(`Loaded image: ${event.name}\n`);
      return;
    case 'loaded-id':
      out.stream(`Loaded image ID: ${event.id}\n`);
  }
}
