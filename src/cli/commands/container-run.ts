/**
 * `run`, `create`, `start` and `attach`, following the docker CLI's flows: create (pulling
 * when the image is missing), attach before start so no output is lost, wait registered
 * before start, then stream until the output ends and exit with the container's status.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { engineJson, engineRequest, engineStream, displayJsonMessages, DaemonError, JsonStreamError, type HijackedConnection } from '../../api/client/index.js';
import { PRODUCT_NAME } from '../../api/types/index.js';
import type { CommandSpec, CommandContext, Options } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { CONTAINER_FLAGS, RUN_FLAGS, parseContainerOptions, ContainerOptionsError, familiarTagged, type CreateRequest } from './container-options.js';
import {
  attachContainer, inspectContainer, startContainer, killContainer, resizeContainer, waitContainer,
  type ContainerInspect,
} from './container-api.js';
import { streamHijacked, DetachedError, type StreamSession } from '../streams/hijacked-io.js';
import { isTerminal, terminalSize, monitorTtySize, forwardSignals } from '../streams/terminal.js';

/** How a daemon error reads: "Error response from daemon: …", or the connection failure. */
export function errorText(err: unknown): string {
  if (err instanceof DaemonError) return err.unreachable ? err.message : `Error response from daemon: ${err.message}`;
  return (err as Error)?.message ?? String(err);
}

/** withHelp: `strata: <error>` and the pointer to `--help`. */
function withHelp(message: string, command: string): string {
  return `${PRODUCT_NAME}: ${message}\n\nRun '${PRODUCT_NAME} ${command} --help' for more information`;
}

/**
 * toStatusError: 127 when the command was not found, 126 when it could not be run, else 125
 * (a failure reported by the daemon), with docker's message.
 */
export function runStatusError(err: unknown, command = 'run'): StatusError {
  const message = errorText(err);
  let status = 125;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) status = 127;
  else if (/permission denied|is a directory/.test(message)) status = 126;
  return new StatusError(status, withHelp(message, command));
}

const notATty = () => new StatusError(1, 'the input device is not a TTY');

/** A reference's name and tag for `POST /images/create` (fromImage, tag). */
function pullQuery(tagged: string): { fromImage: string; tag?: string } {
  const at = tagged.indexOf('@');
  if (at >= 0) return { fromImage: tagged.slice(0, at), tag: tagged.slice(at + 1) };
  const colon = tagged.lastIndexOf(':');
  if (colon > tagged.lastIndexOf('/')) return { fromImage: tagged.slice(0, colon), tag: tagged.slice(colon + 1) };
  return { fromImage: tagged };
}

async function pullImage(ctx: CommandContext, image: string, quiet: boolean): Promise<void> {
  const res = await engineStream(ctx.host, { method: 'POST', path: '/images/create', query: pullQuery(image) });
  await displayJsonMessages(res as unknown as Readable, (text) => { if (!quiet) ctx.err(text); });
}

/**
 * createContainer: POST /containers/create; a missing image is pulled (with `--pull missing`)
 * and the create retried. Returns the ID; warnings go to stderr.
 */
async function createContainer(ctx: CommandContext, request: CreateRequest, command: string): Promise<string> {
  if (!['always', 'missing', 'never', ''].includes(request.pull)) {
    throw new StatusError(125, withHelp(`invalid pull option: '${request.pull}': must be one of "always", "missing" or "never"`, command));
  }
  if (request.cidfile && existsSync(request.cidfile)) {
    throw new Error(`container ID file found, make sure the other container isn't running or delete ${request.cidfile}`);
  }
  const tagged = familiarTagged(request.config.Image);
  const body = { ...request.config, HostConfig: request.hostConfig, NetworkingConfig: request.networkingConfig };
  const create = () => engineJson<{ Id: string; Warnings?: string[] | null }>(ctx.host, {
    method: 'POST', path: '/containers/create', query: { name: request.name || undefined, platform: request.platform || undefined }, json: body,
  });
  if (request.pull === 'always' && tagged) await pullImage(ctx, tagged, request.quiet);
  let response: { Id: string; Warnings?: string[] | null };
  try {
    response = await create();
  } catch (err) {
    if (!(err instanceof DaemonError && err.statusCode === 404 && tagged && request.pull === 'missing')) throw err;
    if (!request.quiet) ctx.err(`Unable to find image '${tagged}' locally\n`);
    await pullImage(ctx, tagged, request.quiet);
    response = await create();
  }
  const warnings = [...(response.Warnings ?? [])];
  const loopbackDns = ((request.hostConfig.Dns as string[] | undefined) ?? []).find((d) => /^127\.|^::1$/.test(d));
  if (loopbackDns) warnings.push(`Localhost DNS (${loopbackDns}) may fail in containers.`);
  for (const w of warnings) ctx.err(`WARNING: ${w}\n`);
  if (request.cidfile) {
    try {
      writeFileSync(request.cidfile, response.Id, { flag: 'wx' });
    } catch (err) {
      throw new Error(`failed to create the container ID file: ${(err as Error).message}`);
    }
  }
  return response.Id;
}

/**
 * `--rm` and the start failed: docker waits until the daemon has removed the container. A
 * daemon that does not remove it on a failed start would leave that wait hanging, so the
 * removal is asked for here too (an error, e.g. already gone, is ignored), and the wait is
 * bounded.
 */
async function removeAfterFailedStart(ctx: CommandContext, id: string, wait: ReturnType<typeof waitContainer>): Promise<void> {
  await engineRequest(ctx.host, { method: 'DELETE', path: `/containers/${encodeURIComponent(id)}`, query: { force: true, v: true } }).catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([wait.status, new Promise((r) => { timer = setTimeout(r, 10_000); })]);
  clearTimeout(timer);
}

function parseOrFail(o: Options, args: string[], command: string): CreateRequest {
  try {
    return parseContainerOptions(o, args);
  } catch (err) {
    if (err instanceof ContainerOptionsError) throw new StatusError(125, withHelp(err.message, command));
    throw err;
  }
}

function withConsoleSize(ctx: CommandContext, request: CreateRequest): void {
  const { height, width } = terminalSize(ctx.stdout);
  request.hostConfig.ConsoleSize = [height, width];
}

export const createCommand: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  aliasLine: 'strata container create, strata create',
  args: { kind: 'min', n: 1 },
  interspersed: false,
  flags: CONTAINER_FLAGS,
  async run(ctx, o, args) {
    const request = parseOrFail(o, args, 'create');
    withConsoleSize(ctx, request);
    let id: string;
    try {
      id = await createContainer(ctx, request, 'create');
    } catch (err) {
      if (err instanceof StatusError) throw err;
      if (err instanceof JsonStreamError) throw new StatusError(1, err.message);
      throw new StatusError(1, errorText(err));
    }
    ctx.out(`${id}\n`);
  },
};

/** The resize and signal plumbing of an attached session, undone by the returned function. */
function sessionHelpers(ctx: CommandContext, id: string, options: { tty: boolean; sigProxy: boolean }): { monitorSize: (isExec?: boolean) => void; stop: () => void } {
  const stops: (() => void)[] = [];
  if (options.sigProxy) stops.push(forwardSignals((signal) => killContainer(ctx, id, signal)));
  return {
    monitorSize: (isExec = false) => {
      stops.push(monitorTtySize(ctx.stdout, (h, w) => resizeContainer(ctx, id, h, w, isExec), () => ctx.err('failed to resize tty, using default size\n')));
    },
    stop: () => { for (const s of stops.splice(0)) s(); },
  };
}

/** Ends what the session read from the local stdin, so the process can exit. */
function releaseStdin(ctx: CommandContext, used: boolean): void {
  if (!used) return;
  const stdin = ctx.stdin as Readable & { unref?: () => void };
  stdin.pause();
  stdin.unref?.();
}

export const runCommand: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  aliasLine: 'strata container run, strata run',
  args: { kind: 'min', n: 1 },
  interspersed: false,
  flags: [...CONTAINER_FLAGS, ...RUN_FLAGS],
  async run(ctx, o, args) {
    const request = parseOrFail(o, args, 'run');
    const config = request.config;
    const detach = o.bool('detach');
    if (!detach) {
      if (config.Tty && config.AttachStdin && !isTerminal(ctx.stdin)) throw notATty();
    } else {
      if (o.strings('attach').length > 0) throw new StatusError(1, 'conflicting options: cannot specify both --attach and --detach');
      config.AttachStdin = false;
      config.AttachStdout = false;
      config.AttachStderr = false;
      config.StdinOnce = false;
    }
    withConsoleSize(ctx, request);
    let id: string;
    try {
      id = await createContainer(ctx, request, 'run');
    } catch (err) {
      if (err instanceof StatusError) throw err;
      if (err instanceof JsonStreamError) throw new StatusError(125, withHelp(err.message, 'run'));
      throw runStatusError(err);
    }
    const helpers = sessionHelpers(ctx, id, { tty: config.Tty, sigProxy: o.bool('sig-proxy') });
    try {
      await runAttached(ctx, id, request, o.string('detach-keys'), helpers);
    } finally {
      helpers.stop();
    }
  },
};

async function runAttached(ctx: CommandContext, id: string, request: CreateRequest, detachKeys: string, helpers: ReturnType<typeof sessionHelpers>): Promise<void> {
  const config = request.config;
  const attach = config.AttachStdin || config.AttachStdout || config.AttachStderr;
  let session: StreamSession | undefined;
  let conn: HijackedConnection | undefined;
  if (attach) {
    try {
      conn = await attachContainer(ctx, id, { stdin: config.AttachStdin, stdout: config.AttachStdout, stderr: config.AttachStderr, detachKeys });
    } catch (err) {
      throw new StatusError(1, errorText(err));
    }
    session = streamHijacked({
      conn,
      tty: config.Tty,
      input: config.AttachStdin ? ctx.stdin : undefined,
      output: config.AttachStdout ? ctx.stdout : undefined,
      error: config.AttachStderr ? (config.Tty ? ctx.stdout : ctx.stderr) : undefined,
      detachKeys,
      warn: (t) => ctx.err(t),
    });
  }
  const sessionDone = session?.done.then(() => undefined, (err: unknown) => err);
  // Detached, the ID is printed at once (before start, as docker does: even when start fails).
  if (!attach) ctx.out(`${id}\n`);
  const wait = waitContainer(ctx, id, request.hostConfig.AutoRemove ? 'removed' : 'next-exit');
  try {
    await runStarted(ctx, id, request, session, sessionDone, wait, helpers);
  } finally {
    wait.cancel();
  }
}

async function runStarted(
  ctx: CommandContext, id: string, request: CreateRequest, session: StreamSession | undefined, sessionDone: Promise<unknown> | undefined,
  wait: ReturnType<typeof waitContainer>, helpers: ReturnType<typeof sessionHelpers>,
): Promise<void> {
  const config = request.config;
  const attach = session !== undefined;
  await wait.ready;
  try {
    await startContainer(ctx, id);
  } catch (err) {
    if (session) {
      session.cancel();
      await sessionDone;
    }
    releaseStdin(ctx, config.AttachStdin);
    if (request.hostConfig.AutoRemove) await removeAfterFailedStart(ctx, id, wait);
    throw runStatusError(err);
  }
  if (!attach) return;
  if (config.Tty && isTerminal(ctx.stdout)) helpers.monitorSize();
  try {
    const first = await Promise.race([sessionDone!.then((err) => ({ kind: 'stream' as const, err })), wait.status.then((status) => ({ kind: 'status' as const, status }))]);
    if (first.kind === 'stream') {
      if (first.err instanceof DetachedError) return;
      if (first.err) throw new StatusError(1, errorText(first.err));
      const status = await wait.status;
      if (status !== 0) throw new StatusError(status, '');
      return;
    }
    if (!config.AttachStdout && !config.AttachStderr) session!.cancel();
    await sessionDone;
    if (first.status !== 0) throw new StatusError(first.status, '');
  } finally {
    releaseStdin(ctx, config.AttachStdin);
  }
}

export const startCommand: CommandSpec = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  aliasLine: 'strata container start, strata start',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'attach', short: 'a', type: 'bool', description: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'checkpoint', type: 'string', description: 'Restore from this checkpoint', hidden: true },
    { name: 'checkpoint-dir', type: 'string', description: 'Use a custom checkpoint storage directory', hidden: true },
    { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { name: 'interactive', short: 'i', type: 'bool', description: "Attach container's STDIN" },
  ],
  async run(ctx, o, args) {
    if (o.bool('attach') || o.bool('interactive')) {
      if (args.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
      await startAttached(ctx, args[0]!, o.bool('interactive'), o.string('detach-keys'));
      return;
    }
    if (o.string('checkpoint')) throw new StatusError(1, 'checkpoints are not supported by strata');
    const failed: string[] = [];
    for (const name of args) {
      try {
        await startContainer(ctx, name);
        ctx.out(`${name}\n`);
      } catch (err) {
        ctx.err(`${errorText(err)}\n`);
        failed.push(name);
      }
    }
    if (failed.length > 0) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
  },
};

async function startAttached(ctx: CommandContext, name: string, interactive: boolean, detachKeys: string): Promise<void> {
  let c: ContainerInspect;
  try {
    c = await inspectContainer(ctx, name);
  } catch (err) {
    throw new StatusError(1, errorText(err));
  }
  const helpers = sessionHelpers(ctx, c.Id, { tty: c.Config.Tty, sigProxy: !c.Config.Tty });
  const stdin = interactive && c.Config.OpenStdin;
  try {
    let conn: HijackedConnection;
    try {
      conn = await attachContainer(ctx, c.Id, { stdin, stdout: true, stderr: true, detachKeys });
    } catch (err) {
      throw new StatusError(1, errorText(err));
    }
    const session = streamHijacked({ conn, tty: c.Config.Tty, input: stdin ? ctx.stdin : undefined, output: ctx.stdout, error: ctx.stderr, detachKeys, warn: (t) => ctx.err(t) });
    const sessionDone = session.done.then(() => undefined, (err: unknown) => err);
    const wait = waitContainer(ctx, c.Id, c.HostConfig.AutoRemove ? 'removed' : 'next-exit');
    try {
      await wait.ready;
      try {
        await startContainer(ctx, c.Id);
      } catch (err) {
        session.cancel();
        await sessionDone;
        if (c.HostConfig.AutoRemove) await removeAfterFailedStart(ctx, c.Id, wait);
        throw new StatusError(1, errorText(err));
      }
      if (c.Config.Tty && isTerminal(ctx.stdout)) helpers.monitorSize();
      const attachErr = await sessionDone;
      if (attachErr instanceof DetachedError) return;
      if (attachErr) throw new StatusError(1, errorText(attachErr));
      const status = await wait.status;
      if (status !== 0) throw new StatusError(status, '');
    } finally {
      wait.cancel();
    }
  } finally {
    helpers.stop();
    releaseStdin(ctx, stdin);
  }
}

function checkAttachable(c: ContainerInspect): void {
  if (!c.State.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
}

export const attachCommand: CommandSpec = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  aliasLine: 'strata container attach, strata attach',
  args: { kind: 'exact', n: 1 },
  flags: [
    { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { name: 'no-stdin', type: 'bool', description: 'Do not attach STDIN' },
    { name: 'sig-proxy', type: 'bool', default: true, description: 'Proxy all received signals to the process' },
  ],
  async run(ctx, o, args) {
    const name = args[0]!;
    const wait = waitContainer(ctx, name, '', false);
    try {
      await attachTo(ctx, o, name, wait);
    } finally {
      wait.cancel();
    }
  },
};

async function attachTo(ctx: CommandContext, o: Options, name: string, wait: ReturnType<typeof waitContainer>): Promise<void> {
  {
    let c: ContainerInspect;
    try {
      c = await inspectContainer(ctx, name);
    } catch (err) {
      throw new StatusError(1, errorText(err));
    }
    checkAttachable(c);
    if (!o.bool('no-stdin') && c.Config.Tty && !isTerminal(ctx.stdin)) throw notATty();
    const stdin = !o.bool('no-stdin') && c.Config.OpenStdin;
    const detachKeys = o.string('detach-keys');
    const helpers = sessionHelpers(ctx, c.Id, { tty: c.Config.Tty, sigProxy: o.bool('sig-proxy') && !c.Config.Tty });
    try {
      let conn: HijackedConnection;
      try {
        conn = await attachContainer(ctx, c.Id, { stdin, stdout: true, stderr: true, detachKeys });
        checkAttachable(await inspectContainer(ctx, c.Id));
      } catch (err) {
        if (err instanceof StatusError) throw err;
        throw new StatusError(1, errorText(err));
      }
      if (c.Config.Tty && isTerminal(ctx.stdout)) {
        const { height, width } = terminalSize(ctx.stdout);
        await resizeContainer(ctx, c.Id, height + 1, width + 1, false).catch(() => {});
        helpers.monitorSize();
      }
      const session = streamHijacked({ conn, tty: c.Config.Tty, input: stdin ? ctx.stdin : undefined, output: ctx.stdout, error: ctx.stderr, detachKeys, warn: (t) => ctx.err(t) });
      try {
        await session.done;
      } catch (err) {
        throw new StatusError(1, errorText(err));
      }
      const status = await wait.status;
      if (status !== 0) throw new StatusError(status, '');
    } finally {
      helpers.stop();
      releaseStdin(ctx, stdin);
    }
  }
}

