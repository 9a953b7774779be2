import { InvalidArgumentError } from '../base/index.js';

/** What every conmon invocation shares, for the container or for one of its exec sessions. */
export interface ConmonCommon {
  /** The runtime's container id (`-c`): runc's name for it and the exit file's name. */
  containerId: string;
  /** `-u`: the container id again, or the exec session's id. */
  sessionId: string;
  runtimePath: string;
  /** Global runtime flags (--root, --log-format), passed as --runtime-arg. */
  runtimeArgs: readonly string[];
  /** Conmon's bundle dir: --full-attach puts `attach`, `ctl` and `winsz` here. */
  dir: string;
  containerPidFile: string;
  conmonPidFile: string;
  exitDir: string;
  terminal: boolean;
  stdin: boolean;
}

function common(c: ConmonCommon): string[] {
  const args = [
    '--api-version', '1',
    '--cid', c.containerId,
    '--cuuid', c.sessionId,
    '--runtime', c.runtimePath,
    '--bundle', c.dir,
    '--container-pidfile', c.containerPidFile,
    '--conmon-pidfile', c.conmonPidFile,
    '--exit-dir', c.exitDir,
    '--persist-dir', c.dir,
    // The attach socket in the bundle dir at its full path instead of a symlink in
    // --socket-dir-path; strata connects through /proc/self/fd, so the length is no limit.
    '--full-attach',
  ];
  // `=` form: GLib would also take a separate value starting with '--', but this cannot be misread.
  for (const a of c.runtimeArgs) args.push(`--runtime-arg=${a}`);
  // With a tty, conmon's pty carries stdin too; -i is only for a pipe.
  if (c.terminal) args.push('--terminal');
  else if (c.stdin) args.push('--stdin');
  return args;
}

export interface CreateArgs extends ConmonCommon {
  name?: string;
  logPath: string;
  logSizeMax?: number;
  leaveStdinOpen?: boolean;
  noPivot?: boolean;
}

/** Arguments for `runc create` under conmon, logging to a k8s-file log. */
export function conmonCreateArgs(c: CreateArgs): string[] {
  // conmon splits --log-path at ':' (driver:path), so a ':' in the path would be misread.
  if (c.logPath.includes(':')) throw new InvalidArgumentError(`container ${c.containerId}: log path must not contain ':' (${c.logPath})`);
  const args = [...common(c), '--log-path', `k8s-file:${c.logPath}`];
  if (c.name) args.push('--name', c.name);
  if (c.logSizeMax && c.logSizeMax > 0) args.push('--log-size-max', String(c.logSizeMax));
  if (c.leaveStdinOpen) args.push('--leave-stdin-open');
  if (c.noPivot) args.push('--no-pivot');
  return args;
}

export interface ExecArgs extends ConmonCommon {
  processSpecPath: string;
}

/**
 * Arguments for `runc exec --detach` under conmon's exec mode with --exec-attach: conmon
 * opens the session's attach socket, says so on the attach pipe, and runs the process only
 * after a second start byte, once strata is connected — no output is lost. Output is not
 * logged (`none`): it goes to the attached client only, as Docker's exec does.
 */
export function conmonExecArgs(c: ExecArgs): string[] {
  return [...common(c), '--log-path', 'none', '--exec', '--exec-attach', '--exec-process-spec', c.processSpecPath];
}
