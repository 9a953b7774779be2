import { InvalidArgumentError } from '../../base/index.js';
import type { RouteModule, RequestContext } from '../server/index.js';
import { encodeEvent, type RecordedEvent } from '../server/event-bus.js';
import { nowNanos, parseUnixTimestamp } from '../types/index.js';
import type { ApiDeps } from './deps.js';

/** `GET /events`: past events in the `since`/`until` window, then live ones as JSON lines. */
export const eventRoutes: RouteModule<ApiDeps> = (router, deps) => {
  router.get('/events', (ctx) => streamEvents(ctx, deps));
};

async function streamEvents(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const sinceText = ctx.string('since');
  const untilText = ctx.string('until');
  const since = parse('since', sinceText);
  const until = parse('until', untilText);
  if (until !== undefined && since !== undefined && until < since) {
    throw new InvalidArgumentError(`\`since\` time (${sinceText}) cannot be after \`until\` time (${untilText})`);
  }
  const filter = ctx.filters();
  const legacy = ctx.versionBefore('1.52');
  const { res } = ctx;
  res.setHeader('Content-Type', legacy ? 'application/json' : 'application/x-ndjson');
  res.writeHead(200);
  res.flushHeaders();

  await new Promise<void>((resolve) => {
    let done = false;
    const send = (event: RecordedEvent) => {
      if (until !== undefined && event.nanos > until) return finish();
      if (!res.destroyed) res.write(encodeEvent(event, legacy));
    };
    const subscription = deps.events.subscribe({ since, until, filter }, send, () => finish());
    let timer: NodeJS.Timeout | undefined;
    function finish() {
      if (done) return;
      done = true;
      subscription.close();
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', finish);
      resolve();
    }
    ctx.signal.addEventListener('abort', finish);
    for (const event of subscription.past) send(event);
    if (until !== undefined) {
      const remainingMs = Number((until - nowNanos()) / 1_000_000n);
      if (remainingMs <= 0) return finish();
      timer = setTimeout(finish, Math.min(remainingMs, 2 ** 31 - 1));
    }
  });
  if (!res.writableEnded && !res.destroyed) res.end();
}

function parse(name: string, value: string): bigint | undefined {
  try {
    return parseUnixTimestamp(value);
  } catch (err) {
    throw new InvalidArgumentError(`invalid value for '${name}': ${(err as Error).message}`);
  }
}
