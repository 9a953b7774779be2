import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError, InvalidArgumentError, NotFoundError, NotModifiedError, KeyedLock, errorMessage, silentLogger,
  type Logger, type Digest,
} from '../base/index.js';
import { chainIds } from '../oci/index.js';
import type { ImageService } from '../images/index.js';
import type { VolumeService } from '../volumes/index.js';
import { OciRuntimeError, type ConmonRuntime, type ExitInfo, type AttachSession, type AttachOptions } from '../runtime/index.js';
import {
  freshState, isRunningStatus, ZERO_TIME,
  type ContainerRecord, type HostConfig, type RestartPolicy, type ContainerStatus,
} from './container-record.js';
import { ContainerStore } from './container-store.js';
import { mergeImageConfig, processArgs, type ConfigRequest } from './create-config.js';
import { resolveMounts } from './mount-specs.js';
import { writeEtcFiles, type EtcFilePaths } from './etc-files.js';
import { ensureInitLayer } from './init-layer.js';
import { containerSpec } from './container-spec.js';
import { randomContainerName } from './names.js';
import { mountRootfs, unmountRootfs, mkdirInRoot, copyImageContentIntoVolume } from './rootfs.js';
import { RestartManager } from './restart-policy.js';

/** `POST /containers/create`: the config fields, HostConfig, and the name from the query. */
export interface CreateRequest extends ConfigRequest {
  Image: string;
  HostConfig?: Partial<HostConfig>;
  name?: string;
}

/** A container event as `/events` reports it. */
export interface ContainerEvent {
  action: string;
  id: string;
  attributes: Record<string, string>;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface ContainerServiceOptions {
  /** `<root>/containers` */
  root: string;
  /** A directory for temporary mount points. */
  scratchDir: string;
  images: ImageService;
  volumes: VolumeService;
  runtime: ConmonRuntime;
  logger?: Logger;
}

/** Docker's default grace period before SIGKILL. */
const DEFAULT_STOP_TIMEOUT_S = 10;

/**
 * The container lifecycle with Docker's semantics: a container is its image's shared,
 * read-only layers (plus one shared init layer) and a writable layer of its own, run by runc
 * under conmon. Records are persisted at every state change; exits arrive from the runtime's
 * exit watcher (one inotify watch for all containers), also for exits that happened while
 * the daemon was down.
 *
 * Events: 'event' (ContainerEvent).
 */
export class ContainerService extends EventEmitter {
  readonly store: ContainerStore;
  readonly images: ImageService;
  readonly volumes: VolumeService;
  readonly runtime: ConmonRuntime;
  private readonly log: Logger;
  private readonly scratchDir: string;
  private readonly lock = new KeyedLock();
  private readonly exitWaiters = new Map<string, ((code: number) => void)[]>();
  private readonly removeWaiters = new Map<string, (() => void)[]>();
  private readonly attachWaiters = new Map<string, { options: AttachOptions; resolve: (s: AttachSession) => void; reject: (e: unknown) => void }[]>();
  private readonly exitSubscriptions = new Map<string, () => void>();
  /** Operations (cp, export) that need a container's rootfs mounted, by container. */
  private readonly rootfsHolds = new Map<string, number>();
  private readonly starting = new Set<string>();
  private readonly mountLock = new KeyedLock();
  private readonly restarts: RestartManager;

  constructor(options: ContainerServiceOptions) {
    super();
    this.log = (options.logger ?? silentLogger).child({ module: 'containers' });
    this.store = new ContainerStore(options.root, this.log);
    this.images = options.images;
    this.volumes = options.volumes;
    this.runtime = options.runtime;
    this.scratchDir = options.scratchDir;
    this.restarts = new RestartManager((id) => this.restartAfterExit(id), this.log);
    this.images.setUsersLookup((imageId) => this.store.list()
      .filter((r) => r.image === imageId)
      .map((r) => ({ containerId: r.id, running: isRunningStatus(r.state.Status) })));
    this.volumes.setUsersLookup((name) => this.store.list()
      .filter((r) => r.mounts.some((m) => m.Type === 'volume' && m.Name === name))
      .map((r) => r.id));
  }

  /** Loads the records and re-adopts containers that kept running while the daemon was away. */
  async init(): Promise<void> {
    await mkdir(this.scratchDir, { recursive: true });
    await this.store.init();
    for (const record of this.store.list()) {
      try {
        await this.recover(record);
      } catch (err) {
        this.log.error('recovering container failed', { id: record.id, error: errorMessage(err) });
      }
    }
  }

  /** Stops watching and restarting; containers keep running (they belong to their monitors). */
  close(): void {
    this.restarts.cancelAll();
    for (const id of [...this.exitSubscriptions.keys()]) this.unwatchExit(id);
  }

  private emitEvent(action: string, record: ContainerRecord, extra: Record<string, string> = {}): void {
    const attributes: Record<string, string> = { ...record.config.Labels, image: record.config.Image, name: record.name, ...extra };
    this.emit('event', { action, id: record.id, attributes } satisfies ContainerEvent);
  }

  get(idOrName: string): ContainerRecord {
    return this.store.get(idOrName);
  }

  list(): ContainerRecord[] {
    return this.store.list();
  }

  dir(id: string): string {
    return this.store.dir(id);
  }

  logPath(id: string): string {
    return join(this.store.dir(id), 'container.log');
  }

  etcPaths(id: string): EtcFilePaths {
    const dir = this.store.dir(id);
    return { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') };
  }

  // ---- create ----------------------------------------------------------------------------

  async create(request: CreateRequest): Promise<ContainerRecord> {
    if (!request.Image) throw new InvalidArgumentError('No image specified');
    const image = this.images.resolve(request.Image);
    const imageConfig = await this.images.config(image.id);
    const config = mergeImageConfig(request, imageConfig, request.Image);
    const hostConfig = normaliseHostConfig(request.HostConfig ?? {});
    const id = randomBytes(32).toString('hex');
    const name = this.reserveName(request.name, id);
    if (!config.Hostname) config.Hostname = id.slice(0, 12);
    const dir = this.store.dir(id);
    const createdVolumes: string[] = [];
    let prepared = false;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const chain = await this.images.leases.with({}, (lease) => this.images.unpack(image.id, lease));
      const top = chain[chain.length - 1];
      if (!top) throw new InvalidArgumentError(`image ${request.Image} has no layers`);
      const parentSnapshot = await ensureInitLayer(this.images.snapshotter, top, this.scratchDir);
      await this.images.snapshotter.prepare(id, parentSnapshot, { labels: { 'strata.io/container': id } });
      prepared = true;
      const before = new Set(this.volumes.list().map((v) => v.Name));
      const mounts = await resolveMounts(hostConfig, config.Volumes, this.volumes);
      for (const m of mounts) if (m.Name && !before.has(m.Name)) createdVolumes.push(m.Name);
      await writeEtcFiles(dir, {
        hostname: config.Hostname,
        domainname: config.Domainname,
        network: hostConfig.NetworkMode,
        extraHosts: hostConfig.ExtraHosts ?? [],
        dns: hostConfig.Dns ?? [],
      });
      const args = processArgs(config);
      const record: ContainerRecord = {
        id,
        name,
        created: new Date().toISOString(),
        image: image.id,
        path: args[0]!,
        args: args.slice(1),
        config,
        hostConfig,
        mounts,
        parentSnapshot,
        state: freshState(),
        restartCount: 0,
        manuallyStopped: false,
      };
      await this.store.save(record);
      this.emitEvent('create', record);
      return record;
    } catch (err) {
      this.store.releaseName(name);
      if (prepared) await this.images.snapshotter.remove(id).catch(() => {});
      for (const volume of createdVolumes) await this.volumes.remove(volume).catch(() => {});
      await this.store.delete(id).catch(() => {});
      throw err;
    }
  }

  private reserveName(requested: string | undefined, id: string): string {
    if (requested) return this.store.reserveName(requested, id);
    for (let attempt = 0; ; attempt++) {
      try {
        return this.store.reserveName(randomContainerName(attempt), id);
      } catch (err) {
        if (attempt > 10) throw err;
      }
    }
  }

  // ---- start -----------------------------------------------------------------------------

  /** `docker start`: 304 (NotModified) when already running. */
  async start(idOrName: string): Promise<void> {
    const id = this.get(idOrName).id;
    try {
      await this.lock.run(id, () => this.startLocked(id, false));
    } catch (err) {
      // Docker removes an auto-remove container whose start failed (with its anonymous volumes).
      const record = this.store.tryGet(id);
      if (record?.hostConfig.AutoRemove && !(err instanceof NotModifiedError)) {
        await this.remove(id, { force: true, removeVolumes: true }).catch((e) => this.log.warn('auto-remove failed', { id, error: errorMessage(e) }));
      }
      throw err;
    }
  }

  private async startLocked(id: string, restarting: boolean): Promise<void> {
    this.starting.add(id);
    try {
      await this.startLockedInner(id, restarting);
    } finally {
      this.starting.delete(id);
    }
  }

  private async startLockedInner(id: string, restarting: boolean): Promise<void> {
    const record = this.get(id);
    if (record.state.Status === 'paused') throw new ConflictError(`cannot start a paused container, try unpause instead`);
    if (record.state.Status === 'running') throw new NotModifiedError(`container ${id} is already running`);
    if (record.state.Status === 'removing') throw new ConflictError(`container ${id} is marked for removal and cannot be started`);
    if (!restarting) record.manuallyStopped = false;
    const dir = this.store.dir(id);
    const bundle = join(dir, 'bundle');
    let rootfs: string | undefined;
    try {
      rootfs = await this.mountLock.run(id, () => mountRootfs(this.images.snapshotter, id, dir));
      for (const m of record.mounts) {
        if (m.Type === 'volume' && m.CopyImageContent) await copyImageContentIntoVolume(rootfs, m.Destination, m.Source);
      }
      if (record.config.WorkingDir) await mkdirInRoot(rootfs, record.config.WorkingDir);
      const spec = await containerSpec(record, rootfs, this.etcPaths(id));
      await this.runtime.writeBundle(id, bundle, spec);
      await this.runtime.delete(id, { force: true }).catch(() => {});
      const created = await this.runtime.create(id, {
        bundleDir: bundle,
        logPath: this.logPath(id),
        stdin: record.config.OpenStdin,
        leaveStdinOpen: !record.config.StdinOnce,
        name: record.name,
      });
      this.watchExit(id);
      await this.connectAttachWaiters(id);
      await this.runtime.start(id);
      record.state = {
        ...record.state,
        Status: 'running',
        Pid: created.pid,
        ExitCode: 0,
        Error: '',
        OOMKilled: false,
        StartedAt: new Date().toISOString(),
        FinishedAt: ZERO_TIME,
      };
      await this.store.save(record);
      this.emitEvent('start', record);
    } catch (err) {
      this.unwatchExit(id);
      await this.runtime.delete(id, { force: true }).catch(() => {});
      this.starting.delete(id);
      if (rootfs) await this.unmountIfIdle(id).catch(() => {});
      this.failAttachWaiters(id, err);
      if (err instanceof OciRuntimeError) {
        record.state = { ...record.state, Status: restarting ? 'exited' : record.state.Status === 'created' ? 'created' : 'exited', Error: err.runtimeMessage, ExitCode: err.commandExitCode ?? 128, Pid: 0 };
        if (record.state.Status !== 'created') record.state.FinishedAt = new Date().toISOString();
        await this.store.save(record).catch(() => {});
      }
      throw err;
    }
  }

  // ---- exits and restarts ----------------------------------------------------------------

  private watchExit(id: string): void {
    this.unwatchExit(id);
    this.exitSubscriptions.set(id, this.runtime.onExit(id, (info) => { void this.handleExit(id, info); }));
  }

  private unwatchExit(id: string): void {
    this.exitSubscriptions.get(id)?.();
    this.exitSubscriptions.delete(id);
  }

  /** Records an exit, frees the runtime state and the rootfs mount, then applies the restart policy. */
  private async handleExit(id: string, info: ExitInfo): Promise<void> {
    this.unwatchExit(id);
    let autoRemove = false;
    let restart = false;
    await this.lock.run(id, async () => {
      const record = this.store.tryGet(id);
      if (!record) return;
      if (!isRunningStatus(record.state.Status)) return; // already handled (e.g. by a forced removal)
      await this.runtime.delete(id, { force: true }).catch((err) => this.log.warn('runtime delete failed', { id, error: errorMessage(err) }));
      const finishedAt = (info.exitedAt ?? new Date()).toISOString();
      record.state = { ...record.state, Status: 'exited', Pid: 0, ExitCode: info.exitCode, OOMKilled: info.oomKilled, FinishedAt: finishedAt };
      restart = this.restarts.shouldRestart(record);
      if (restart) {
        record.state.Status = 'restarting';
        record.restartCount += 1;
      }
      await this.store.save(record);
      await this.unmountIfIdle(id).catch((err) => this.log.warn('unmount failed', { id, error: errorMessage(err) }));
      if (info.oomKilled) this.emitEvent('oom', record);
      this.emitEvent('die', record, { exitCode: String(info.exitCode) });
      autoRemove = !restart && record.hostConfig.AutoRemove;
    });
    this.resolveExitWaiters(id, info.exitCode);
    if (restart) this.restarts.schedule(id);
    else if (autoRemove) await this.remove(id, { force: true, removeVolumes: true }).catch((err) => this.log.warn('auto-remove failed', { id, error: errorMessage(err) }));
  }

  private async restartAfterExit(id: string): Promise<void> {
    await this.lock.run(id, async () => {
      const record = this.store.tryGet(id);
      if (!record || record.state.Status !== 'restarting') return;
      record.state.Status = 'exited';
      try {
        await this.startLocked(id, true);
        this.emitEvent('restart', record);
      } catch (err) {
        this.log.warn('restart failed', { id, error: errorMessage(err) });
      }
    });
  }

  private resolveExitWaiters(id: string, code: number): void {
    const waiters = this.exitWaiters.get(id) ?? [];
    this.exitWaiters.delete(id);
    for (const w of waiters) w(code);
  }

  /** After a daemon restart: running containers are re-adopted, exits meanwhile recorded. */
  private async recover(record: ContainerRecord): Promise<void> {
    if (!isRunningStatus(record.state.Status)) return;
    const id = record.id;
    const monitor = await this.runtime.conmonPid(id);
    if (monitor !== undefined) {
      this.watchExit(id); // fires at once when the exit file is already there
      return;
    }
    const exit = await this.runtime.readExit(id);
    await this.handleExit(id, exit ?? { exitCode: 255, oomKilled: false, exitedAt: new Date() });
  }

  // ---- stop, kill, restart, pause ---------------------------------------------------------

  /** `docker stop`: the stop signal, then SIGKILL after the timeout. 304 when not running. */
  async stop(idOrName: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    const record = this.get(idOrName);
    if (!isRunningStatus(record.state.Status)) throw new NotModifiedError(`container ${record.id} is not running`);
    record.manuallyStopped = true;
    this.restarts.cancel(record.id);
    await this.store.save(record);
    if (record.state.Status === 'restarting') {
      await this.lock.run(record.id, async () => {
        record.state.Status = 'exited';
        await this.store.save(record);
      });
      return;
    }
    await this.stopProcess(record, options.timeout ?? record.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S, options.signal);
  }

  private async stopProcess(record: ContainerRecord, timeoutS: number, signal?: string): Promise<void> {
    const exited = this.waitExit(record.id);
    if (record.state.Status === 'paused') await this.runtime.resume(record.id).catch(() => {});
    const stopSignal = signal || record.config.StopSignal || 'SIGTERM';
    await this.runtime.kill(record.id, stopSignal).catch(() => {});
    this.emitEvent('kill', record, { signal: String(stopSignal) });
    if (timeoutS < 0 || !(await withTimeout(exited, timeoutS * 1000))) {
      await this.runtime.kill(record.id, 'SIGKILL', { all: true }).catch(() => {});
      this.emitEvent('kill', record, { signal: '9' });
      await exited;
    }
    this.emitEvent('stop', record);
  }

  /** Resolves with the exit code at the container's next exit. */
  private waitExit(id: string): Promise<number> {
    return new Promise((resolve) => {
      const list = this.exitWaiters.get(id) ?? [];
      list.push(resolve);
      this.exitWaiters.set(id, list);
    });
  }

  /** `docker kill`: Conflict when not running, as Docker. */
  async kill(idOrName: string, signal = 'SIGKILL'): Promise<void> {
    const record = this.get(idOrName);
    if (!isRunningStatus(record.state.Status) || record.state.Status === 'restarting') {
      throw new ConflictError(`Cannot kill container: ${idOrName}: Container ${record.id} is not running`);
    }
    const isKill = /^(9|KILL|SIGKILL)$/i.test(signal);
    // Docker's kill with SIGKILL returns once the container has stopped (a `docker rm`
    // straight after it must not find it running); other signals return at once.
    const exited = isKill ? this.waitExit(record.id) : undefined;
    await this.runtime.kill(record.id, signal);
    this.emitEvent('kill', record, { signal });
    if (exited && !(await withTimeout(exited, 10_000))) this.log.warn('container did not exit after SIGKILL', { id: record.id });
    if (exited) await this.waitForStatus(record.id, (s) => !isRunningStatus(s) || s === 'restarting');
  }

  async restart(idOrName: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    const record = this.get(idOrName);
    if (isRunningStatus(record.state.Status)) {
      this.restarts.cancel(record.id);
      record.manuallyStopped = false;
      await this.stopProcess(record, options.timeout ?? record.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S, options.signal);
      await this.waitForStatus(record.id, (s) => !isRunningStatus(s) || s === 'restarting');
      this.restarts.cancel(record.id);
      if (this.get(record.id).state.Status === 'restarting') {
        const r = this.get(record.id);
        r.state.Status = 'exited';
        await this.store.save(r);
      }
    }
    await this.start(record.id);
    this.emitEvent('restart', this.get(record.id));
  }

  /** Polls a record's status through the lock until `test` holds (bounded: exit handling is quick). */
  private async waitForStatus(id: string, test: (s: ContainerStatus) => boolean): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const status = await this.lock.run(id, async () => this.store.tryGet(id)?.state.Status);
      if (status === undefined || test(status)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async pause(idOrName: string): Promise<void> {
    const record = this.get(idOrName);
    await this.lock.run(record.id, async () => {
      if (record.state.Status === 'paused') throw new ConflictError(`Container ${record.id} is already paused`);
      if (record.state.Status !== 'running') throw new ConflictError(`Container ${record.id} is not running`);
      await this.runtime.pause(record.id);
      record.state.Status = 'paused';
      await this.store.save(record);
      this.emitEvent('pause', record);
    });
  }

  async unpause(idOrName: string): Promise<void> {
    const record = this.get(idOrName);
    await this.lock.run(record.id, async () => {
      if (record.state.Status !== 'paused') throw new ConflictError(`Container ${record.id} is not paused`);
      await this.runtime.resume(record.id);
      record.state.Status = 'running';
      await this.store.save(record);
      this.emitEvent('unpause', record);
    });
  }

  /**
   * `docker wait`: resolves with the exit code. `not-running` returns at once for a container
   * that is not running; `next-exit` waits for the next exit; `removed` waits for removal.
   * `registered` is called as soon as the waiter is in place (the API flushes its headers then).
   */
  async wait(idOrName: string, condition: WaitCondition = 'not-running', registered?: () => void): Promise<{ StatusCode: number }> {
    const record = this.get(idOrName);
    if (condition === 'removed') {
      const done = new Promise<void>((resolve) => {
        const list = this.removeWaiters.get(record.id) ?? [];
        list.push(resolve);
        this.removeWaiters.set(record.id, list);
      });
      registered?.();
      await done;
      return { StatusCode: record.state.ExitCode };
    }
    if (condition === 'not-running' && !isRunningStatus(record.state.Status)) {
      registered?.();
      return { StatusCode: record.state.ExitCode };
    }
    const exited = this.waitExit(record.id);
    registered?.();
    return { StatusCode: await exited };
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const record = this.get(idOrName);
    if (!newName) throw new InvalidArgumentError('Neither old nor new names may be empty');
    const clean = newName.replace(/^\//, '');
    if (clean === record.name) throw new ConflictError(`Renaming a container with the same name as its current name`);
    const reserved = this.store.reserveName(newName, record.id);
    const oldName = record.name;
    record.name = reserved;
    try {
      await this.store.save(record);
    } catch (err) {
      record.name = oldName;
      this.store.releaseName(reserved);
      throw err;
    }
    this.emitEvent('rename', record, { oldName: `/${oldName}` });
  }

  // ---- remove ----------------------------------------------------------------------------

  /** `docker rm`: a running container needs force; `removeVolumes` drops its anonymous volumes. */
  async remove(idOrName: string, options: { force?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    const record = this.get(idOrName);
    const id = record.id;
    if (isRunningStatus(record.state.Status)) {
      if (!options.force) {
        const what = record.state.Status === 'paused' ? 'paused' : 'running';
        throw new ConflictError(`You cannot remove a ${what} container ${id}. Stop the container before attempting removal or force remove`);
      }
      this.restarts.cancel(id);
      record.manuallyStopped = true;
      if (record.state.Status === 'restarting') {
        await this.lock.run(id, async () => { record.state.Status = 'exited'; });
      } else {
        const exited = this.waitExit(id);
        if (record.state.Status === 'paused') await this.runtime.resume(id).catch(() => {});
        await this.runtime.kill(id, 'SIGKILL', { all: true }).catch(() => {});
        if (!(await withTimeout(exited, 15_000))) {
          // The exit never came (monitor gone): clean up as if it had.
          await this.handleExit(id, { exitCode: 137, oomKilled: false, exitedAt: new Date() });
        }
      }
    }
    await this.lock.run(id, async () => {
      const current = this.store.tryGet(id);
      if (!current) return;
      current.state.Status = 'removing';
      this.unwatchExit(id);
      await this.runtime.delete(id, { force: true }).catch(() => {});
      await unmountRootfs(this.store.dir(id));
      await this.images.snapshotter.remove(id).catch((err) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
      await this.store.delete(id);
      if (options.removeVolumes) {
        for (const m of current.mounts) {
          if (m.Type === 'volume' && m.Name) {
            const volume = this.volumes.has(m.Name) ? this.volumes.get(m.Name) : undefined;
            if (volume && this.volumes.isAnonymous(volume)) await this.volumes.remove(m.Name).catch(() => {});
          }
        }
      }
      this.emitEvent('destroy', current);
    });
    const waiters = this.removeWaiters.get(id) ?? [];
    this.removeWaiters.delete(id);
    for (const w of waiters) w();
  }

  // ---- the rootfs mount -------------------------------------------------------------------

  /**
   * Mounts the container's rootfs for an operation that reads or writes it (cp, export) and
   * returns the release function. The mount stays while the container runs, starts, or any
   * operation still holds it; the last release of a stopped container's rootfs unmounts it.
   */
  async holdRootfs(idOrName: string): Promise<{ rootfs: string; release: () => Promise<void> }> {
    const id = this.get(idOrName).id;
    this.rootfsHolds.set(id, (this.rootfsHolds.get(id) ?? 0) + 1);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      const left = (this.rootfsHolds.get(id) ?? 1) - 1;
      if (left > 0) this.rootfsHolds.set(id, left);
      else this.rootfsHolds.delete(id);
      await this.unmountIfIdle(id);
    };
    try {
      const rootfs = await this.mountLock.run(id, () => mountRootfs(this.images.snapshotter, id, this.store.dir(id)));
      return { rootfs, release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** Unmounts the rootfs unless the container runs, is starting, or an operation holds it. */
  private async unmountIfIdle(id: string): Promise<void> {
    await this.mountLock.run(id, async () => {
      if ((this.rootfsHolds.get(id) ?? 0) > 0 || this.starting.has(id)) return;
      const record = this.store.tryGet(id);
      if (record && (record.state.Status === 'running' || record.state.Status === 'paused')) return;
      await unmountRootfs(this.store.dir(id));
    });
  }

  // ---- attach ----------------------------------------------------------------------------

  /**
   * Connects to the container's stdio. For a container that is created but not started, the
   * connection is made during `start`, after the monitor exists and before the process runs,
   * so no output is missed (how `docker run` attaches before it starts).
   */
  attach(idOrName: string, options: AttachOptions): Promise<AttachSession> {
    const record = this.get(idOrName);
    if (record.state.Status === 'running' || record.state.Status === 'paused') {
      return Promise.resolve(this.runtime.attach(record.id, options));
    }
    return new Promise((resolve, reject) => {
      const list = this.attachWaiters.get(record.id) ?? [];
      list.push({ options, resolve, reject });
      this.attachWaiters.set(record.id, list);
    });
  }

  private async connectAttachWaiters(id: string): Promise<void> {
    const waiters = this.attachWaiters.get(id) ?? [];
    this.attachWaiters.delete(id);
    for (const w of waiters) {
      try {
        // connect() is synchronous: once it returns, conmon delivers everything from here on.
        w.resolve(this.runtime.attach(id, w.options));
      } catch (err) {
        w.reject(err);
      }
    }
  }

  private failAttachWaiters(id: string, err: unknown): void {
    const waiters = this.attachWaiters.get(id) ?? [];
    this.attachWaiters.delete(id);
    for (const w of waiters) w.reject(err);
  }

  /** The lower layer directories of a container, top-most first (init layer, then image). */
  async lowerDirs(record: ContainerRecord): Promise<string[]> {
    const dirs: string[] = [];
    let name: string | undefined = record.parentSnapshot;
    while (name) {
      dirs.push((await this.images.snapshotter.layerDir(name)).dir);
      name = (await this.images.snapshotter.stat(name)).parent;
    }
    return dirs;
  }

  /** The image's chainIDs (for callers that need the image part only). */
  async imageChain(record: ContainerRecord): Promise<Digest[]> {
    return chainIds((await this.images.config(record.image)).rootfs.diff_ids);
  }
}

/** HostConfig with Docker's defaults filled in, and the network modes strata supports. */
export function normaliseHostConfig(input: Partial<HostConfig>): HostConfig {
  const network = input.NetworkMode || 'default';
  let NetworkMode: string;
  if (network === 'none' || network === 'host') NetworkMode = network;
  else if (network === 'default') NetworkMode = 'none';
  else if (network === 'bridge') {
    throw new InvalidArgumentError('bridge networking is not available yet: use --network none or --network host');
  } else if (network.startsWith('container:')) {
    throw new InvalidArgumentError(`network mode "${network}" is not supported yet: use --network none or --network host`);
  } else {
    throw new NotFoundError(`network ${network} not found`);
  }
  const restart = normaliseRestartPolicy(input.RestartPolicy);
  if (input.AutoRemove && restart.Name !== 'no' && restart.Name !== '') {
    throw new InvalidArgumentError('can\'t create \'AutoRemove\' container with restart policy');
  }
  return {
    ...input,
    Binds: input.Binds ?? null,
    NetworkMode,
    RestartPolicy: restart,
    AutoRemove: input.AutoRemove ?? false,
    ReadonlyRootfs: input.ReadonlyRootfs ?? false,
    Memory: input.Memory ?? 0,
    NanoCpus: input.NanoCpus ?? 0,
  };
}

function normaliseRestartPolicy(policy: Partial<RestartPolicy> | undefined): RestartPolicy {
  const name = policy?.Name ?? '';
  const retries = policy?.MaximumRetryCount ?? 0;
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(name)) {
    throw new InvalidArgumentError(`invalid restart policy '${name}'`);
  }
  if (retries < 0) throw new InvalidArgumentError('invalid restart policy: maximum retry count cannot be negative');
  if (retries > 0 && name !== 'on-failure') {
    throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  return { Name: name as RestartPolicy['Name'], MaximumRetryCount: retries };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
