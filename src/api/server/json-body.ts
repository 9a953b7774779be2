import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { InvalidArgumentError } from '../../base/index.js';
import { HttpError } from './http-errors.js';

/** Request bodies above this are refused before they are buffered (Docker has no fixed limit). */
export const DEFAULT_JSON_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * Docker's CheckForJSON: a request with a body must say `Content-Type: application/json`
 * (parameters allowed); no header is fine when there is no body.
 */
export function checkJsonContentType(req: IncomingMessage): void {
  const header = req.headers['content-type'];
  const hasBody = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) > 0 : req.headers['transfer-encoding'] !== undefined;
  if (!header) {
    if (!hasBody) return;
    throw new InvalidArgumentError(`unsupported Content-Type header (): must be 'application/json'`);
  }
  const mime = header.split(';')[0]!.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mime)) {
    throw new InvalidArgumentError(`malformed Content-Type header (${header}): mime: expected slash after first token`);
  }
  if (mime !== 'application/json') {
    throw new InvalidArgumentError(`unsupported Content-Type header (${header}): must be 'application/json'`);
  }
}

/**
 * Reads a JSON request body of at most `limit` bytes. A declared or actual size over the
 * limit is refused with 413 as soon as it is known, without reading the rest. An empty body
 * gives undefined (Docker treats it as "no options"); malformed JSON is a 400 naming the
 * problem.
 */
export async function readJsonBody(req: IncomingMessage, limit = DEFAULT_JSON_BODY_LIMIT): Promise<unknown> {
  checkJsonContentType(req);
  const declared = req.headers['content-length'];
  const tooLarge = () => new HttpError(413, `request body is too large: the limit is ${limit} bytes`);
  if (declared !== undefined && Number(declared) > limit) throw tooLarge();
  // Plain 'data' events rather than async iteration: stopping early must not destroy the
  // socket, so the error response can still be written.
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => { cleanup(); resolve(); };
    const onError = (err: Error) => { cleanup(); reject(err); };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  return decodeJson(Buffer.concat(chunks));
}

/** A body already in hand (an upgrade request's), checked like readJsonBody's. */
export function parseJsonBytes(req: IncomingMessage, body: Buffer): unknown {
  checkJsonContentType(req);
  return decodeJson(body);
}

function decodeJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`invalid JSON: ${(err as Error).message}`);
  }
}

/**
 * Checks a decoded body against its schema. Messages name the field and what was wrong,
 * like Go's "json: cannot unmarshal string into Go struct field .Tty of type bool".
 */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
  throw new InvalidArgumentError(`invalid JSON${where}: ${issue?.message ?? 'does not match the expected shape'}`);
}
