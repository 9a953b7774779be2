import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isErrorKind } from '../../base/index.js';
import { selectOverlayOptions } from './overlay-options.js';

const ALL = ['index=off', 'redirect_dir=off', 'metacopy=off'];

test('a kernel taking every option gets all of them', () => {
  assert.deepEqual(selectOverlayOptions(() => true, () => true), ALL);
});

test('an option unknown to a kernel without that feature is left out', () => {
  // A 4.14-like kernel: index and redirect_dir exist, metacopy does not.
  const accepts = (options: string[]) => !options.includes('metacopy=off');
  const hasParam = (param: string) => param !== 'metacopy';
  assert.deepEqual(selectOverlayOptions(accepts, hasParam), ['index=off', 'redirect_dir=off']);
});

test('a kernel that has the feature but rejects the option is unusable', () => {
  const accepts = (options: string[]) => !options.includes('index=off');
  assert.throws(() => selectOverlayOptions(accepts, () => true), (err) => isErrorKind(err, 'unavailable') && /index/.test((err as Error).message));
});

test('overlay failing even without options is unavailable', () => {
  assert.throws(() => selectOverlayOptions(() => false, () => false), (err) => isErrorKind(err, 'unavailable'));
});
