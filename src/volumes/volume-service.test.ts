import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { VolumeService, ANONYMOUS_LABEL } from './volume-service.js';

async function withVolumes(fn: (v: VolumeService, root: string) => Promise<void>): Promise<void> {
  const temp = await makeTempRoot('strata-volumes-');
  try {
    const v = new VolumeService(join(temp.dir, 'volumes'));
    await v.init();
    await fn(v, join(temp.dir, 'volumes'));
  } finally {
    await temp.cleanup();
  }
}

test('create, inspect, list, remove a named volume', () => withVolumes(async (v) => {
  const vol = await v.create({ name: 'data', labels: { a: 'b' } });
  assert.equal(vol.Name, 'data');
  assert.equal(vol.Driver, 'local');
  assert.equal(vol.Scope, 'local');
  assert.deepEqual(vol.Labels, { a: 'b' });
  assert.match(vol.Mountpoint, /\/data\/_data$/);
  assert.deepEqual(await readdir(vol.Mountpoint), []);
  assert.equal(await v.create({ name: 'data' }), vol, 'creating an existing name returns it');
  assert.deepEqual(v.list().map((x) => x.Name), ['data']);
  await v.remove('data');
  assert.throws(() => v.get('data'), /get data: no such volume/);
  await assert.rejects(v.remove('data'), /no such volume/);
  await v.remove('data', { force: true });
}));

test('anonymous volumes get a random name and the anonymous label', () => withVolumes(async (v) => {
  const vol = await v.create();
  assert.match(vol.Name, /^[0-9a-f]{64}$/);
  assert.ok(ANONYMOUS_LABEL in vol.Labels);
}));

test('bad names are refused with Docker\'s messages', () => withVolumes(async (v) => {
  await assert.rejects(v.create({ name: 'a' }), /volume name is too short/);
  await assert.rejects(v.create({ name: '/abs' }), /includes invalid characters for a local volume name/);
  await assert.rejects(v.create({ name: 'x y' }), /includes invalid characters/);
  await assert.rejects(v.create({ name: 'ok', driver: 'nfs-plugin' }), /plugin "nfs-plugin" not found/);
}));

test('a volume in use cannot be removed or pruned; data survives a restart', () => withVolumes(async (v, root) => {
  const vol = await v.create({ name: 'keep' });
  await writeFile(join(vol.Mountpoint, 'f'), 'data');
  const anon = await v.create();
  v.setUsersLookup((name) => (name === 'keep' ? ['abc123'] : []));
  await assert.rejects(v.remove('keep'), /remove keep: volume is in use - \[abc123\]/);
  assert.deepEqual((await v.prune()).removed, [anon.Name], 'prune takes unused anonymous volumes only');
  const again = new VolumeService(root);
  await again.init();
  assert.deepEqual(again.list().map((x) => x.Name), ['keep']);
  assert.equal((await readdir(again.get('keep').Mountpoint))[0], 'f');
}));

test('an interrupted create is invisible and cleaned at start-up', () => withVolumes(async (_v, root) => {
  await mkdir(join(root, '.create-deadbeef', '_data'), { recursive: true });
  const again = new VolumeService(root);
  await again.init();
  assert.deepEqual(again.list(), []);
  assert.deepEqual(await readdir(root), []);
}));
