import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, type Logger, silentLogger, errorMessage } from '../base/index.js';
import { OciRuntimeError, type ExecSession } from '../runtime/index.js';
import type { ContainerService } from './container-service.js';

/** `POST /containers/{id}/exec` body. */
export interface ExecConfig {
  Cmd: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Privileged?: boolean;
  DetachKeys?: string;
  ConsoleSize?: [number, number] | null;
}

interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
}

/**
 * Exec sessions as Docker has them: created (validated against a running container), then
 * started once; inspect shows whether they run and their exit code. Sessions live in memory,
 * as Docker's do; the processes themselves are held by conmon.
 */
export class ExecService {
  private readonly execs = new Map<string, ExecRecord>();
  private readonly log: Logger;

  constructor(private readonly containers: ContainerService, logger: Logger = silentLogger) {
    this.log = logger.child({ module: 'exec' });
  }

  create(containerIdOrName: string, config: ExecConfig): string {
    const container = this.containers.get(containerIdOrName);
    if (container.state.Status === 'paused') throw new ConflictError(`Container ${container.id} is paused, unpause the container before exec`);
    if (container.state.Status !== 'running') throw new ConflictError(`container ${container.id} is not running`);
    if (!config.Cmd || config.Cmd.length === 0) throw new ConflictError('No exec command specified');
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, { id, containerId: container.id, config, running: false, exitCode: null, pid: 0, started: false });
    this.containers.emit('event', { action: `exec_create: ${config.Cmd.join(' ')}`, id: container.id, attributes: { execID: id } });
    return id;
  }

  private get(id: string): ExecRecord {
    const exec = this.execs.get(id);
    if (!exec) throw new NotFoundError(`No such exec instance: ${id}`);
    return exec;
  }

  /** Starts the process; the caller pipes its streams (and waits on `exited`). */
  async start(id: string, options: { tty?: boolean; consoleSize?: { height: number; width: number } } = {}): Promise<ExecSession> {
    const exec = this.get(id);
    if (exec.started) throw new ConflictError(`Error: Exec command ${id} has already run`);
    const container = this.containers.get(exec.containerId);
    if (container.state.Status !== 'running') throw new ConflictError(`container ${container.id} is not running`);
    exec.started = true;
    const c = exec.config;
    const tty = options.tty ?? c.Tty ?? false;
    let session: ExecSession;
    try {
      session = await this.containers.runtime.exec(container.id, id, {
      args: c.Cmd,
      env: c.Env,
      cwd: c.WorkingDir || undefined,
      user: c.User || undefined,
      tty,
      stdin: c.AttachStdin ?? false,
      stdout: c.AttachStdout ?? true,
      stderr: c.AttachStderr ?? true,
      consoleSize: options.consoleSize ?? (c.ConsoleSize ? { height: c.ConsoleSize[0], width: c.ConsoleSize[1] } : undefined),
      });
    } catch (err) {
      // Docker records 127 for a command not found, 126 for one that cannot run, and
      // `docker exec` exits with it.
      exec.exitCode = err instanceof OciRuntimeError ? (err.commandExitCode ?? 126) : 126;
      throw err;
    }
    exec.running = true;
    exec.pid = session.pid;
    this.containers.emit('event', { action: `exec_start: ${c.Cmd.join(' ')}`, id: container.id, attributes: { execID: id } });
    session.exited.then((code) => {
      exec.running = false;
      exec.exitCode = code;
      this.containers.emit('event', { action: 'exec_die', id: container.id, attributes: { execID: id, exitCode: String(code) } });
    }, (err) => {
      exec.running = false;
      exec.exitCode = 126;
      this.log.warn('exec failed', { id, error: errorMessage(err) });
    });
    return session;
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const exec = this.get(id);
    await this.containers.runtime.resize(exec.containerId, { height, width }, id);
  }

  /** `GET /exec/{id}/json`. */
  inspect(id: string) {
    const exec = this.get(id);
    const c = exec.config;
    return {
      ID: exec.id,
      Running: exec.running,
      ExitCode: exec.exitCode,
      ProcessConfig: { tty: c.Tty ?? false, entrypoint: c.Cmd[0], arguments: c.Cmd.slice(1), privileged: c.Privileged ?? false, user: c.User ?? '' },
      OpenStdin: c.AttachStdin ?? false,
      OpenStderr: c.AttachStderr ?? false,
      OpenStdout: c.AttachStdout ?? false,
      CanRemove: false,
      ContainerID: exec.containerId,
      DetachKeys: c.DetachKeys ?? '',
      Pid: exec.pid,
    };
  }

  /** Exec IDs of a container (inspect's ExecIDs). */
  idsOf(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
  }

  /** Forgets a removed container's sessions. */
  forgetContainer(containerId: string): void {
    for (const [id, exec] of this.execs) if (exec.containerId === containerId) this.execs.delete(id);
  }
}
