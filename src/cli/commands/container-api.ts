/**
 * The container requests the CLI makes, over the Engine API client: thin wrappers with the
 * query encoding the docker client uses, shared by the container commands.
 */
import type { IncomingMessage } from 'node:http';
import { engineRequest, engineJson, engineStream, engineHijack, DaemonError, type HijackedConnection } from '../../api/client/index.js';
import type { CommandContext } from '../parser/command.js';

export interface ContainerInspect {
  Id: string;
  Name: string;
  Image: string;
  State: { Status: string; Running: boolean; Paused: boolean; Restarting: boolean; ExitCode: number };
  Config: { Tty: boolean; OpenStdin: boolean; Image: string; [key: string]: unknown };
  HostConfig: { AutoRemove: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

const enc = encodeURIComponent;

export function inspectContainer(ctx: CommandContext, id: string, size = false): Promise<ContainerInspect> {
  return engineJson<ContainerInspect>(ctx.host, { method: 'GET', path: `/containers/${enc(id)}/json`, query: { size } });
}

export async function startContainer(ctx: CommandContext, id: string): Promise<void> {
  await engineRequest(ctx.host, { method: 'POST', path: `/containers/${enc(id)}/start` });
}

export async function killContainer(ctx: CommandContext, id: string, signal: string): Promise<void> {
  await engineRequest(ctx.host, { method: 'POST', path: `/containers/${enc(id)}/kill`, query: { signal: signal || undefined } });
}

export async function resizeContainer(ctx: CommandContext, id: string, height: number, width: number, isExec: boolean): Promise<void> {
  await engineRequest(ctx.host, { method: 'POST', path: `/${isExec ? 'exec' : 'containers'}/${enc(id)}/resize`, query: { h: height, w: width } });
}

export interface AttachOptions {
  stream?: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
  logs?: boolean;
}

export function attachContainer(ctx: CommandContext, id: string, options: AttachOptions): Promise<HijackedConnection> {
  return engineHijack(ctx.host, {
    method: 'POST',
    path: `/containers/${enc(id)}/attach`,
    query: {
      stream: options.stream ?? true, stdin: options.stdin, stdout: options.stdout, stderr: options.stderr,
      detachKeys: options.detachKeys || undefined, logs: options.logs,
    },
  });
}

export interface ExitWait {
  /** The daemon has the waiter in place (its headers arrived). */
  ready: Promise<void>;
  /** The exit status; 125 when waiting failed (as docker's waitExitOrRemoved). */
  status: Promise<number>;
  /** Stops waiting (the request is dropped; `status` then resolves with 125, silently). */
  cancel(): void;
}

/**
 * POST /containers/{id}/wait: `ready` when the daemon has registered the waiter, so a start
 * that follows cannot be missed; `status` with the StatusCode.
 */
export function waitContainer(ctx: CommandContext, id: string, condition: 'next-exit' | 'removed' | 'not-running' | '', report = true): ExitWait {
  const abort = new AbortController();
  const response: Promise<IncomingMessage> = engineStream(ctx.host, { method: 'POST', path: `/containers/${enc(id)}/wait`, query: { condition: condition || undefined }, signal: abort.signal });
  const ready = response.then(() => undefined, () => undefined);
  const status = response.then(async (res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { StatusCode?: number; Error?: { Message?: string } | null };
    if (body.Error?.Message) {
      if (report) ctx.err(`Error waiting for container: ${body.Error.Message}\n`);
      return 125;
    }
    return body.StatusCode ?? 0;
  }).catch((err: unknown) => {
    if (report && !abort.signal.aborted) ctx.err(`error waiting for container: ${err instanceof DaemonError ? (err.unreachable ? err.message : `Error response from daemon: ${err.message}`) : (err as Error).message}\n`);
    return 125;
  });
  return { ready, status, cancel: () => abort.abort() };
}

/** The daemon's answer to `wait` as the `docker wait` command needs it: errors thrown. */
export async function waitStatus(ctx: CommandContext, id: string): Promise<number> {
  const res = await engineStream(ctx.host, { method: 'POST', path: `/containers/${enc(id)}/wait` });
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { StatusCode?: number; Error?: { Message?: string } | null };
  if (body.Error?.Message) throw new Error(body.Error.Message);
  return body.StatusCode ?? 0;
}

export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  ContainerID: string;
}

export function inspectExec(ctx: CommandContext, id: string): Promise<ExecInspect> {
  return engineJson<ExecInspect>(ctx.host, { method: 'GET', path: `/exec/${enc(id)}/json` });
}

export { enc };
