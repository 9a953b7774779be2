import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { z } from 'zod';
import { InternalError } from '../base/index.js';

/** One message conmon writes on a sync pipe (API version 1): a pid, an exit code, or a failure. */
export interface SyncMessage {
  data: number;
  message?: string;
}

const syncMessageSchema = z.looseObject({ data: z.number().int(), message: z.string().optional() });

/**
 * Reads conmon's newline-separated JSON messages from a pipe, one at a time. Conmon writes
 * `{"data": pid}` once the runtime has created the process (or `{"data": -1, "message":
 * "<runtime stderr>"}` when it failed) and, for exec sessions, `{"data": exitCode}` at the end.
 */
export class SyncPipeReader {
  private buffer = '';
  private readonly queue: SyncMessage[] = [];
  private waiter: { resolve: (m: SyncMessage | undefined) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(private readonly socket: Socket, private readonly what: string) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', (err) => {
      // A reset is how a pipe whose writer died ends; anything else is worth reporting.
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') this.failure = err;
      this.finish();
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line === '') continue;
      let message: SyncMessage;
      try {
        message = syncMessageSchema.parse(JSON.parse(line));
      } catch {
        this.failure = new InternalError(`${this.what}: conmon sent an unreadable message: ${line.slice(0, 200)}`);
        this.finish();
        return;
      }
      this.deliver(message);
    }
  }

  private deliver(message: SyncMessage): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(message);
    } else {
      this.queue.push(message);
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      if (this.failure) w.reject(this.failure);
      else w.resolve(undefined);
    }
  }

  /** The next message; undefined when conmon closed the pipe without sending one. */
  next(timeoutMs: number): Promise<SyncMessage | undefined> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return this.failure ? Promise.reject(this.failure) : Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(() => {
          this.waiter = undefined;
          reject(new InternalError(`${this.what}: conmon did not report within ${Math.round(timeoutMs / 1000)}s`));
        }, timeoutMs)
        : undefined;
      this.waiter = {
        resolve: (m) => { if (timer) clearTimeout(timer); resolve(m); },
        reject: (e) => { if (timer) clearTimeout(timer); reject(e); },
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface ConmonLaunch {
  /** The first conmon process: it forks the real monitor and exits at once. */
  child: ChildProcess;
  /** conmon's stderr until it detaches from it (option errors, pidfile failures). */
  stderr: () => string;
  /**
   * The first process's exit code (0 once the monitor is forked); past `timeoutMs` it is
   * killed and the result is null.
   */
  exitedWithin: (timeoutMs: number) => Promise<number | null>;
  sync: SyncPipeReader;
  /** Sends a start byte: conmon waits for the first before forking, an --exec-attach for a second before running the runtime. */
  signalStart: () => void;
  /** `{"data": 0}` once an --exec-attach session's attach socket listens. */
  attach?: SyncPipeReader;
  /** Releases our ends of every pipe. */
  release: () => void;
}

/**
 * Keeps each idle conmon under 2 MiB resident; nearly all of its RSS is shared library pages,
 * which count in full for every process that touched them.
 * - LD_BIND_NOW: glibc resolves the few symbols it binds lazily (realloc among them) before
 *   conmon forks its background monitor, instead of in it; the lookup alone touches the
 *   loader's code and every library's symbol tables, some 400 KiB.
 * - glibc.cpu.hwcaps: the AVX-512 variants of glibc's string functions span more code pages
 *   than the AVX2 ones conmon then uses (about 110 KiB); a no-op on CPUs without AVX-512.
 * runc inherits both, harmlessly; the container's environment comes from its spec.
 */
const MONITOR_MEMORY_ENV = {
  LD_BIND_NOW: '1',
  GLIBC_TUNABLES: 'glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW',
};

/**
 * Starts conmon with its sync and start pipes (and the attach pipe for exec sessions) as fds
 * 3, 4 and 5 — the only fds it gets besides stderr; stdin and stdout are /dev/null. Its
 * environment is PATH, the pipe numbers and MONITOR_MEMORY_ENV only. It runs in a session of its own and
 * double-forks, so the monitor is re-parented to init and outlives the daemon; the first
 * process exits at once and is reaped here.
 */
export function launchConmon(conmonPath: string, args: readonly string[], options: { cwd: string; what: string; attachPipe?: boolean }): ConmonLaunch {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    _OCI_SYNCPIPE: '3',
    _OCI_STARTPIPE: '4',
    ...MONITOR_MEMORY_ENV,
  };
  if (options.attachPipe) env._OCI_ATTACHPIPE = '5';
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'];
  if (options.attachPipe) stdio.push('pipe');
  const child = spawn(conmonPath, [...args], { cwd: options.cwd, env, stdio, detached: true });
  const stderrChunks: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => { if (stderrChunks.length < 64) stderrChunks.push(c); });
  child.stderr?.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      stderrChunks.push(Buffer.from(String(err.message)));
      resolve(-1);
    });
    child.on('exit', (code) => resolve(code));
  });
  const pipes = child.stdio as unknown as Array<Socket | null>;
  const syncSocket = pipes[3]!;
  const startSocket = pipes[4]!;
  startSocket.on('error', () => {});
  const sync = new SyncPipeReader(syncSocket, options.what);
  const attach = options.attachPipe ? new SyncPipeReader(pipes[5]!, options.what) : undefined;
  return {
    child,
    stderr: () => Buffer.concat(stderrChunks).toString('utf8').trim(),
    exitedWithin: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          stderrChunks.push(Buffer.from(`conmon did not fork within ${Math.round(timeoutMs / 1000)}s`));
          resolve(null);
        }, timeoutMs);
      });
      return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    },
    sync,
    attach,
    signalStart: () => { if (!startSocket.destroyed) startSocket.write(Buffer.from([0])); },
    release: () => {
      startSocket.destroy();
      sync.close();
      attach?.close();
      child.stderr?.destroy();
    },
  };
}
