import { isStrataError, type ErrorKind } from '../../base/index.js';

/**
 * An error that is about HTTP itself rather than the engine (no such endpoint, wrong
 * method, a body over the limit): it carries its status.
 */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The one place engine error kinds become HTTP statuses, as Docker's errdefs map them. */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  'not-found': 404,
  conflict: 409,
  'already-exists': 409,
  'invalid-argument': 400,
  'not-modified': 304,
  'failed-precondition': 409,
  unavailable: 503,
  'permission-denied': 403,
  'not-implemented': 501,
  'data-corrupt': 500,
  internal: 500,
};

export function statusForError(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (isStrataError(err)) return STATUS_BY_KIND[err.kind] ?? 500;
  return 500;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
