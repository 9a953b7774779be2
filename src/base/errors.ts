/**
 * The one error vocabulary of strata. Core code throws these with a message that names
 * the object; the API maps each kind to an HTTP status and the CLI to an exit code, each
 * in one place.
 */
export type ErrorKind =
  | 'not-found'
  | 'conflict'
  | 'invalid-argument'
  | 'already-exists'
  | 'not-modified'
  | 'failed-precondition'
  | 'unavailable'
  | 'permission-denied'
  | 'not-implemented'
  | 'data-corrupt'
  | 'internal';

export class StrataError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
}

/** The named object does not exist (HTTP 404). */
export class NotFoundError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('not-found', message, options); }
}
/** The request clashes with the current state, e.g. a name in use or an image in use (HTTP 409). */
export class ConflictError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('conflict', message, options); }
}
/** The caller's input is malformed (HTTP 400). */
export class InvalidArgumentError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('invalid-argument', message, options); }
}
/** The object being created already exists (HTTP 409). */
export class AlreadyExistsError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('already-exists', message, options); }
}
/** Nothing to do: already started, already stopped (HTTP 304). */
export class NotModifiedError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('not-modified', message, options); }
}
/** The system is not in a state where the operation can run (HTTP 409/500 by context). */
export class FailedPreconditionError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('failed-precondition', message, options); }
}
/** A dependency is missing or unreachable: a binary, a kernel feature, a remote (HTTP 503). */
export class UnavailableError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('unavailable', message, options); }
}
export class PermissionDeniedError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('permission-denied', message, options); }
}
export class NotImplementedError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('not-implemented', message, options); }
}
/** Stored or received data does not match what it claims to be (a digest or size mismatch). */
export class DataCorruptError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('data-corrupt', message, options); }
}
export class InternalError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) { super('internal', message, options); }
}

export function isStrataError(err: unknown): err is StrataError {
  return err instanceof StrataError;
}

export function isErrorKind(err: unknown, kind: ErrorKind): boolean {
  return err instanceof StrataError && err.kind === kind;
}

/** Node's errno-style errors (ENOENT, EEXIST…) carry a `code`; this narrows to them. */
export function errnoCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return errnoCode(err) === 'ENOENT' || isErrorKind(err, 'not-found');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
