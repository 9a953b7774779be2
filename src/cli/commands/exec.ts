/** `exec`: docker's RunExec — create, start hijacked (or detached), exit with the process's code. */
import { engineJson, engineRequest, engineHijack, type HijackedConnection } from '../../api/client/index.js';
import type { CommandSpec, CommandContext, Options } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { validateEnv, parseKvFile } from '../parser/values.js';
import { inspectContainer, inspectExec, resizeContainer, enc } from './container-api.js';
import { errorText } from './container-run.js';
import { streamHijacked } from '../streams/hijacked-io.js';
import { isTerminal, terminalSize, monitorTtySize } from '../streams/terminal.js';
import type { Readable } from 'node:stream';

export interface ExecCreateBody {
  User: string;
  Privileged: boolean;
  Tty: boolean;
  ConsoleSize?: [number, number];
  AttachStdin: boolean;
  AttachStderr: boolean;
  AttachStdout: boolean;
  Detach: boolean;
  DetachKeys: string;
  Env: string[] | null;
  WorkingDir: string;
  Cmd: string[];
}

/** parseExec: the exec create body for the flags and command. */
export function parseExecOptions(o: Options, command: string[], env: NodeJS.ProcessEnv = process.env): ExecCreateBody {
  const detach = o.bool('detach');
  const fileEnv = o.strings('env-file').flatMap((f) => parseKvFile(f, (k) => env[k]));
  const vars = [...fileEnv, ...o.strings('env')];
  return {
    User: o.string('user'),
    Privileged: o.bool('privileged'),
    Tty: o.bool('tty'),
    AttachStdin: !detach && o.bool('interactive'),
    AttachStderr: !detach,
    AttachStdout: !detach,
    Detach: detach,
    DetachKeys: o.string('detach-keys'),
    Env: vars.length > 0 ? vars : null,
    WorkingDir: o.string('workdir'),
    Cmd: command,
  };
}

export const execCommand: CommandSpec = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  aliasLine: 'strata container exec, strata exec',
  args: { kind: 'min', n: 2 },
  interspersed: false,
  flags: [
    { name: 'detach', short: 'd', type: 'bool', description: 'Detached mode: run command in the background' },
    { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { name: 'env', short: 'e', type: 'stringArray', description: 'Set environment variables', validate: (v) => validateEnv(v) },
    { name: 'env-file', type: 'stringArray', description: 'Read in a file of environment variables' },
    { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
    { name: 'privileged', type: 'bool', description: 'Give extended privileges to the command' },
    { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
    { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { name: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
  ],
  async run(ctx, o, args) {
    const [container, ...command] = args as [string, ...string[]];
    let body: ExecCreateBody;
    try {
      body = parseExecOptions(o, command);
    } catch (err) {
      throw new StatusError(1, (err as Error).message);
    }
    await inspectContainer(ctx, container);
    if (!body.Detach && body.Tty && body.AttachStdin && !isTerminal(ctx.stdin)) throw new StatusError(1, 'the input device is not a TTY');
    if (body.Tty) {
      const { height, width } = terminalSize(ctx.stdout);
      body.ConsoleSize = [height, width];
    }
    const created = await engineJson<{ Id: string }>(ctx.host, { method: 'POST', path: `/containers/${enc(container)}/exec`, json: body });
    if (!created?.Id) throw new StatusError(1, 'exec ID empty');
    const startBody = { Detach: body.Detach, Tty: body.Tty, ...(body.ConsoleSize ? { ConsoleSize: body.ConsoleSize } : {}) };
    if (body.Detach) {
      await engineRequest(ctx.host, { method: 'POST', path: `/exec/${enc(created.Id)}/start`, json: startBody });
      return;
    }
    await interactiveExec(ctx, body, created.Id, startBody);
  },
};

async function interactiveExec(ctx: CommandContext, body: ExecCreateBody, execId: string, startBody: object): Promise<void> {
  const conn: HijackedConnection = await engineHijack(ctx.host, { method: 'POST', path: `/exec/${enc(execId)}/start`, json: startBody });
  const session = streamHijacked({
    conn,
    tty: body.Tty,
    input: body.AttachStdin ? ctx.stdin : undefined,
    output: body.AttachStdout ? ctx.stdout : undefined,
    error: body.AttachStderr ? (body.Tty ? ctx.stdout : ctx.stderr) : undefined,
    detachKeys: body.DetachKeys,
    warn: (t) => ctx.err(t),
  });
  let stopResize = () => {};
  if (body.Tty && isTerminal(ctx.stdin)) {
    stopResize = monitorTtySize(ctx.stdout, (h, w) => resizeContainer(ctx, execId, h, w, true), () => ctx.err('failed to resize tty, using default size\n'));
  }
  try {
    await session.done;
  } catch (err) {
    throw new StatusError(1, errorText(err));
  } finally {
    stopResize();
    if (body.AttachStdin) {
      const stdin = ctx.stdin as Readable & { unref?: () => void };
      stdin.pause();
      stdin.unref?.();
    }
  }
  let status: number;
  try {
    status = (await inspectExec(ctx, execId)).ExitCode ?? 0;
  } catch (err) {
    throw new StatusError(1, errorText(err));
  }
  if (status !== 0) throw new StatusError(status, '');
}
