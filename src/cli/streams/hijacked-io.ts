/**
 * docker's hijackedIOStreamer: joins the local stdio to a hijacked attach or exec connection.
 * Output is raw for a TTY, else stdcopy frames split into stdout and stderr. Input (when
 * attached) goes to the connection; on a TTY the terminal is raw and the detach keys end
 * the session; at the end of input the connection is half-closed so the process sees EOF.
 */
import type { Readable, Writable } from 'node:stream';
import { FrameDemuxer, type HijackedConnection } from '../../api/client/index.js';
import { EscapeProxy, detachKeyBytes, DEFAULT_DETACH_KEYS } from './escape-proxy.js';
import { setRawTerminal } from './terminal.js';

/** The detach sequence was typed (term.EscapeError). */
export class DetachedError extends Error {
  constructor() {
    super('read escape sequence');
  }
}

export interface StreamOptions {
  conn: HijackedConnection;
  tty: boolean;
  /** Local input to send, when stdin is attached. */
  input?: Readable;
  output?: Writable;
  error?: Writable;
  detachKeys?: string;
  /** Where to warn about unusable detach keys. */
  warn?: (text: string) => void;
}

export interface StreamSession {
  /** Resolves when the session is over: output ended, or input ended with no output attached; rejects with DetachedError. */
  done: Promise<void>;
  /** Stops streaming at once (the connection is dropped, the terminal restored). */
  cancel(): void;
}

function writeTo(stream: Writable | undefined, chunk: Buffer): Promise<void> | undefined {
  if (!stream || chunk.length === 0) return undefined;
  if (stream.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const finish = () => { stream.off('drain', finish); stream.off('close', finish); stream.off('error', finish); resolve(); };
    stream.once('drain', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}

export function streamHijacked(options: StreamOptions): StreamSession {
  const { conn, tty, input, output, error } = options;
  let restoreInput: () => void = () => {};
  let proxy: EscapeProxy | undefined;
  if (input && tty) {
    restoreInput = setRawTerminal(input);
    let keys = DEFAULT_DETACH_KEYS;
    if (options.detachKeys) {
      try {
        keys = detachKeyBytes(options.detachKeys);
      } catch (err) {
        options.warn?.(`invalid detach escape keys, using default: ${(err as Error).message}\n`);
      }
    }
    proxy = new EscapeProxy(keys);
  }

  let finished = false;
  let resolveDone!: () => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<void>((resolve, reject) => { resolveDone = resolve; rejectDone = reject; });
  const stopInput = () => {
    if (!input) return;
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('error', onEnd);
    input.pause();
  };
  const finish = (err?: unknown) => {
    if (finished) return;
    finished = true;
    stopInput();
    restoreInput();
    if (err) rejectDone(err);
    else resolveDone();
  };

  // ---- output
  const hasOutput = output !== undefined || error !== undefined;
  let outputEnded = false;
  const onOutputEnd = () => {
    if (outputEnded) return;
    outputEnded = true;
    if (tty) restoreInput();
    finish();
  };
  if (hasOutput) {
    if (tty) {
      conn.output.on('data', (chunk: Buffer) => {
        const wait = writeTo(output, chunk);
        if (wait) {
          conn.output.pause();
          void wait.then(() => conn.output.resume());
        }
      });
    } else {
      let pending: Promise<void>[] = [];
      const sink = (stream: Writable | undefined) => (b: Buffer) => {
        const wait = writeTo(stream, b);
        if (wait) pending.push(wait);
      };
      const demux = new FrameDemuxer({ stdout: sink(output), stderr: sink(error) });
      demux.on('error', (err) => finish(err));
      conn.output.on('data', (chunk: Buffer) => {
        demux.write(chunk);
        if (pending.length > 0) {
          const waits = pending;
          pending = [];
          conn.output.pause();
          void Promise.all(waits).then(() => conn.output.resume());
        }
      });
    }
    conn.output.once('end', onOutputEnd);
    conn.output.once('close', onOutputEnd);
    conn.output.once('error', onOutputEnd);
  } else {
    conn.output.resume();
  }

  // ---- input
  let inputEnded = false;
  const afterInput = () => {
    if (!hasOutput) finish();
  };
  const onEnd = () => {
    if (inputEnded) return;
    inputEnded = true;
    stopInput();
    restoreInput();
    conn.closeWrite();
    afterInput();
  };
  const onData = (chunk: Buffer) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (proxy) {
      const filtered = proxy.filter(data);
      data = filtered.data;
      if (data.length > 0) conn.write(data);
      if (filtered.detached) {
        inputEnded = true;
        stopInput();
        restoreInput();
        conn.close();
        finish(new DetachedError());
      }
      return;
    }
    if (!conn.write(data)) {
      input!.pause();
      void conn.drained().then(() => { if (!inputEnded && !finished) input!.resume(); });
    }
  };
  if (input) {
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onEnd);
    input.resume();
  } else {
    inputEnded = true;
    conn.closeWrite();
    afterInput();
  }

  return {
    done,
    cancel() {
      conn.close();
      finish();
    },
  };
}
