import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrorKind } from '../base/index.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { SnapshotIndex } from './snapshot-index.js';
import { DIFF_ID_LABEL } from './snapshotter.js';
import { StoreLayout } from './store-layout.js';

/** The index alone, without mounts: these run unprivileged. */
async function openIndex(t: TestContext): Promise<{ index: SnapshotIndex; layout: StoreLayout; reopen: () => Promise<SnapshotIndex> }> {
  const temp = await makeTempRoot('strata-index-');
  t.after(() => temp.cleanup());
  const layout = new StoreLayout(join(temp.dir, 'root'));
  const reopen = async () => {
    const index = new SnapshotIndex(layout);
    await index.load();
    return index;
  };
  return { index: await reopen(), layout, reopen };
}

const noop = async () => {};

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

test('a snapshot being created holds its name and keeps its parent from removal', async (t) => {
  const { index } = await openIndex(t);
  await index.createInNewDir({ name: 'base-active', kind: 'active' }, noop);
  await index.commit('base', 'base-active');

  const gate = deferred();
  let started!: () => void;
  const populating = new Promise<void>((r) => { started = r; });
  const creating = index.createInNewDir({ name: 'slow', kind: 'active', parent: 'base' }, async () => {
    started();
    await gate.promise;
  });
  await populating;
  await assert.rejects(index.createInNewDir({ name: 'slow', kind: 'active' }, noop), (err) => isErrorKind(err, 'already-exists'));
  await assert.rejects(index.remove('base'), (err) => isErrorKind(err, 'conflict') && /"slow"/.test((err as Error).message));
  gate.resolve();
  await creating;
  assert.equal(index.get('slow').parent, 'base');
});

test('a failed populate leaves neither record nor directory', async (t) => {
  const { index, layout } = await openIndex(t);
  await assert.rejects(index.createInNewDir({ name: 'broken', kind: 'active' }, async () => { throw new Error('copy failed'); }), /copy failed/);
  assert.throws(() => index.get('broken'), (err) => isErrorKind(err, 'not-found'));
  assert.deepEqual(await readdir(layout.root), ['records']);
  await index.createInNewDir({ name: 'broken', kind: 'active' }, noop); // the name is free again
});

test('commit records usage and diffID in meta.json and keeps the directory', async (t) => {
  const { index, layout, reopen } = await openIndex(t);
  const active = await index.createInNewDir({ name: 'a', kind: 'active' }, async (dir) => {
    await writeFile(join(layout.fsPath(dir), 'f'), '12345');
  });
  const diffId = `sha256:${'c'.repeat(64)}`;
  const committed = await index.commit('c', 'a', { [DIFF_ID_LABEL]: diffId });
  assert.equal(committed.dir, active.dir);
  assert.deepEqual(JSON.parse(await readFile(layout.metaPath(active.dir), 'utf8')), { diffId, size: 5, inodes: 2 });
  assert.deepEqual((await reopen()).committedDirsWithDiffId(diffId), [active.dir]);
  assert.throws(() => index.get('a'), (err) => isErrorKind(err, 'not-found'));
});

test('a snapshot being committed cannot be removed or committed again', async (t) => {
  const temp = await makeTempRoot('strata-index-');
  t.after(() => temp.cleanup());
  const gate = deferred();
  let measuring!: () => void;
  const measured = new Promise<void>((r) => { measuring = r; });
  const index = new SnapshotIndex(new StoreLayout(temp.dir), {
    measure: async () => {
      measuring();
      await gate.promise;
      return { size: 0, inodes: 1 };
    },
  });
  await index.createInNewDir({ name: 'a', kind: 'active' }, noop);
  const committing = index.commit('c1', 'a');
  await measured;
  await assert.rejects(index.remove('a'), (err) => isErrorKind(err, 'conflict') && /being committed/.test((err as Error).message));
  await assert.rejects(index.commit('c2', 'a'), (err) => isErrorKind(err, 'conflict'));
  await assert.rejects(index.createInNewDir({ name: 'c1', kind: 'active' }, noop), (err) => isErrorKind(err, 'already-exists'));
  gate.resolve();
  await committing;
  assert.equal(index.get('c1').kind, 'committed');
});

test('start-up drops the children of a record whose directory vanished', async (t) => {
  const { index, layout, reopen } = await openIndex(t);
  await index.createInNewDir({ name: 'a', kind: 'active' }, noop);
  const base = await index.commit('base', 'a');
  await index.createInNewDir({ name: 'child', kind: 'active', parent: 'base' }, noop);
  await index.createInNewDir({ name: 'other', kind: 'active' }, noop);
  await rm(layout.dirPath(base.dir), { recursive: true });
  const again = await reopen();
  assert.deepEqual(again.all().map((r) => r.name), ['other']);
  assert.equal((await readdir(layout.recordsDir)).length, 1);
  assert.equal((await readdir(layout.root)).length, 2, 'records/ and the one remaining directory');
});

test('unreadable records are removed at start-up', async (t) => {
  const { layout, reopen } = await openIndex(t);
  await writeFile(join(layout.recordsDir, 'garbage.json'), '{"name": 3}');
  await writeFile(layout.recordPath('misfiled'), JSON.stringify({ name: 'other-name', kind: 'active', dir: 'aaaaaaaaaaaa', labels: {}, created: '' }));
  const index = await reopen();
  assert.deepEqual(index.all(), []);
  assert.deepEqual(await readdir(layout.recordsDir), []);
});
