import { mkdir, rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { InternalError, writeJsonAtomic, type Logger } from '../base/index.js';
import { AttachSession } from './attach-session.js';
import { readBundleConfig } from './bundle.js';
import { conmonExecArgs } from './conmon-args.js';
import { launchConmon, type ConmonLaunch } from './conmon-process.js';
import { readExitFile } from './exit-watcher.js';
import { killIfLive, readPidFile } from './monitor-pid.js';
import type { RunPaths } from './run-paths.js';
import { runtimeErrorText, runtimeFailure } from './runtime-errors.js';
import type { ProcessSpec } from './runtime-spec.js';
import { mergeEnv } from './spec-options.js';
import { resolveUser } from './user-lookup.js';

export interface ExecOptions {
  args: string[];
  /** Merged over the container's env (a bare KEY removes it), as `docker exec -e`. */
  env?: string[];
  /** Default: the container's working directory. */
  cwd?: string;
  /** `user[:group]` resolved in the container's rootfs; default: the container's user. */
  user?: string;
  tty?: boolean;
  /** Give the process a stdin pipe fed from the session's `stdin`. */
  stdin?: boolean;
  /** Deliver stdout / stderr (default true); unwanted output is dropped. */
  stdout?: boolean;
  stderr?: boolean;
  consoleSize?: { height: number; width: number };
}

export interface ExecSession {
  readonly execId: string;
  /** The exec'd process as seen from the host. */
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Present when `stdin` was asked for; end it to close the process's stdin. */
  readonly stdin: Writable | undefined;
  /**
   * The exit code (128+n for signal n) once the process exited and all its output was
   * delivered to `stdout`/`stderr`; the session's run state is removed by then.
   */
  readonly exited: Promise<number>;
  /** Stops delivering output; the process keeps running and `exited` still resolves. */
  close(): void;
}

export interface ExecDeps {
  containerId: string;
  execId: string;
  options: ExecOptions;
  paths: RunPaths;
  runtimePath: string;
  runtimeArgs: readonly string[];
  conmonPath: string;
  timeoutMs: number;
  logger: Logger;
}

/** The process spec of an exec: the container's own (capabilities, rlimits, …) with the exec's overrides. */
async function execProcessSpec(deps: ExecDeps): Promise<ProcessSpec> {
  const { containerId: id, options, paths } = deps;
  const config = await readBundleConfig(paths.configLink(id), id);
  const base = config.process;
  const env = mergeEnv(base.env ?? [], options.env ?? []);
  const spec: ProcessSpec = { ...base, args: [...options.args], env, cwd: options.cwd || base.cwd, terminal: options.tty === true };
  delete spec.consoleSize;
  if (options.tty && options.consoleSize) spec.consoleSize = { ...options.consoleSize };
  if (options.tty && !env.some((e) => e.startsWith('TERM='))) spec.env = [...env, 'TERM=xterm'];
  if (options.user) {
    const user = await resolveUser(config.rootfs, options.user);
    spec.user = { uid: user.uid, gid: user.gid };
    if (user.additionalGids.length > 0) spec.user.additionalGids = user.additionalGids;
  }
  return spec;
}

/**
 * Runs `runc exec --detach` under conmon's exec mode (API 1, --exec-attach), as Podman does,
 * rather than spawning `runc exec` as the daemon's child: conmon owns the process (it
 * outlives a daemon restart, its exit code lands in the session's exit dir) and the stdio
 * path is the same attach socket as the container's. The handshake:
 *   start byte 1 → conmon forks its monitor, which opens the attach socket and writes
 *   `{"data":0}` on the attach pipe → we connect → start byte 2 → conmon runs the runtime
 *   and writes `{"data":pid}` (or a negative value and the runtime's stderr) on the sync
 *   pipe, later `{"data":exitCode}`.
 */
export async function startExecSession(deps: ExecDeps): Promise<ExecSession> {
  const { containerId: id, execId, options, paths } = deps;
  if (options.args.length === 0) throw new InternalError(`container ${id}: exec needs a command`);
  const what = `container ${id} exec ${execId}`;
  const processSpec = await execProcessSpec(deps);
  const dir = paths.execDir(id, execId);
  await rm(dir, { recursive: true, force: true });
  await mkdir(paths.execExitDir(id, execId), { recursive: true, mode: 0o700 });
  // Run state for one exec, read once by runc: atomic, but nothing to keep across a crash.
  await writeJsonAtomic(paths.execProcessFile(id, execId), processSpec, { compact: true, durable: false });

  const args = conmonExecArgs({
    containerId: id,
    sessionId: execId,
    runtimePath: deps.runtimePath,
    runtimeArgs: deps.runtimeArgs,
    dir,
    containerPidFile: paths.execPidFile(id, execId),
    conmonPidFile: paths.execConmonPidFile(id, execId),
    exitDir: paths.execExitDir(id, execId),
    terminal: options.tty === true,
    stdin: options.stdin === true,
    processSpecPath: paths.execProcessFile(id, execId),
  });
  const launch = launchConmon(deps.conmonPath, args, { cwd: dir, what, attachPipe: true });
  let session: AttachSession | undefined;
  try {
    launch.signalStart();
    const code = await launch.exitedWithin(deps.timeoutMs);
    if (code !== 0) throw new InternalError(`${what}: conmon failed (exit ${code}): ${launch.stderr() || 'no message'}`);
    const ready = await launch.attach!.next(deps.timeoutMs);
    if (!ready || ready.data < 0) throw await failure(launch, id, deps.timeoutMs, `${what}: conmon did not open the attach socket`);
    session = AttachSession.connect(paths.execAttachSocket(id, execId), what, {
      stdin: options.stdin, stdout: options.stdout, stderr: options.stderr,
    });
    launch.signalStart();
    const started = await launch.sync.next(deps.timeoutMs);
    if (!started) throw new InternalError(`${what}: conmon exited without reporting the process's pid`);
    if (started.data < 0) throw runtimeFailure(id, 'exec', runtimeErrorText(started.message ?? ''));
    const attached = session;
    const exited = (async () => {
      const [message] = await Promise.all([launch.sync.next(Infinity).catch(() => undefined), attached.ended]);
      const exitCode = message?.data ?? (await readExitFile(paths.execExitFile(id, execId)))?.exitCode ?? -1;
      launch.release();
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      deps.logger.debug('exec exited', { id, execId, exitCode });
      return exitCode;
    })();
    return {
      execId,
      pid: started.data,
      stdout: attached.stdout,
      stderr: attached.stderr,
      stdin: attached.stdin,
      exited,
      close: () => attached.close(),
    };
  } catch (err) {
    session?.close();
    launch.release();
    const conmonPid = await readPidFile(paths.execConmonPidFile(id, execId)).catch(() => undefined);
    if (conmonPid !== undefined) await killIfLive(conmonPid, 'conmon');
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

/** The best error for a session that failed before attaching: the runtime's message if conmon sent one. */
async function failure(launch: ConmonLaunch, id: string, timeoutMs: number, fallback: string): Promise<Error> {
  const message = await launch.sync.next(Math.min(timeoutMs, 5_000)).catch(() => undefined);
  if (message && message.data < 0 && message.message) return runtimeFailure(id, 'exec', runtimeErrorText(message.message));
  const stderr = launch.stderr();
  return new InternalError(stderr ? `${fallback}: ${stderr}` : fallback);
}
