import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A child whose output is read as it comes (a build step's RUN), not collected at the end. */
export interface SpawnedProcess {
  readonly pid: number | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles once the child has exited and been reaped; never rejects. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a program from an argv array (never a shell string) with stdin on /dev/null and
 * stdout/stderr as pipes the caller must read. The caller bounds its life: it kills the child
 * when it no longer wants it, and awaits `exited`, so every child is reaped.
 */
export function spawnProcess(argv: readonly string[], options: SpawnOptions = {}): SpawnedProcess {
  const [file, ...args] = argv;
  if (!file) throw new Error('spawnProcess: empty argv');
  const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
      // A child that never started emits no 'close'.
      if (child.pid === undefined) resolve({ code: null, signal: null, error: err });
    });
    child.once('close', (code, signal) => resolve({ code, signal, ...(spawnError ? { error: spawnError } : {}) }));
  });
  return {
    pid: child.pid,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
