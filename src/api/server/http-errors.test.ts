import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NotFoundError, ConflictError, AlreadyExistsError, InvalidArgumentError, NotModifiedError, UnavailableError,
  InternalError, PermissionDeniedError, NotImplementedError, FailedPreconditionError,
} from '../../base/index.js';
import { statusForError, HttpError } from './http-errors.js';

test('error kinds map to Docker statuses in one place', () => {
  assert.equal(statusForError(new NotFoundError('x')), 404);
  assert.equal(statusForError(new ConflictError('x')), 409);
  assert.equal(statusForError(new AlreadyExistsError('x')), 409);
  assert.equal(statusForError(new InvalidArgumentError('x')), 400);
  assert.equal(statusForError(new NotModifiedError('x')), 304);
  assert.equal(statusForError(new UnavailableError('x')), 503);
  assert.equal(statusForError(new PermissionDeniedError('x')), 403);
  assert.equal(statusForError(new NotImplementedError('x')), 501);
  assert.equal(statusForError(new FailedPreconditionError('x')), 409);
  assert.equal(statusForError(new InternalError('x')), 500);
  assert.equal(statusForError(new Error('plain')), 500);
  assert.equal(statusForError(new HttpError(413, 'too big')), 413);
});
