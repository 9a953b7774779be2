import { EventEmitter } from 'node:events';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readdir, rm, symlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConflictError, InternalError, NotFoundError, UnavailableError, errnoCode, isNotFound, silentLogger, type Logger,
} from '../base/index.js';
import { AttachSession, type AttachOptions } from './attach-session.js';
import { BUNDLE_CONFIG, readBundleConfig, writeBundle } from './bundle.js';
import { hostBoundingCapabilities } from './capabilities.js';
import { conmonCreateArgs } from './conmon-args.js';
import { launchConmon, type ConmonLaunch } from './conmon-process.js';
import { startExecSession, type ExecOptions, type ExecSession } from './exec-session.js';
import { ExitWatcher, type ExitRecord } from './exit-watcher.js';
import { isLiveProcess, killIfLive, readPidFile, waitProcessGone } from './monitor-pid.js';
import { RuncCli, type RuncState } from './runc-cli.js';
import { runtimeErrorText, runtimeFailure } from './runtime-errors.js';
import { findConmon, findOciRuntime, type BinaryInfo, type OciRuntimeName } from './runtime-binary.js';
import { checkSpecFeatures, loadRuntimeFeatures, type RuntimeFeatures } from './runtime-features.js';
import type { RuntimeSpec } from './runtime-spec.js';
import { RunPaths } from './run-paths.js';
import { normalizeSignal } from './signals.js';
import { checkContainerId } from './spec-defaults.js';
import { STOP_SIGNAL_ANNOTATION } from './spec-options.js';

export interface ConmonRuntimeOptions {
  /** Run-state root (production: /run/strata). See RunPaths for the layout. */
  execRoot: string;
  /** `runc` (default) or `crun`. */
  runtimeName?: OciRuntimeName;
  runtimePath?: string;
  conmonPath?: string;
  logger?: Logger;
  /** Pass --no-pivot (rootfs on a ramfs, where pivot_root fails). */
  noPivot?: boolean;
  /** How long `runc create`/`exec` may take before conmon is killed (default 2 min). */
  createTimeoutMs?: number;
}

export interface CreateOptions {
  /** The bundle holding config.json (written with writeBundle). */
  bundleDir: string;
  /** conmon's k8s-file log (see k8s-log.ts); its directory is created. No ':' allowed. */
  logPath: string;
  /** Keep the container's stdin open as a pipe that attach clients write to (docker run -i). */
  stdin?: boolean;
  /** Keep stdin open when an attached client ends its input (Docker's StdinOnce=false). */
  leaveStdinOpen?: boolean;
  /** Rotate the log past this many bytes (conmon keeps only the newest file). */
  logSizeMax?: number;
  /** Container name, for conmon's own messages. */
  name?: string;
}

export interface CreatedContainer {
  /** The container's init process, as seen from the host. */
  pid: number;
  /** The conmon monitor holding its stdio. */
  conmonPid: number | undefined;
}

/** A recorded exit, with conmon's OOM flag (set when the memory cgroup killed a process). */
export interface ExitInfo extends ExitRecord {
  oomKilled: boolean;
}

export interface TerminalSize {
  height: number;
  width: number;
}

/**
 * Runs containers with an OCI runtime (runc) under conmon, the monitor Podman and CRI-O use:
 * conmon double-forks away from the daemon, holds the container's stdio, writes its log and
 * its exit code, and serves the attach socket — so containers outlive a daemon restart and
 * are re-adopted from the files under the exec root (RunPaths).
 *
 * Events: `exit` (id, ExitInfo) for every container that exits, from one inotify watch on
 * the exit dir. Exec sessions report their exit through their own pipe instead.
 */
export class ConmonRuntime extends EventEmitter {
  readonly paths: RunPaths;
  readonly runc: RuncCli;
  private readonly watcher: ExitWatcher;
  private featuresPromise: Promise<RuntimeFeatures> | undefined;
  private hostCapsPromise: Promise<string[]> | undefined;

  private constructor(
    readonly runtime: BinaryInfo,
    readonly conmon: BinaryInfo,
    private readonly options: ConmonRuntimeOptions,
    private readonly logger: Logger,
  ) {
    super();
    this.paths = new RunPaths(options.execRoot);
    this.runc = new RuncCli(runtime.path, this.paths.runcRoot);
    this.watcher = new ExitWatcher(this.paths.exitDir, logger);
    this.watcher.on('exit', (id: string, record: ExitRecord) => {
      void this.withOom(id, record).then((info) => this.emit('exit', id, info));
    });
  }

  /** Finds and checks runc (or crun) and conmon, prepares the exec root and starts watching exits. */
  static async open(options: ConmonRuntimeOptions): Promise<ConmonRuntime> {
    const [runtime, conmon] = await Promise.all([
      findOciRuntime(options.runtimeName ?? 'runc', options.runtimePath),
      findConmon(options.conmonPath),
    ]);
    const logger = (options.logger ?? silentLogger).child({ module: 'runtime' });
    const rt = new ConmonRuntime(runtime, conmon, options, logger);
    await mkdir(rt.paths.runcRoot, { recursive: true, mode: 0o700 });
    await mkdir(rt.paths.containersDir, { recursive: true, mode: 0o700 });
    await rt.watcher.start();
    return rt;
  }

  private get createTimeoutMs(): number {
    return this.options.createTimeoutMs ?? 120_000;
  }

  /** `runc features`, once. */
  features(): Promise<RuntimeFeatures> {
    this.featuresPromise ??= loadRuntimeFeatures(this.runtime.path);
    this.featuresPromise.catch(() => { this.featuresPromise = undefined; });
    return this.featuresPromise;
  }

  /** Rejects a spec the runtime would not understand or could not grant, naming each problem. */
  async checkSpec(id: string, spec: RuntimeSpec): Promise<void> {
    this.hostCapsPromise ??= hostBoundingCapabilities();
    const [features, hostCapabilities] = await Promise.all([this.features(), this.hostCapsPromise]);
    checkSpecFeatures(id, spec, features, { hostCapabilities, runtimeName: this.runtime.name });
  }

  /** Checks `spec` against the runtime, then writes `<bundleDir>/config.json` atomically. */
  async writeBundle(id: string, bundleDir: string, spec: RuntimeSpec): Promise<string> {
    await this.checkSpec(id, spec);
    return writeBundle(bundleDir, spec);
  }

  /**
   * `runc create` under a new conmon. Returns once the container exists (its process waits
   * for `start`) with its pid. A runtime failure is an OciRuntimeError carrying runc's text
   * verbatim (`commandExitCode` 126/127 for a command that cannot be run); nothing is left
   * behind after a failure.
   */
  async create(id: string, options: CreateOptions): Promise<CreatedContainer> {
    checkContainerId(id);
    const running = await this.conmonPid(id);
    if (running !== undefined) throw new ConflictError(`container ${id} already has a running monitor (conmon ${running})`);
    // A failed create cleans up with `runc delete --force`, which must never hit a container
    // that already existed under this id.
    const known = await this.runc.state(id).then(() => true, (err: unknown) => {
      if (err instanceof NotFoundError) return false;
      throw err;
    });
    if (known) throw new ConflictError(`container ${id} already exists in the OCI runtime; delete it first`);
    const dir = this.paths.containerDir(id);
    // Leftovers of an earlier run of the same id (after a crash) would confuse conmon.
    await rm(dir, { recursive: true, force: true });
    await rm(this.paths.exitFile(id), { force: true });
    this.watcher.forget(id);
    const configPath = resolve(options.bundleDir, BUNDLE_CONFIG);
    const config = await readBundleConfig(configPath, id);
    let launch: ConmonLaunch | undefined;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await mkdir(dirname(options.logPath), { recursive: true });
      // runc reads config.json from the bundle conmon is given, and conmon puts its socket and
      // FIFOs there too. Pointing it at the run-state dir keeps those on tmpfs, out of the store.
      await symlink(configPath, this.paths.configLink(id));
      const args = conmonCreateArgs({
        containerId: id,
        sessionId: id,
        runtimePath: this.runtime.path,
        runtimeArgs: this.runc.globalArgs,
        dir,
        containerPidFile: this.paths.containerPidFile(id),
        conmonPidFile: this.paths.conmonPidFile(id),
        exitDir: this.paths.exitDir,
        terminal: config.process.terminal === true,
        stdin: options.stdin === true,
        name: options.name,
        logPath: resolve(options.logPath),
        logSizeMax: options.logSizeMax,
        leaveStdinOpen: options.leaveStdinOpen,
        noPivot: this.options.noPivot,
      });
      launch = launchConmon(this.conmon.path, args, { cwd: dir, what: `container ${id}` });
      launch.signalStart();
      const code = await launch.exitedWithin(this.createTimeoutMs);
      if (code !== 0) throw new InternalError(`container ${id}: conmon failed (exit ${code}): ${launch.stderr() || 'no message'}`);
      const message = await launch.sync.next(this.createTimeoutMs);
      if (!message) throw new InternalError(`container ${id}: conmon exited without reporting the container's pid`);
      if (message.data < 0) throw runtimeFailure(id, 'create', runtimeErrorText(message.message ?? ''));
      const conmonPid = await readPidFile(this.paths.conmonPidFile(id));
      this.logger.debug('container created', { id, pid: message.data, conmonPid });
      return { pid: message.data, conmonPid };
    } catch (err) {
      await this.discard(id);
      throw err;
    } finally {
      launch?.release();
    }
  }

  /** Removes what a failed create left: the runtime's record, a live conmon, the run dir. */
  private async discard(id: string): Promise<void> {
    const conmonPid = await readPidFile(this.paths.conmonPidFile(id)).catch(() => undefined);
    if (conmonPid !== undefined) await killIfLive(conmonPid, 'conmon');
    await this.runc.delete(id, true).catch(() => {});
    await rm(this.paths.containerDir(id), { recursive: true, force: true });
    await rm(this.paths.exitFile(id), { force: true });
  }

  /** `runc start`: runs the created container's process. */
  start(id: string): Promise<void> {
    return this.runc.start(checkContainerId(id));
  }

  /** `runc state`; NotFoundError when the runtime does not know the container. */
  state(id: string): Promise<RuncState> {
    return this.runc.state(checkContainerId(id));
  }

  /** Sends a signal (name or number) to the container's init, or with `all` to all its processes. */
  kill(id: string, signal: string | number = 'SIGTERM', options: { all?: boolean } = {}): Promise<void> {
    return this.runc.kill(checkContainerId(id), normalizeSignal(signal).number, options.all ?? false);
  }

  /**
   * Docker's stop: the container's stop signal (its STOP_SIGNAL_ANNOTATION, else SIGTERM, or
   * `signal`), then SIGKILL to every process once `timeoutMs` passed without an exit.
   * Resolves with the recorded exit; an already exited container just returns its exit.
   */
  async stop(id: string, options: { signal?: string | number; timeoutMs?: number } = {}): Promise<ExitInfo> {
    checkContainerId(id);
    const recorded = await this.readExit(id);
    if (recorded) return recorded;
    const config = await readBundleConfig(this.paths.configLink(id), id);
    const signal = normalizeSignal(options.signal ?? config.annotations[STOP_SIGNAL_ANNOTATION] ?? 'SIGTERM');
    let cancel: () => void = () => {};
    const exited = new Promise<ExitInfo>((resolve) => { cancel = this.onExit(id, resolve); });
    const within = (ms: number) => Promise.race([exited, sleep(ms).then(() => undefined)]);
    try {
      await this.kill(id, signal.number).catch((err: unknown) => { if (!(err instanceof ConflictError)) throw err; });
      const graceful = await within(options.timeoutMs ?? 10_000);
      if (graceful) return graceful;
      this.logger.info('container ignored its stop signal; killing it', { id, signal: signal.name });
      await this.kill(id, 'SIGKILL', { all: true }).catch((err: unknown) => { if (!(err instanceof ConflictError)) throw err; });
      const killed = await within(10_000);
      if (!killed) throw new InternalError(`container ${id}: no exit recorded 10s after SIGKILL`);
      return killed;
    } finally {
      cancel();
    }
  }

  pause(id: string): Promise<void> {
    return this.runc.pause(checkContainerId(id));
  }

  resume(id: string): Promise<void> {
    return this.runc.resume(checkContainerId(id));
  }

  /**
   * `runc delete` (with `force`, killing a running container first), then waits for conmon to
   * record the exit and leave, and removes the run state: run dir and exit file. Read the
   * exit (readExit) before deleting. Unknown containers are not an error.
   */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    checkContainerId(id);
    const conmonPid = await this.conmonPid(id);
    try {
      await this.runc.delete(id, options.force ?? false);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (conmonPid !== undefined && !(await waitProcessGone(conmonPid, 'conmon', 10_000))) {
      this.logger.warn('conmon outlived its container; killing it', { id, conmonPid });
      await killIfLive(conmonPid, 'conmon');
    }
    await rm(this.paths.containerDir(id), { recursive: true, force: true });
    await rm(this.paths.exitFile(id), { force: true });
    this.watcher.forget(id);
  }

  /**
   * Connects to the container's stdio through conmon's attach socket. Output produced while
   * nobody is attached is only in the log; attach before `start` to miss nothing.
   */
  attach(id: string, options: AttachOptions = {}): AttachSession {
    return AttachSession.connect(this.paths.attachSocket(checkContainerId(id)), `container ${id}`, options);
  }

  /** Resizes a tty container's terminal (or an exec session's, with `execId`) through conmon's ctl FIFO. */
  async resize(id: string, size: TerminalSize, execId?: string): Promise<void> {
    checkContainerId(id);
    const fifo = execId === undefined ? this.paths.ctlFifo(id) : this.paths.execCtlFifo(id, execId);
    await writeControl(fifo, `1 ${Math.round(size.height)} ${Math.round(size.width)}\n`, `container ${id}`);
  }

  /** Runs a process in the running container under conmon's exec mode; see ExecSession. */
  exec(id: string, execId: string, options: ExecOptions): Promise<ExecSession> {
    return startExecSession({
      containerId: checkContainerId(id),
      execId: checkContainerId(execId),
      options,
      paths: this.paths,
      runtimePath: this.runtime.path,
      runtimeArgs: this.runc.globalArgs,
      conmonPath: this.conmon.path,
      timeoutMs: this.createTimeoutMs,
      logger: this.logger,
    });
  }

  private async withOom(id: string, record: ExitRecord): Promise<ExitInfo> {
    const oomKilled = await access(this.paths.oomFile(id), fsConstants.F_OK).then(() => true, () => false);
    return { ...record, oomKilled };
  }

  /** The exit conmon recorded for `id` — also one that happened while the daemon was down. */
  async readExit(id: string): Promise<ExitInfo | undefined> {
    const record = await this.watcher.read(checkContainerId(id));
    return record ? this.withOom(id, record) : undefined;
  }

  /** Calls `callback` once when the container exits (at once if it already has); returns a cancel function. */
  onExit(id: string, callback: (info: ExitInfo) => void): () => void {
    return this.watcher.onExit(checkContainerId(id), (record) => {
      void this.withOom(id, record).then(callback);
    });
  }

  /** The pid of the container's conmon if it is alive, else undefined. */
  async conmonPid(id: string): Promise<number | undefined> {
    const pid = await readPidFile(this.paths.conmonPidFile(checkContainerId(id)));
    return pid !== undefined && (await isLiveProcess(pid, 'conmon')) ? pid : undefined;
  }

  /** Ids with run state under the exec root (created, running or exited, not yet deleted). */
  async list(): Promise<string[]> {
    try {
      return (await readdir(this.paths.containersDir)).sort();
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  /** Stops watching exits. Containers and their monitors keep running. */
  close(): void {
    this.watcher.close();
    this.removeAllListeners();
  }
}

const O_NONBLOCK = 0o4000;

/**
 * One line to a conmon control FIFO (`<type> <height> <width>\n`; type 1 resizes, 2 reopens
 * the log). Opened non-blocking: ENXIO means no reader, i.e. conmon is gone.
 */
async function writeControl(fifo: string, line: string, what: string): Promise<void> {
  let handle;
  try {
    handle = await open(fifo, fsConstants.O_WRONLY | O_NONBLOCK);
  } catch (err) {
    if (isNotFound(err)) throw new NotFoundError(`${what}: no control FIFO (not created under conmon?)`);
    if (errnoCode(err) === 'ENXIO') throw new UnavailableError(`${what}: its monitor is gone`);
    throw err;
  }
  try {
    await handle.write(line);
  } finally {
    await handle.close();
  }
}
