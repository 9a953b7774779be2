import type { Readable, Writable, Duplex } from 'node:stream';
import type { RequestContext } from './request-context.js';
import { InvalidArgumentError } from '../../base/index.js';

export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';
export const RAW_STREAM = 'application/vnd.docker.raw-stream';

/** A connection taken over from HTTP: stdin comes from `input`, output goes to `output`. */
export interface HijackedConnection {
  input: Readable;
  output: Writable;
  /** True when the client upgraded (`Upgrade: tcp`), so `input` carries its stdin. */
  upgraded: boolean;
  /** Ends the output and closes the connection. */
  close(): void;
}

/**
 * Takes the connection over for attach/exec, as Docker does. With `Upgrade: tcp` the answer
 * is `101 UPGRADED` with `Connection: Upgrade`, `Upgrade: tcp`, and from then on the socket
 * is a raw duplex stream (stdin in; stdout/stderr out, framed with stdcopy unless TTY).
 * Without it (clients that only read output) the answer is a 200 whose body is the stream.
 * Handlers must do their checks (no such container…) before calling this, while an ordinary
 * error response is still possible.
 */
export function hijack(ctx: RequestContext, options: { tty: boolean }): HijackedConnection {
  if (ctx.hijacked || ctx.res.headersSent) throw new InvalidArgumentError('the connection was already answered');
  const contentType = options.tty ? RAW_STREAM : MULTIPLEXED_STREAM;
  ctx.hijacked = true;
  if (ctx.upgrade) {
    const socket: Duplex = ctx.upgrade.socket;
    const head = ['HTTP/1.1 101 UPGRADED', `Content-Type: ${contentType}`, 'Connection: Upgrade', 'Upgrade: tcp'];
    for (const [name, value] of Object.entries(ctx.res.getHeaders())) {
      if (value !== undefined && !/^(content-type|connection|upgrade|content-length)$/i.test(name)) head.push(`${headerCase(name)}: ${String(value)}`);
    }
    ctx.res.detachSocket(socket as never);
    socket.write(head.join('\r\n') + '\r\n\r\n');
    let closed = false;
    return {
      input: socket,
      output: socket,
      upgraded: true,
      close() {
        if (closed) return;
        closed = true;
        socket.end();
        // Give the client a moment to read the tail, then make sure the socket is gone.
        setTimeout(() => socket.destroy(), 2000).unref();
      },
    };
  }
  ctx.res.setHeader('Content-Type', contentType);
  ctx.res.writeHead(200);
  ctx.res.flushHeaders();
  let closed = false;
  return {
    input: ctx.req,
    output: ctx.res,
    upgraded: false,
    close() {
      if (closed) return;
      closed = true;
      ctx.res.end();
    },
  };
}

function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
