import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { request } from 'node:http';
import { sleep } from '../process.js';

export interface DaemonProcess {
  pid: number;
  /** Milliseconds from spawn until the API first answered /_ping. */
  startMs: number;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once the process is reaped. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a daemon from an argv array in its own process group (so a terminal's Ctrl-C reaches
 * the bench, which then stops it in order) with its output in `logFile`, and waits, bounded,
 * until it answers /_ping on `socket`.
 */
export async function startDaemonProcess(argv: string[], socket: string, logFile: string, options: { env?: NodeJS.ProcessEnv; readyTimeoutMs?: number; onSpawned?: (stop: () => Promise<void>) => void } = {}): Promise<DaemonProcess> {
  const [file, ...args] = argv;
  const log = openSync(logFile, 'a');
  const started = process.hrtime.bigint();
  let child: ChildProcess;
  try {
    child = spawn(file!, args, { detached: true, stdio: ['ignore', log, log], env: options.env ?? process.env });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.on('error', () => { /* reported below as "exited during start-up" */ });
  const stop = async (graceMs = 20_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
    try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  // Registered before the wait for readiness, so an interrupt during start-up still stops it.
  options.onSpawned?.(() => stop());
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`${file} exited during start-up (see ${logFile})`);
    }
    if (await pingOk(socket)) {
      return { pid: child.pid, startMs: Number(process.hrtime.bigint() - started) / 1e6, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${file} did not answer on ${socket} in time (see ${logFile})`);
    }
    await sleep(20);
  }
}

export function pingOk(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}
