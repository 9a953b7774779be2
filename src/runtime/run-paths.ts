import { join } from 'node:path';
import { checkContainerId } from './spec-defaults.js';

/**
 * Where run state lives under the exec root (tmpfs in production, /run/strata), so a reboot
 * clears it together with the containers it describes:
 *
 *   <execRoot>/runc/                        runc --root: runc's own state.json per container
 *   <execRoot>/exits/<id>                   conmon --exit-dir: one exit-code file per container, watched
 *   <execRoot>/containers/<id>/             conmon's bundle dir, cwd and --persist-dir:
 *       config.json -> <caller's bundle>/config.json
 *       conmon.pid  pid  attach (SOCK_SEQPACKET)  ctl winsz (FIFOs)  exit  oom
 *   <execRoot>/containers/<id>/exec/<execId>/   the same for one exec session, exit file in exits/<id>
 */
export class RunPaths {
  constructor(readonly execRoot: string) {}

  get runcRoot(): string { return join(this.execRoot, 'runc'); }
  get exitDir(): string { return join(this.execRoot, 'exits'); }
  get containersDir(): string { return join(this.execRoot, 'containers'); }

  containerDir(id: string): string { return join(this.containersDir, checkContainerId(id)); }
  configLink(id: string): string { return join(this.containerDir(id), 'config.json'); }
  conmonPidFile(id: string): string { return join(this.containerDir(id), 'conmon.pid'); }
  containerPidFile(id: string): string { return join(this.containerDir(id), 'pid'); }
  attachSocket(id: string): string { return join(this.containerDir(id), 'attach'); }
  ctlFifo(id: string): string { return join(this.containerDir(id), 'ctl'); }
  oomFile(id: string): string { return join(this.containerDir(id), 'oom'); }
  exitFile(id: string): string { return join(this.exitDir, checkContainerId(id)); }

  execDir(id: string, execId: string): string { return join(this.containerDir(id), 'exec', checkContainerId(execId)); }
  execProcessFile(id: string, execId: string): string { return join(this.execDir(id, execId), 'process.json'); }
  execExitDir(id: string, execId: string): string { return join(this.execDir(id, execId), 'exits'); }
  execExitFile(id: string, execId: string): string { return join(this.execExitDir(id, execId), id); }
  execPidFile(id: string, execId: string): string { return join(this.execDir(id, execId), 'pid'); }
  execConmonPidFile(id: string, execId: string): string { return join(this.execDir(id, execId), 'conmon.pid'); }
  execAttachSocket(id: string, execId: string): string { return join(this.execDir(id, execId), 'attach'); }
  execCtlFifo(id: string, execId: string): string { return join(this.execDir(id, execId), 'ctl'); }
}
