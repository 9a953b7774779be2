import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, lstat, readFile, readlink, writeFile, symlink, stat, readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidArgumentError, NotImplementedError, sha256Of } from '../base/index.js';
import { lgetxattr, major, minor } from '../host/index.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { needsRoot } from '../../test/support/privileged.js';
import { applyLayer } from './apply-layer.js';
import { listTree } from './testsuite/tree.js';
import { streamOf, tarOf, type FixtureEntry } from './testsuite/tar-fixture.js';

async function target(t: TestContext): Promise<string> {
  const temp = await makeTempRoot('strata-apply-');
  t.after(temp.cleanup);
  const dir = join(temp.dir, 'target');
  await mkdir(dir);
  return dir;
}

async function apply(dir: string, entries: FixtureEntry[], whiteouts: 'delete' | 'overlay' = 'delete') {
  return applyLayer(streamOf(await tarOf(entries)), dir, { whiteouts });
}

test('the digest and size are those of the uncompressed tar, for plain and gzip input', async (t) => {
  if (await needsRoot(t)) return;
  const tar = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/motd', content: 'welcome\n' }]);
  for (const input of [tar, gzipSync(tar)]) {
    const dir = await target(t);
    assert.deepEqual(await applyLayer(streamOf(input, 100), dir, { whiteouts: 'delete' }), { digest: sha256Of(tar), size: tar.length });
    assert.equal(await readFile(join(dir, 'etc/motd'), 'utf8'), 'welcome\n');
  }
});

test('bytes after the end-of-archive marker (record padding) are part of the digest', async (t) => {
  if (await needsRoot(t)) return;
  const tar = Buffer.concat([await tarOf([{ name: 'f', content: 'x' }]), Buffer.alloc(8192)]);
  const result = await applyLayer(streamOf(tar), await target(t), { whiteouts: 'delete' });
  assert.deepEqual(result, { digest: sha256Of(tar), size: tar.length });
});

test('ownership, modes, times and implied parents', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  await apply(dir, [
    { name: 'a/b/c/file', content: 'deep', uid: 1234, gid: 5678, mode: 0o6750, mtime: 1_000_000 },
    { name: 'a/', type: 'directory', mode: 0o700, uid: 9, gid: 9, mtime: 2_000_000 },
    { name: 'a/b/c/', type: 'directory', mode: 0o751, mtime: 3_000_000 },
    { name: 'a/b/c/later', content: 'a child added after its directory entry' },
  ]);
  const file = await lstat(join(dir, 'a/b/c/file'));
  assert.deepEqual([file.uid, file.gid, file.mode & 0o7777, file.mtimeMs], [1234, 5678, 0o6750, 1_000_000_000]);
  const a = await lstat(join(dir, 'a'));
  assert.deepEqual([a.uid, a.mode & 0o7777, a.mtimeMs], [9, 0o700, 2_000_000_000]);
  assert.equal((await lstat(join(dir, 'a/b/c'))).mtimeMs, 3_000_000_000, 'set after the later child was created');
  const implied = await lstat(join(dir, 'a/b'));
  assert.deepEqual([implied.uid, implied.mode & 0o7777], [0, 0o755]);
});

test('an existing directory is kept for a directory entry and replaced by anything else', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  await apply(dir, [
    { name: 'keep/', type: 'directory' }, { name: 'keep/old', content: 'old' },
    { name: 'gone/', type: 'directory' }, { name: 'gone/old', content: 'old' },
    { name: 'was-file', content: 'file' },
    { name: 'was-link', type: 'symlink', linkname: 'keep' },
  ]);
  await apply(dir, [
    { name: 'keep/', type: 'directory', mode: 0o711 },
    { name: 'gone', content: 'now a file' },
    { name: 'was-file/', type: 'directory' },
    { name: 'was-link/', type: 'directory' },
    { name: 'was-link/inside', content: 'in the new directory, not through the old link' },
  ]);
  assert.equal(await readFile(join(dir, 'keep/old'), 'utf8'), 'old');
  assert.equal((await lstat(join(dir, 'keep'))).mode & 0o7777, 0o711);
  assert.equal(await readFile(join(dir, 'gone'), 'utf8'), 'now a file');
  assert.ok((await lstat(join(dir, 'was-file'))).isDirectory());
  assert.ok((await lstat(join(dir, 'was-link'))).isDirectory());
  assert.deepEqual(await listTree(join(dir, 'keep')), ['old']);
});

test('a symlink is replaced, never written through, and its text is kept verbatim', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  await writeFile(join(dir, 'real'), 'untouched');
  await symlink('real', join(dir, 'link'));
  await apply(dir, [
    { name: 'link', content: 'replaces the link' },
    { name: 'odd', type: 'symlink', linkname: '../../weird//./text/' },
  ]);
  assert.equal(await readFile(join(dir, 'real'), 'utf8'), 'untouched');
  assert.ok((await lstat(join(dir, 'link'))).isFile());
  assert.equal(await readlink(join(dir, 'odd')), '../../weird//./text/');
});

test('devices and FIFOs are created with their numbers and modes', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  await apply(dir, [
    { name: 'dev/tty', type: 'character-device', devmajor: 5, devminor: 0, mode: 0o620, gid: 5 },
    { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
    { name: 'fifo', type: 'fifo', mode: 0o600 },
  ]);
  const tty = await lstat(join(dir, 'dev/tty'));
  assert.ok(tty.isCharacterDevice());
  assert.deepEqual([major(tty.rdev), minor(tty.rdev), tty.mode & 0o7777, tty.gid], [5, 0, 0o620, 5]);
  assert.ok((await lstat(join(dir, 'dev/sda'))).isBlockDevice());
  assert.ok((await lstat(join(dir, 'fifo'))).isFIFO());
});

test('a root entry ("./") sets the root directory metadata; other types cannot name the root', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  await apply(dir, [{ name: './', type: 'directory', mode: 0o750, mtime: 1_234_567 }, { name: './f', content: 'x' }]);
  const root = await stat(dir);
  assert.deepEqual([root.mode & 0o7777, root.mtimeMs], [0o750, 1_234_567_000]);
  await assert.rejects(apply(dir, [{ name: '.', content: 'a file cannot be the root' }]),
    (err: Error) => err instanceof InvalidArgumentError && err.message.includes('root'));
});

test('hard links: same inode, and refused when the target is missing or a directory', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  const layer: FixtureEntry[] = [
    { name: 'usr/bin/perl', content: 'perl', mode: 0o755 },
    { name: 'usr/bin/perl5', type: 'link', linkname: '/usr/bin/perl' },
    { name: 'usr/bin/perl-again', type: 'link', linkname: 'usr/bin/perl' },
  ];
  await apply(dir, layer);
  await apply(dir, layer); // applying twice keeps the links rather than destroying their target
  const ino = (await lstat(join(dir, 'usr/bin/perl'))).ino;
  assert.equal((await lstat(join(dir, 'usr/bin/perl5'))).ino, ino);
  assert.equal((await lstat(join(dir, 'usr/bin/perl-again'))).ino, ino);
  assert.equal(await readFile(join(dir, 'usr/bin/perl'), 'utf8'), 'perl');

  await assert.rejects(apply(dir, [{ name: 'x', type: 'link', linkname: 'missing' }]),
    (err: Error) => err instanceof InvalidArgumentError && err.message.includes('"x"') && err.message.includes('not in the layer'));
  await assert.rejects(apply(dir, [{ name: 'x', type: 'link', linkname: 'usr/bin' }]),
    (err: Error) => err instanceof InvalidArgumentError && err.message.includes('directory'));
});

test('xattrs from pax are applied, overlay-internal ones are not', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  await apply(dir, [{
    name: 'f', content: 'x',
    pax: { 'SCHILY.xattr.user.colour': 'blue', 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.trusted.overlay.redirect': '/etc' },
  }]);
  assert.equal(lgetxattr(join(dir, 'f'), 'user.colour')?.toString(), 'blue');
  assert.equal(lgetxattr(join(dir, 'f'), 'trusted.overlay.opaque'), undefined);
  assert.equal(lgetxattr(join(dir, 'f'), 'trusted.overlay.redirect'), undefined);
});

test('a 0/0 character device is refused in overlay mode, where it would be a whiteout', async (t) => {
  if (await needsRoot(t)) return;
  const entry: FixtureEntry = { name: 'looks-like-whiteout', type: 'character-device', devmajor: 0, devminor: 0 };
  await assert.rejects(apply(await target(t), [entry], 'overlay'),
    (err: Error) => err instanceof InvalidArgumentError && err.message.includes('looks-like-whiteout'));
  const dir = await target(t);
  await apply(dir, [entry], 'delete');
  assert.ok((await lstat(join(dir, 'looks-like-whiteout'))).isCharacterDevice());
});

test('AUFS metadata under .wh..wh.* is ignored', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  await apply(dir, [
    { name: '.wh..wh.plnk/', type: 'directory' },
    { name: '.wh..wh.plnk/123.456', content: 'aufs hard link store' },
    { name: '.wh..wh.aufs', content: '' },
    { name: 'real', content: 'kept' },
  ]);
  assert.deepEqual(await listTree(dir), ['real']);
});

test('a failed apply stops reading its input', async (t) => {
  if (await needsRoot(t)) return;
  const tar = await tarOf([{ name: 'f', type: 'link', linkname: 'missing' }, { name: 'big', content: Buffer.alloc(1 << 20) }]);
  const input = Readable.from([tar.subarray(0, 1024), tar.subarray(1024)], { objectMode: false });
  const dir = await target(t);
  const before = (await readdir('/proc/self/fd')).length;
  await assert.rejects(applyLayer(input, dir, { whiteouts: 'delete' }), InvalidArgumentError);
  assert.ok(input.destroyed);
  assert.equal((await readdir('/proc/self/fd')).length, before, 'no descriptor is left open');
});

test('unusable targets and unsupported compressions are refused', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await target(t);
  const tar = await tarOf([{ name: 'f' }]);
  const unread = streamOf(tar);
  await assert.rejects(applyLayer(unread, join(dir, 'missing'), { whiteouts: 'delete' }), InvalidArgumentError);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(unread.destroyed, 'the input is released even though reading never began');
  await writeFile(join(dir, 'file'), '');
  await assert.rejects(applyLayer(streamOf(tar), join(dir, 'file'), { whiteouts: 'delete' }), InvalidArgumentError);
  const zstd = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tar]);
  await assert.rejects(applyLayer(streamOf(zstd), dir, { whiteouts: 'delete' }), NotImplementedError);
});

test('a parent that is a regular file is an error naming the entry', async (t) => {
  if (await needsRoot(t)) return;
  await assert.rejects(apply(await target(t), [{ name: 'f', content: 'file' }, { name: 'f/child', content: 'x' }]),
    (err: Error) => err instanceof InvalidArgumentError && err.message.includes('"f/child"'));
});
