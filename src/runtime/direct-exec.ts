import { spawn } from 'node:child_process';
import { existsSync, readFileSync, watch } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { constants as osConstants } from 'node:os';
import { InternalError, writeJsonAtomic } from '../base/index.js';
import type { ExecDeps, ExecSession } from './exec-session.js';
import { execProcessSpec } from './exec-session.js';
import { runtimeErrorText, runtimeFailure } from './runtime-errors.js';

/**
 * An exec without a terminal, run as `runc exec` in the foreground straight from the daemon:
 * runc hands our pipes to the process as its stdio and exits with its exit code (128+n for
 * signal n). That saves the monitor process and its handshake of the conmon path (about a
 * third of an exec's time here); a terminal still needs conmon, which holds the console.
 *
 * The process has started once runc has written the pid file (it does so after the process
 * exec'd); runc exiting without one means it never started, and its stderr — on the same pipe
 * the process would have used, which no one has read yet — is the reason.
 */
export async function startDirectExecSession(deps: ExecDeps): Promise<ExecSession> {
  const { containerId: id, execId, options, paths } = deps;
  if (options.args.length === 0) throw new InternalError(`container ${id}: exec needs a command`);
  const processSpec = await execProcessSpec(deps);
  const dir = paths.execDir(id, execId);
  const pidFile = paths.execPidFile(id, execId);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeJsonAtomic(paths.execProcessFile(id, execId), processSpec, { compact: true, durable: false });

  const watcher = watch(dir);
  const child = spawn(deps.runtimePath, [...deps.runtimeArgs, 'exec', '--pid-file', pidFile, '--process', paths.execProcessFile(id, execId), id], {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  // Our own streams take the output from the start: node drains a child's pipes that nobody
  // reads once it exits, which would lose runc's error text (or a quick process's output).
  const stdoutPipe = child.stdout!.pipe(new PassThrough());
  const stderrPipe = child.stderr!.pipe(new PassThrough());
  const closed = new Promise<number>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : -1)));
  });
  let started: boolean;
  try {
    started = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => reject(new InternalError(`container ${id} exec ${execId}: runc did not start the process within ${deps.timeoutMs} ms`)), deps.timeoutMs);
      const settle = (value: boolean) => { clearTimeout(timer); resolve(value); };
      watcher.on('change', (_type, name) => { if (name?.toString() === basename(pidFile) && existsSync(pidFile)) settle(true); });
      watcher.on('error', () => { /* the exit decides */ });
      child.once('exit', () => settle(existsSync(pidFile)));
      child.once('error', (err) => { clearTimeout(timer); reject(err); });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await closed;
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw err;
  } finally {
    watcher.close();
  }
  if (!started) {
    const stderr = await readAll(stderrPipe);
    await closed;
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw runtimeFailure(id, 'exec', runtimeErrorText(stderr));
  }

  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const stdout = options.stdout === false ? dropped(stdoutPipe) : stdoutPipe;
  const stderr = options.stderr === false ? dropped(stderrPipe) : stderrPipe;
  const exited = (async () => {
    const code = await closed;
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    deps.logger.debug('exec exited', { id, execId, exitCode: code });
    return code;
  })();
  return {
    execId,
    pid,
    stdout,
    stderr,
    stdin: child.stdin ?? undefined,
    exited,
    // Output is still read and dropped, so the process never blocks or dies on a full pipe.
    close: () => {
      for (const stream of [stdoutPipe, stderrPipe]) {
        stream.unpipe();
        stream.removeAllListeners('data');
        stream.resume();
      }
    },
  };
}

/** Reads a stream and drops it; the stream handed out in its place is empty. */
function dropped(stream: Readable): Readable {
  stream.resume();
  return Readable.from([]);
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += (chunk as Buffer).toString();
  return text;
}
