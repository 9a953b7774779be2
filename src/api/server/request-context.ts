import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { Logger } from '../../base/index.js';
import { InvalidArgumentError } from '../../base/index.js';
import { FilterArgs, versionLessThan } from '../types/index.js';
import { JsonStreamWriter } from './json-stream.js';
import { readJsonBody, parseBody, parseJsonBytes, DEFAULT_JSON_BODY_LIMIT } from './json-body.js';

/** The raw connection of a request that asked to be upgraded (`Upgrade: tcp`). */
export interface UpgradeRequest {
  socket: Duplex;
  /** The request body, already read off the socket (see ApiServer's upgrade handling). */
  body: Buffer;
}

/**
 * One request as a handler sees it: path parameters, query, negotiated API version, a
 * signal that fires when the client goes away or the daemon shuts down, and helpers for
 * Docker's ways of answering (JSON, JSON-lines progress, empty statuses, hijacking).
 */
export class RequestContext {
  /** Set by the hijack helper: the connection no longer speaks HTTP. */
  hijacked = false;
  private progress?: JsonStreamWriter;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string>,
    readonly query: URLSearchParams,
    readonly version: string,
    readonly signal: AbortSignal,
    readonly logger: Logger,
    readonly upgrade: UpgradeRequest | undefined,
    private readonly bodyLimit = DEFAULT_JSON_BODY_LIMIT,
  ) {}

  /** True when the request's API version is older than `version`. */
  versionBefore(version: string): boolean {
    return versionLessThan(this.version, version);
  }

  // ---- query -----------------------------------------------------------------------------

  string(name: string): string {
    return this.query.get(name) ?? '';
  }

  strings(name: string): string[] {
    return this.query.getAll(name);
  }

  /** Docker's BoolValue: '', 0, no, false, none are false; anything else is true. */
  bool(name: string): boolean {
    const value = (this.query.get(name) ?? '').trim().toLowerCase();
    return !['', '0', 'no', 'false', 'none'].includes(value);
  }

  boolOr(name: string, fallback: boolean): boolean {
    return this.query.has(name) ? this.bool(name) : fallback;
  }

  /** An integer query value; `fallback` when absent or empty, 400 when not an integer. */
  int(name: string, fallback: number): number {
    const raw = this.query.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^[+-]?\d+$/.test(raw)) throw new InvalidArgumentError(`invalid value for ${name}: strconv.ParseInt: parsing "${raw}": invalid syntax`);
    return Number.parseInt(raw, 10);
  }

  filters(): FilterArgs {
    return FilterArgs.fromJSON(this.query.get('filters'));
  }

  // ---- body ------------------------------------------------------------------------------

  /** The JSON body checked against `schema`; undefined for an empty body. */
  async readJson<T>(schema: z.ZodType<T>): Promise<T | undefined> {
    const value = this.upgrade ? parseJsonBytes(this.req, this.upgrade.body) : await readJsonBody(this.req, this.bodyLimit);
    return value === undefined ? undefined : parseBody(schema, value);
  }

  // ---- answering -------------------------------------------------------------------------

  /** Docker's WriteJSON: the value and a newline, HTML characters not escaped. */
  sendJson(status: number, value: unknown): void {
    const body = JSON.stringify(value) + '\n';
    this.res.setHeader('Content-Type', 'application/json');
    this.res.setHeader('Content-Length', Buffer.byteLength(body));
    this.res.writeHead(status);
    this.res.end(body);
  }

  sendStatus(status: number): void {
    this.res.writeHead(status);
    this.res.end();
  }

  sendText(status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
    this.res.setHeader('Content-Type', contentType);
    this.res.setHeader('Content-Length', Buffer.byteLength(text));
    this.res.writeHead(status);
    this.res.end(text);
  }

  /** The JSON-lines progress stream of this response (one per request). */
  jsonStream(): JsonStreamWriter {
    this.progress ??= new JsonStreamWriter(this.res);
    return this.progress;
  }

  /** The progress stream if one was started: errors then go into it. */
  get startedJsonStream(): JsonStreamWriter | undefined {
    return this.progress?.started ? this.progress : undefined;
  }
}
