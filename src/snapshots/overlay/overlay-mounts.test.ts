import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isErrorKind } from '../../base/index.js';
import { StoreLayout } from '../store-layout.js';
import { MAX_MOUNT_DATA, readOnlyMounts, writableMounts } from './overlay-mounts.js';

const layout = new StoreLayout('/var/lib/strata/snapshots/overlay');
const FEATURES = ['index=off'];
const ids = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(12, '0'));

test('a writable snapshot without parent is a rw bind of its own fs', () => {
  assert.deepEqual(writableMounts(layout, 'k', 'aaaaaaaaaaaa', [], FEATURES), [
    { type: 'bind', source: '/var/lib/strata/snapshots/overlay/aaaaaaaaaaaa/fs', options: ['bind', 'rw'] },
  ]);
});

test('a writable snapshot on parents is an overlay with absolute paths, nearest lower first', () => {
  const [mount] = writableMounts(layout, 'k', 'aaaaaaaaaaaa', ['bbbbbbbbbbbb', 'cccccccccccc'], FEATURES);
  assert.deepEqual(mount, {
    type: 'overlay',
    source: 'overlay',
    options: [
      'index=off',
      'workdir=/var/lib/strata/snapshots/overlay/aaaaaaaaaaaa/work',
      'upperdir=/var/lib/strata/snapshots/overlay/aaaaaaaaaaaa/fs',
      'lowerdir=/var/lib/strata/snapshots/overlay/bbbbbbbbbbbb/fs:/var/lib/strata/snapshots/overlay/cccccccccccc/fs',
    ],
  });
});

test('read-only: none → bind of the empty dir, one → bind of it, more → ro overlay', () => {
  assert.deepEqual(readOnlyMounts(layout, 'v', 'eeeeeeeeeeee', [], FEATURES)[0]!.source, layout.fsPath('eeeeeeeeeeee'));
  assert.deepEqual(readOnlyMounts(layout, 'v', 'eeeeeeeeeeee', ['bbbbbbbbbbbb'], FEATURES), [
    { type: 'bind', source: layout.fsPath('bbbbbbbbbbbb'), options: ['bind', 'ro'] },
  ]);
  const [mount] = readOnlyMounts(layout, 'v', 'eeeeeeeeeeee', ['bbbbbbbbbbbb', 'cccccccccccc'], FEATURES);
  assert.equal(mount!.type, 'overlay');
  assert.equal(mount!.options[0], 'ro');
  assert.ok(!mount!.options.some((o) => o.startsWith('upperdir=') || o.startsWith('workdir=')));
});

test('long stacks switch to paths relative to the root, with cwd', () => {
  const [mount] = writableMounts(layout, 'k', 'aaaaaaaaaaaa', ids(128), FEATURES);
  assert.equal(mount!.cwd, layout.root);
  assert.ok(mount!.options.includes('upperdir=aaaaaaaaaaaa/fs'));
  assert.ok(mount!.options.join(',').length <= MAX_MOUNT_DATA);
  const [short] = writableMounts(layout, 'k', 'aaaaaaaaaaaa', ids(20), FEATURES);
  assert.equal(short!.cwd, undefined);
});

test('a stack too deep even for relative paths is refused, naming the snapshot', () => {
  assert.throws(() => writableMounts(layout, 'deep', 'aaaaaaaaaaaa', ids(300), FEATURES), (err) => isErrorKind(err, 'invalid-argument') && /"deep"/.test((err as Error).message));
});
