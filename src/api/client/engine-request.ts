import { request as httpRequest, type IncomingMessage, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { clientAddress } from './host.js';
import { DaemonError, toDaemonError } from './api-client.js';

/** A query value as the docker client encodes it: booleans as 1 (false values are left out). */
export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface EngineRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  query?: Record<string, QueryValue>;
  /** A JSON body (sent with Content-Type application/json), or a stream/buffer sent as is. */
  json?: unknown;
  body?: Readable | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface EngineResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** `/path?query` with docker's encoding of booleans and repeated values. */
export function requestPath(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === false) continue;
    if (value === true) params.append(key, '1');
    else if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function open(host: string, req: EngineRequest, extraHeaders: Record<string, string> = {}): { request: ClientRequest; send: () => void } {
  const address = clientAddress(host);
  const headers: Record<string, string> = { ...req.headers, ...extraHeaders };
  let payload: Buffer | undefined;
  if (req.json !== undefined) {
    payload = Buffer.from(JSON.stringify(req.json));
    headers['Content-Type'] = 'application/json';
  } else if (Buffer.isBuffer(req.body)) {
    payload = req.body;
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  const request = httpRequest({
    ...('socketPath' in address ? { socketPath: address.socketPath } : { host: address.host, port: address.port }),
    method: req.method,
    path: requestPath(req.path, req.query),
    headers: { Host: 'api.moby.localhost', ...headers },
    signal: req.signal,
  });
  const send = () => {
    if (payload) request.end(payload);
    else if (req.body instanceof Readable) req.body.pipe(request);
    else request.end();
  };
  return { request, send };
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** The daemon's `{"message": …}` of an error response, or its text. */
export function errorMessageOf(status: number, body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch { /* plain text */ }
  return text || `request failed with status ${status}`;
}

/**
 * One request to the Engine API; resolves with the whole response. Statuses of 400 and up
 * reject with a DaemonError carrying the daemon's message; no answer at all rejects with the
 * "Cannot connect" DaemonError.
 */
export async function engineRequest(host: string, req: EngineRequest): Promise<EngineResponse> {
  const res = await engineStream(host, req);
  const body = req.method === 'HEAD' ? Buffer.alloc(0) : await readAll(res);
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/** Like engineRequest, but parses the body as JSON. */
export async function engineJson<T>(host: string, req: EngineRequest): Promise<T> {
  const res = await engineRequest(host, req);
  const text = res.body.toString('utf8');
  return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
}

/** A request whose response body is read as a stream (logs, export, archives, wait). */
export function engineStream(host: string, req: EngineRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let request: ClientRequest;
    let send: () => void;
    try {
      ({ request, send } = open(host, req));
    } catch (err) {
      reject(err);
      return;
    }
    request.once('error', (err) => reject(toDaemonError(err, host)));
    request.once('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 400) {
        if (req.method === 'HEAD') {
          res.resume();
          reject(new DaemonError(headErrorMessage(status), status));
          return;
        }
        readAll(res).then((body) => reject(new DaemonError(errorMessageOf(status, body), status)), reject);
        return;
      }
      resolve(res);
    });
    send();
  });
}

function headErrorMessage(status: number): string {
  return status === 404 ? 'not found' : `request failed with status ${status}`;
}

/** A hijacked connection: the raw socket after `101 UPGRADED` (or a plain 200 stream). */
export interface HijackedConnection {
  /** Output from the daemon: stdcopy frames, or raw bytes for a TTY. */
  output: Readable;
  /** Writes stdin to the daemon; false when the caller should wait for `drained()`. */
  write(chunk: Buffer): boolean;
  /** Resolves when the connection can take more input. */
  drained(): Promise<void>;
  /** Half-closes the connection: the daemon sees the end of stdin, output keeps coming. */
  closeWrite(): void;
  /** Drops the connection. */
  close(): void;
  /** The response's Content-Type (`application/vnd.docker.raw-stream` for a TTY). */
  contentType: string;
}

/**
 * Docker's hijack: the request asks to upgrade to a raw TCP stream (`Connection: Upgrade`,
 * `Upgrade: tcp`); on `101` the socket carries stdin one way and output the other. A daemon
 * that answers with a plain 200 is read as a stream (stdin is not available then).
 */
export function engineHijack(host: string, req: EngineRequest): Promise<HijackedConnection> {
  return new Promise((resolve, reject) => {
    let request: ClientRequest;
    let send: () => void;
    try {
      ({ request, send } = open(host, req, { Connection: 'Upgrade', Upgrade: 'tcp' }));
    } catch (err) {
      reject(err);
      return;
    }
    request.once('error', (err) => reject(toDaemonError(err, host)));
    request.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      const output = socket as Readable;
      if (head.length > 0) socket.unshift(head);
      socket.setNoDelay(true);
      let writeClosed = false;
      resolve({
        output,
        contentType: String(res.headers['content-type'] ?? ''),
        write: (chunk) => (writeClosed || socket.destroyed ? true : socket.write(chunk)),
        drained: () => new Promise<void>((done) => {
          if (!socket.writableNeedDrain || socket.destroyed) { done(); return; }
          const finish = () => { socket.off('drain', finish); socket.off('close', finish); done(); };
          socket.once('drain', finish);
          socket.once('close', finish);
        }),
        closeWrite: () => {
          if (writeClosed) return;
          writeClosed = true;
          socket.end();
        },
        close: () => { socket.destroy(); },
      });
    });
    request.once('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 400) {
        readAll(res).then((body) => reject(new DaemonError(errorMessageOf(status, body), status)), reject);
        return;
      }
      resolve({
        output: res,
        contentType: String(res.headers['content-type'] ?? ''),
        write: () => true,
        drained: () => Promise.resolve(),
        closeWrite: () => {},
        close: () => { res.destroy(); request.destroy(); },
      });
    });
    send();
  });
}
