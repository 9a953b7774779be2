import type { Readable, Writable } from 'node:stream';
import { errorMessage, InvalidArgumentError } from '../../base/index.js';
import { containerLogs, type ContainerService, type ExecService } from '../../containers/index.js';
import type { RequestContext } from '../server/index.js';
import { hijack, FrameWriter, STDOUT, STDERR, type HijackedConnection } from '../server/index.js';

/** Where one output stream goes: framed with stdcopy, or raw for a TTY (everything is stdout then). */
function outputSink(conn: HijackedConnection, tty: boolean, stream: typeof STDOUT | typeof STDERR): { write(chunk: Uint8Array): boolean } {
  return tty ? conn.output : new FrameWriter(conn.output, stream);
}

/** Pipes a readable into a sink, honouring back-pressure; resolves when the readable ends. */
function pump(source: Readable, sink: { write(chunk: Uint8Array): boolean }, drainFrom: Writable): Promise<void> {
  return new Promise((resolve) => {
    source.on('data', (chunk: Buffer) => {
      if (!sink.write(chunk)) {
        source.pause();
        drainFrom.once('drain', () => source.resume());
      }
    });
    source.once('end', resolve);
    source.once('close', resolve);
    source.once('error', () => resolve());
  });
}

/**
 * Docker's detach sequence in an attached stdin (default ctrl-p ctrl-q): returns a filter that
 * passes input through until the sequence is typed, then calls `onDetach`.
 */
export function detachFilter(keys: string, onDetach: () => void): (chunk: Buffer) => Buffer {
  const sequence = parseDetachKeys(keys || 'ctrl-p,ctrl-q');
  let matched = 0;
  return (chunk) => {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === sequence[matched]) {
        matched++;
        if (matched === sequence.length) {
          onDetach();
          return Buffer.from(out);
        }
        continue;
      }
      if (matched > 0) out.push(...sequence.slice(0, matched));
      matched = byte === sequence[0] ? 1 : 0;
      if (matched === 0) out.push(byte);
    }
    return Buffer.from(out);
  };
}

function parseDetachKeys(keys: string): number[] {
  return keys.split(',').map((key) => {
    const k = key.trim().toLowerCase();
    if (k.startsWith('ctrl-') && k.length === 6) {
      const c = k[5]!;
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      return { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, '_': 31 }[c] ?? 0;
    }
    return k.charCodeAt(0);
  });
}

/**
 * `POST /containers/{id}/attach`: hijacks the connection at once (the docker CLI waits for
 * that before it starts the container), then joins the container's stdio — during `start`
 * for a container not yet running, so no output is lost.
 */
export async function attachToContainer(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const record = containers.get(ctx.params.id!);
  const tty = record.config.Tty;
  const wantStdin = ctx.bool('stdin');
  const wantStdout = ctx.bool('stdout');
  const wantStderr = ctx.bool('stderr');
  const conn = hijack(ctx, { tty });
  try {
    if (ctx.bool('logs')) {
      for await (const line of containerLogs(containers, record.id, { stdout: wantStdout, stderr: wantStderr })) {
        outputSink(conn, tty, line.stream === 'stdout' ? STDOUT : STDERR).write(line.data);
      }
    }
    if (!ctx.boolOr('stream', true) && ctx.query.has('stream')) {
      conn.close();
      return;
    }
    const session = await containers.attach(record.id, { stdin: wantStdin, stdout: wantStdout, stderr: wantStderr });
    let detached = false;
    if (wantStdin && session.stdin && conn.upgraded) {
      const filter = detachFilter(ctx.string('detachKeys'), () => {
        detached = true;
        conn.close();
      });
      const stdin = session.stdin;
      conn.input.on('data', (chunk: Buffer) => {
        if (detached) return;
        const data = tty ? filter(chunk) : chunk;
        if (data.length > 0) stdin.write(data);
      });
      // The client half-closed: pass the end of input on (StdinOnce containers then see EOF).
      conn.input.once('end', () => { if (!detached) stdin.end(); });
    }
    conn.input.once('close', () => { if (!detached) session.stdout.destroy(); });
    await Promise.all([
      pump(session.stdout, outputSink(conn, tty, STDOUT), conn.output),
      tty ? Promise.resolve() : pump(session.stderr, outputSink(conn, tty, STDERR), conn.output),
    ]);
  } catch (err) {
    // A start that failed reports its error to the start request; the stream just ends.
    ctx.logger.debug('attach ended with an error', { error: errorMessage(err) });
  } finally {
    conn.close();
  }
}

/** `GET /containers/{id}/logs`: framed (or raw for a TTY), following until the container stops. */
export async function streamLogs(ctx: RequestContext, containers: ContainerService): Promise<void> {
  const record = containers.get(ctx.params.id!);
  const stdout = ctx.bool('stdout');
  const stderr = ctx.bool('stderr');
  if (!stdout && !stderr) throw new InvalidArgumentError('You must choose at least one stream');
  const tail = ctx.string('tail');
  const tty = record.config.Tty;
  ctx.res.setHeader('Content-Type', tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
  ctx.res.writeHead(200);
  ctx.res.flushHeaders();
  const out = { write: (chunk: Uint8Array) => ctx.res.write(chunk) };
  const frames = { stdout: tty ? out : new FrameWriter(out, STDOUT), stderr: tty ? out : new FrameWriter(out, STDERR) };
  try {
    for await (const line of containerLogs(containers, record.id, {
      stdout,
      stderr,
      follow: ctx.bool('follow'),
      timestamps: ctx.bool('timestamps'),
      since: parseTime(ctx.string('since')),
      until: parseTime(ctx.string('until')),
      tail: tail === '' || tail === 'all' ? undefined : Number.parseInt(tail, 10),
      signal: ctx.signal,
    })) {
      if (ctx.signal.aborted) break;
      if (!frames[line.stream].write(line.data)) await new Promise((r) => ctx.res.once('drain', r));
    }
  } finally {
    ctx.res.end();
  }
}

function parseTime(value: string): number | undefined {
  if (value === '' || value === '0') return undefined;
  return Number(value);
}

/**
 * `POST /exec/{id}/start`: detached, the process just starts; otherwise the connection is
 * hijacked and carries the process's stdio until it exits.
 */
export async function startExec(ctx: RequestContext, execs: ExecService, body: { Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }): Promise<void> {
  const consoleSize = body.ConsoleSize ? { height: body.ConsoleSize[0], width: body.ConsoleSize[1] } : undefined;
  if (body.Detach) {
    const session = await execs.start(ctx.params.id!, { tty: body.Tty, consoleSize });
    session.close();
    ctx.sendStatus(200);
    return;
  }
  const tty = body.Tty ?? false;
  const conn = hijack(ctx, { tty });
  try {
    const session = await execs.start(ctx.params.id!, { tty, consoleSize });
    if (session.stdin && conn.upgraded) {
      const stdin = session.stdin;
      conn.input.on('data', (chunk: Buffer) => stdin.write(chunk));
      conn.input.once('end', () => stdin.end());
    }
    await Promise.all([
      pump(session.stdout, outputSink(conn, tty, STDOUT), conn.output),
      pump(session.stderr, outputSink(conn, tty, STDERR), conn.output),
    ]);
    await session.exited.catch(() => {});
  } catch (err) {
    if (!tty) new FrameWriter(conn.output, STDERR).write(Buffer.from(`${errorMessage(err)}\n`));
    else conn.output.write(`${errorMessage(err)}\r\n`);
  } finally {
    conn.close();
  }
}
