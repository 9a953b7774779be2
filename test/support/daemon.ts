import { spawn, type ChildProcess } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';

const top = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const STRATA_BIN = join(top, 'bin', 'strata');
export const STRATAD_BIN = join(top, 'bin', 'stratad');

export interface TestDaemon {
  root: string;
  execRoot: string;
  socket: string;
  host: string;
  pid: number;
  child: ChildProcess;
  /** Everything the daemon wrote to stdout and stderr so far. */
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal). */
  stop(graceMs?: number): Promise<number | string | null>;
}

/**
 * Starts `stratad` as a child on private directories under `dir` (never the defaults) and
 * waits, in a bounded loop, until it answers /_ping. The caller stops it by PID, even on
 * failure (t.after(() => daemon.stop())).
 */
export async function startDaemon(dir: string, extraArgs: string[] = []): Promise<TestDaemon> {
  const root = join(dir, 'root');
  const execRoot = join(dir, 'exec');
  const socket = join(dir, 'strata.sock');
  await mkdir(dir, { recursive: true });
  // A config file of its own, so the machine's /etc/strata/daemon.json never leaks into a test.
  const config = join(dir, 'daemon.json');
  await writeFile(config, '{}\n');
  // Run as installed, so its shebang's V8 flags apply; this node first on PATH for `env node`.
  const child = spawn(STRATAD_BIN, ['--root', root, '--exec-root', execRoot, '--host', `unix://${socket}`, '--config', config, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, STRATA_LOG_LEVEL: 'debug' },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let stopped = false;
  const daemon: TestDaemon = {
    root, execRoot, socket, host: `unix://${socket}`, pid: child.pid!, child,
    log: () => output,
    async stop(graceMs = 10_000) {
      if (!stopped) {
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid!, 'SIGTERM');
          const timer = setTimeout(() => { try { process.kill(child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
          const result = await exited;
          clearTimeout(timer);
          return result;
        }
      }
      return exited;
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`stratad exited with ${child.exitCode} during start-up:\n${output}`);
    if (await pingOk(socket)) return daemon;
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`stratad did not answer on ${socket} within 30s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pingOk(socketPath: string): Promise<boolean> {
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

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program (argv, no shell) with optional stdin, bounded in time. */
export function run(argv: string[], options: { env?: NodeJS.ProcessEnv; input?: Buffer | string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    const child = spawn(file!, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** `node bin/strata --host … args`. */
export function strata(daemon: TestDaemon, args: string[], options: { input?: Buffer | string } = {}): Promise<RunResult> {
  return run([process.execPath, '--', STRATA_BIN, '--host', daemon.host, ...args], options);
}
