import { pipeline } from 'node:stream/promises';
import { statPath, getArchive, putArchive, type ContainerService } from '../../containers/index.js';
import type { RequestContext } from '../server/index.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function statHeader(stat: unknown): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

/** `HEAD /containers/{id}/archive`: the path's stat in a header, no body (errors too). */
export async function headArchive(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const stat = await statPath(containers, ctx.params.id!, ctx.string('path'));
  ctx.res.setHeader(STAT_HEADER, statHeader(stat));
  ctx.sendStatus(200);
}

/**
 * `GET /containers/{id}/archive`: a tar of the path. The tar holds the container's files (and,
 * for a stopped container, its mount) until it is read or destroyed: a client that goes away
 * destroys it.
 */
export async function getArchiveRoute(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const { stat, tar } = await getArchive(containers, ctx.params.id!, ctx.string('path'));
  ctx.res.setHeader(STAT_HEADER, statHeader(stat));
  ctx.res.setHeader('Content-Type', 'application/x-tar');
  ctx.res.writeHead(200);
  const onAbort = () => tar.destroy();
  ctx.signal.addEventListener('abort', onAbort);
  try {
    await pipeline(tar, ctx.res);
  } catch {
    tar.destroy();
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** `PUT /containers/{id}/archive`: extracts the tar body into a directory of the container. */
export async function putArchiveRoute(ctx: RequestContext, containers: ContainerService): Promise<void> {
  try {
    await putArchive(containers, ctx.params.id!, ctx.string('path'), ctx.req, {
      noOverwriteDirNonDir: ctx.bool('noOverwriteDirNonDir'),
      copyUIDGID: ctx.bool('copyUIDGID'),
    });
  } finally {
    // What the extraction did not read (a refused destination, or the zero blocks that pad
    // a tar after its end marker) is drained, so the client's upload completes at once.
    ctx.req.resume();
  }
  await new Promise<void>((resolve) => {
    if (ctx.req.readableEnded) resolve();
    else ctx.req.once('end', resolve).once('close', resolve);
  });
  ctx.sendStatus(200);
}
