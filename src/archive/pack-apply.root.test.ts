import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, lstat, readlink, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { lgetxattr, major, minor } from '../host/index.js';
import { sha256Of } from '../base/index.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { needsRoot } from '../../test/support/privileged.js';
import { applyLayer } from './apply-layer.js';
import { measureLayer, packLayer } from './pack-layer.js';
import { readAllStream, streamOf } from './testsuite/tar-fixture.js';
import { FIXED_TIME, buildTree, type TreeNode } from './testsuite/tree.js';

async function tempDir(t: TestContext): Promise<string> {
  const temp = await makeTempRoot('strata-roundtrip-');
  t.after(temp.cleanup);
  return temp.dir;
}

/** security.capability v2 granting CAP_SETUID and CAP_NET_RAW: binary, and not valid UTF-8. */
const CAPABILITY = Buffer.from('0100000280200000000000000000000000000000', 'hex');
const LONG_DIR = 'dir-'.repeat(30);
const LONG_NAME = 'n'.repeat(250);
const LONG_TARGET = `/${'target/'.repeat(40)}end`;

const FULL_TREE: TreeNode[] = [
  { path: 'bin', type: 'dir', mode: 0o755 },
  { path: 'bin/su', type: 'file', content: 'setuid program', mode: 0o4755, uid: 1000, gid: 1000 },
  { path: 'bin/ping', type: 'file', content: 'capable program', mode: 0o755, xattrs: { 'security.capability': CAPABILITY } },
  { path: 'bin/sg', type: 'file', content: 'setgid', mode: 0o2711, uid: 0, gid: 42 },
  { path: 'tmp', type: 'dir', mode: 0o1777 },
  { path: 'home/user', type: 'dir', mode: 0o700, uid: 3_000_000, gid: 3_000_000 },
  { path: 'home/user/notes', type: 'file', content: 'big ids go through pax', uid: 3_000_000, gid: 3_000_000,
    xattrs: { 'user.binary': Buffer.from([0xff, 0xfe, 0x00, 0x80]), 'trusted.label': Buffer.from('text') } },
  { path: 'dev/null', type: 'char', major: 1, minor: 3, mode: 0o666 },
  { path: 'dev/loop0', type: 'block', major: 7, minor: 0, mode: 0o660 },
  { path: 'run/fifo', type: 'fifo', mode: 0o620 },
  { path: `${LONG_DIR}/${LONG_NAME}`, type: 'file', content: 'long path' },
  { path: `${LONG_DIR}/${LONG_NAME}.d/${LONG_NAME}`, type: 'file', content: 'longer path' },
  { path: 'links/long', type: 'symlink', target: LONG_TARGET, uid: 7, gid: 8 },
  { path: 'links/rel', type: 'symlink', target: '../bin/su' },
  { path: 'data/one', type: 'file', content: 'three names, one inode', mode: 0o600 },
  { path: 'data/two', type: 'hardlink', target: 'data/one' },
  { path: `${LONG_DIR}/three`, type: 'hardlink', target: 'data/one' },
  { path: 'empty', type: 'dir', mode: 0o711, xattrs: { 'trusted.dir': Buffer.from('on a directory') } },
];

test('pack → apply → pack gives the same diffID for every kind of file', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await buildTree(join(dir, 'source'), FULL_TREE);
  const tar = await readAllStream(packLayer(join(dir, 'source'), { whiteouts: 'none' }));

  for (const whiteouts of ['delete', 'overlay'] as const) {
    const target = join(dir, `applied-${whiteouts}`);
    await mkdir(target);
    const applied = await applyLayer(streamOf(tar), target, { whiteouts });
    assert.deepEqual(applied, { digest: sha256Of(tar), size: tar.length });
    const repacked = await measureLayer(target, { whiteouts: 'none' });
    assert.equal(repacked.diffId, sha256Of(tar), `round trip through ${whiteouts} mode`);
  }

  const target = join(dir, 'applied-delete');
  const su = await lstat(join(target, 'bin/su'));
  assert.equal(su.mode & 0o7777, 0o4755, 'setuid survives the chown');
  assert.equal(su.uid, 1000);
  assert.deepEqual(lgetxattr(join(target, 'bin/ping'), 'security.capability'), CAPABILITY);
  assert.deepEqual(lgetxattr(join(target, 'home/user/notes'), 'user.binary'), Buffer.from([0xff, 0xfe, 0x00, 0x80]));
  assert.equal((await lstat(join(target, 'home/user/notes'))).uid, 3_000_000);
  const dev = await lstat(join(target, 'dev/loop0'));
  assert.ok(dev.isBlockDevice());
  assert.deepEqual([major(dev.rdev), minor(dev.rdev)], [7, 0]);
  assert.ok((await lstat(join(target, 'run/fifo'))).isFIFO());
  assert.equal(await readlink(join(target, 'links/long')), LONG_TARGET);
  assert.equal((await lstat(join(target, 'links/long'))).uid, 7);
  const one = await lstat(join(target, 'data/one'));
  assert.equal(one.ino, (await lstat(join(target, `${LONG_DIR}/three`))).ino);
  assert.equal(one.nlink, 3);
  assert.equal(await readFile(join(target, `${LONG_DIR}/${LONG_NAME}.d/${LONG_NAME}`), 'utf8'), 'longer path');
  assert.equal((await lstat(join(target, 'bin'))).mtimeMs, FIXED_TIME * 1000, 'directory times are set after their children');
});

test('a copy made by applying a layer packs identically to its source even with sub-second times', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await buildTree(join(dir, 'source'), [{ path: 'f', type: 'file', content: 'x' }, { path: 'd', type: 'dir' }]);
  await utimes(join(dir, 'source/f'), FIXED_TIME + 0.9, FIXED_TIME + 0.9);
  const before = await measureLayer(join(dir, 'source'), { whiteouts: 'none' });
  await mkdir(join(dir, 'copy'));
  await applyLayer(packLayer(join(dir, 'source'), { whiteouts: 'none' }), join(dir, 'copy'), { whiteouts: 'delete' });
  assert.equal((await measureLayer(join(dir, 'copy'), { whiteouts: 'none' })).diffId, before.diffId);
});
