import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../../base/index.js';
import { PRODUCT_NAME } from '../types/index.js';
import { versionLessThan } from '../types/index.js';
import type { Router } from './router.js';
import { RequestContext, type UpgradeRequest } from './request-context.js';
import { API_VERSION, splitVersionedPath, negotiateVersion } from './versions.js';
import { HttpError, statusForError, errorMessage } from './http-errors.js';
import { DEFAULT_JSON_BODY_LIMIT } from './json-body.js';

export interface ApiServerOptions {
  router: Router;
  /** strata's version, for the Server header. */
  engineVersion: string;
  logger?: Logger;
  bodyLimit?: number;
}

/**
 * The Engine API over HTTP/1.1: version prefixes, Docker's headers on every response, errors
 * as `{"message": ...}` with the status of their kind, and connections tracked so shutdown
 * can finish what is in flight and then close the rest.
 */
export class ApiServer {
  private readonly server: Server;
  private readonly logger: Logger;
  private readonly sockets = new Set<Socket | Duplex>();
  private readonly shutdown = new AbortController();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: ApiServerOptions) {
    this.logger = options.logger ?? silentLogger;
    // No overall request deadline: imports upload for as long as they take and event
    // streams stay open; a slow client only costs its own connection.
    this.server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 });
    this.server.on('request', (req, res) => void this.handle(req, res, undefined));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Node hands an upgrade request over with its body unread: the body (exec start's
      // JSON, for one) is the first Content-Length bytes of the socket, and only what follows
      // is the client's stdin.
      void readUpgradeBody(req, socket, head, this.options.bodyLimit ?? DEFAULT_JSON_BODY_LIMIT).then((body) => {
        const res = new ServerResponse(req);
        res.assignSocket(socket as Socket);
        res.shouldKeepAlive = false;
        res.on('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
        void this.handle(req, res, { socket, body });
      }, () => socket.destroy());
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      this.logger.debug('malformed request', { error: err.message, code: err.code });
      if (socket.writable && err.code !== 'ECONNRESET') {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      } else {
        socket.destroy();
      }
    });
  }

  get httpServer(): Server {
    return this.server;
  }

  listen(target: { path: string } | { host: string; port: number }): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(target, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs`, then
   * closes every connection left (streams such as /events see their signal fire first).
   */
  async close(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.shutdown.abort(new Error('daemon is shutting down'));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
      ]);
    }
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, upgrade: UpgradeRequest | undefined): Promise<void> {
    this.inFlight++;
    const started = Date.now();
    setCommonHeaders(res, this.options.engineVersion);
    const clientGone = new AbortController();
    res.on('close', () => { if (!res.writableFinished) clientGone.abort(new Error('client disconnected')); });
    const signal = AbortSignal.any([clientGone.signal, this.shutdown.signal]);
    let ctx: RequestContext | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      let pathname: string;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        throw new HttpError(400, `invalid URL escape in path "${url.pathname}"`);
      }
      const { version: requested, path } = splitVersionedPath(pathname);
      const method = (req.method ?? 'GET').toUpperCase();
      const match = this.options.router.match(method, path);
      if (match.kind === 'not-found') throw new HttpError(404, 'page not found');
      if (match.kind === 'method-not-allowed') {
        res.setHeader('Allow', match.allowed.join(', '));
        throw new HttpError(405, `method ${method} is not allowed on ${path}`);
      }
      const version = negotiateVersion(requested);
      if (match.route.options.minVersion && versionLessThan(version, match.route.options.minVersion)) {
        throw new HttpError(404, 'page not found');
      }
      const logger = this.logger.child({ method, path: url.pathname });
      ctx = new RequestContext(req, res, match.params, url.searchParams, version, signal, logger, upgrade, this.options.bodyLimit ?? DEFAULT_JSON_BODY_LIMIT);
      await match.route.handler(ctx);
      if (!ctx.hijacked && !res.writableEnded) {
        if (!res.headersSent) res.writeHead(204);
        res.end();
      }
    } catch (err) {
      await this.fail(req, res, ctx, err, signal);
    } finally {
      this.logger.debug('request', { method: req.method, url: req.url, status: res.statusCode, ms: Date.now() - started });
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Answers a failed request the way its state still allows. */
  private async fail(req: IncomingMessage, res: ServerResponse, ctx: RequestContext | undefined, err: unknown, signal: AbortSignal): Promise<void> {
    if (signal.aborted && !this.shutdown.signal.aborted) {
      this.logger.debug('request cancelled by client', { url: req.url, error: errorMessage(err) });
      res.destroy();
      return;
    }
    if (ctx?.hijacked) {
      this.logger.warn('hijacked connection failed', { url: req.url, error: errorMessage(err) });
      ctx.upgrade?.socket.destroy();
      if (!ctx.upgrade) res.destroy();
      return;
    }
    const status = statusForError(err);
    if (status >= 500) this.logger.error(`handler for ${req.method} ${req.url} returned error`, { error: errorMessage(err), status });
    const stream = ctx?.startedJsonStream;
    if (stream) {
      stream.error(err);
      stream.end();
      return;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A body the handler did not read (a refused upload) is read and discarded first, up to a
    // bound, so a client still sending it gets the answer instead of a broken pipe; past the
    // bound the connection just closes after the answer.
    const hasBody = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) > 0 : req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.complete && !req.destroyed) {
      res.shouldKeepAlive = false;
      await discardBody(req, DRAIN_LIMIT, DRAIN_TIMEOUT_MS);
      if (res.destroyed) return;
    }
    if (status === 304) {
      res.writeHead(304);
      res.end();
      return;
    }
    const body = JSON.stringify({ message: errorMessage(err) }) + '\n';
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.writeHead(status);
    res.end(body);
  }
}

/** How much of a refused request body is read and thrown away before answering. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 10_000;

function discardBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('error', done);
      req.off('close', done);
      req.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) done();
    };
    const timer = setTimeout(done, timeoutMs);
    req.on('data', onData);
    req.on('end', done);
    req.on('error', done);
    req.on('close', done);
    req.resume();
  });
}

/** The headers Docker puts on every response. */
function setCommonHeaders(res: ServerResponse, engineVersion: string): void {
  res.setHeader('Api-Version', API_VERSION);
  res.setHeader('Docker-Experimental', 'false');
  res.setHeader('Ostype', 'linux');
  res.setHeader('Server', `${PRODUCT_NAME}/${engineVersion} (linux)`);
}

/** Reads an upgrade request's Content-Length body from `head` and the socket; puts back the rest. */
function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer, limit: number): Promise<Buffer> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length < 0 || length > limit) return Promise.reject(new Error('bad upgrade body length'));
  if (head.length >= length) {
    if (head.length > length) socket.unshift(head.subarray(length));
    return Promise.resolve(head.subarray(0, length));
  }
  return new Promise((resolve, reject) => {
    let have = head;
    const onData = (chunk: Buffer) => {
      have = Buffer.concat([have, chunk]);
      if (have.length < length) return;
      cleanup();
      socket.pause();
      if (have.length > length) socket.unshift(have.subarray(length));
      resolve(have.subarray(0, length));
    };
    const onEnd = () => { cleanup(); reject(new Error('connection closed in the request body')); };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onEnd);
  });
}
