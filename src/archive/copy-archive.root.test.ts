/**
 * The `docker cp` halves of the archive module: packPath (one file or directory under a chosen
 * name, grafts walked in place), extractArchive (moby's Unpack rules: `.wh.` names are files,
 * `..` names refused, `./` skipped, NoOverwriteDirNonDir, owner override, grafts and
 * read-only grafts) and resolveInTree.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, symlink, readFile, lstat, readdir, chown, readlink, link, appendFile, truncate, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError, InvalidArgumentError } from '../base/index.js';
import { closeFd, openDirPath, lsetxattr } from '../host/index.js';
import { makeTempRoot, plantCanary } from '../../test/support/temp-root.js';
import { needsRoot } from '../../test/support/privileged.js';
import { extractArchive } from './apply-layer.js';
import { packPath, packPathChunks } from './pack-path.js';
import { readTarEntries } from './tar-reader.js';
import { resolveInTree, graftsBelow, type Graft } from './tree-resolve.js';
import { streamOf, tarOf, type FixtureEntry } from './testsuite/tar-fixture.js';
import type { TarHeader } from './tar-format.js';

async function tempDir(t: TestContext, prefix = 'strata-cp-archive-'): Promise<string> {
  const temp = await makeTempRoot(prefix);
  t.after(temp.cleanup);
  return temp.dir;
}

interface Listed { header: TarHeader; content: string }

async function list(stream: Readable): Promise<Listed[]> {
  const out: Listed[] = [];
  const source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for await (const entry of readTarEntries(source)) {
    const chunks: Buffer[] = [];
    for await (const c of entry.body) chunks.push(c);
    out.push({ header: entry.header, content: Buffer.concat(chunks).toString() });
  }
  return out;
}

async function withDir<T>(path: string, fn: (fd: number) => T | Promise<T>): Promise<T> {
  const fd = openDirPath(path);
  try {
    return await fn(fd);
  } finally {
    closeFd(fd);
  }
}

async function extractInto(dir: string, entries: FixtureEntry[], options: Parameters<typeof extractArchive>[2] = {}): Promise<void> {
  const bytes = await tarOf(entries);
  const fd = openDirPath(dir);
  try {
    await extractArchive(streamOf(bytes), fd, options);
  } finally {
    closeFd(fd);
  }
}

test('packPath: a directory under its name, the root as moby names it, a file, a symlink not followed', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await mkdir(join(dir, 'src/sub'), { recursive: true });
  await writeFile(join(dir, 'src/a.txt'), 'A');
  await writeFile(join(dir, 'src/sub/b.txt'), 'BB');
  await symlink('/etc/passwd', join(dir, 'src/link'));
  await link(join(dir, 'src/a.txt'), join(dir, 'src/sub/hard'));

  const named = await withDir(join(dir, 'src'), (fd) => list(packPath({ kind: 'directory', fd }, { name: 'copy' })));
  assert.deepEqual(named.map((e) => e.header.name), ['copy/', 'copy/a.txt', 'copy/link', 'copy/sub/', 'copy/sub/b.txt', 'copy/sub/hard']);
  assert.equal(named.find((e) => e.header.name === 'copy/link')!.header.linkname, '/etc/passwd');
  assert.equal(named.find((e) => e.header.name === 'copy/sub/hard')!.header.type, 'hardlink');
  assert.equal(named.find((e) => e.header.name === 'copy/sub/hard')!.header.linkname, 'copy/a.txt');

  const dot = await withDir(join(dir, 'src'), (fd) => list(packPath({ kind: 'directory', fd }, { name: '.' })));
  assert.equal(dot[0]!.header.name, './');
  assert.equal(dot[1]!.header.name, './a.txt');
  const root = await withDir(join(dir, 'src'), (fd) => list(packPath({ kind: 'directory', fd }, { name: '' })));
  assert.deepEqual(root.slice(0, 2).map((e) => e.header.name), ['/', '/a.txt']);

  const file = await withDir(join(dir, 'src'), (fd) => list(packPath({ kind: 'entry', dirFd: fd, name: 'a.txt' }, { name: 'a.txt' })));
  assert.deepEqual(file.map((e) => [e.header.name, e.header.type, e.content]), [['a.txt', 'file', 'A']]);
  const link1 = await withDir(join(dir, 'src'), (fd) => list(packPath({ kind: 'entry', dirFd: fd, name: 'link' }, { name: 'link' })));
  assert.deepEqual(link1.map((e) => [e.header.name, e.header.type, e.header.linkname]), [['link', 'symlink', '/etc/passwd']]);
  // A directory entry is packed with its tree, pinned beneath its parent.
  const sub = await withDir(join(dir, 'src'), (fd) => list(packPath({ kind: 'entry', dirFd: fd, name: 'sub' }, { name: 'sub' })));
  assert.deepEqual(sub.map((e) => e.header.name), ['sub/', 'sub/b.txt', 'sub/hard']);
});

test('packPath: only security.capability among xattrs (moby cp), v3 capabilities written as v2', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'x');
  const v3 = Buffer.alloc(24);
  v3.writeUInt32LE(0x03000000, 0); // VFS_CAP_REVISION_3, no flags
  v3.writeUInt32LE(1 << 7, 4); // CAP_SETUID permitted
  lsetxattr(join(dir, 'f'), 'security.capability', v3);
  lsetxattr(join(dir, 'f'), 'user.other', Buffer.from('dropped'));
  const [entry] = await withDir(dir, (fd) => list(packPath({ kind: 'entry', dirFd: fd, name: 'f' }, { name: 'f' })));
  assert.deepEqual([...entry!.header.xattrs.keys()], ['security.capability']);
  const cap = entry!.header.xattrs.get('security.capability')!;
  assert.equal(cap.length, 20);
  assert.equal(cap[3], 2);
  assert.equal(cap.readUInt32LE(4), 1 << 7);
});

test('packPath: grafts are walked in place of what lies underneath, files and directories', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await mkdir(join(dir, 'root/data'), { recursive: true });
  await writeFile(join(dir, 'root/data/hidden'), 'under the mount');
  await writeFile(join(dir, 'root/hosts'), '');
  await mkdir(join(dir, 'vol/nested'), { recursive: true });
  await writeFile(join(dir, 'vol/nested/v.txt'), 'in the volume');
  await writeFile(join(dir, 'hostsfile'), '127.0.0.1 localhost\n');
  const grafts = new Map<string, Graft>([
    ['data', { source: join(dir, 'vol'), readonly: false }],
    ['hosts', { source: join(dir, 'hostsfile'), readonly: true }],
  ]);
  const entries = await withDir(join(dir, 'root'), (fd) => list(packPath({ kind: 'directory', fd }, { name: 'r', grafts })));
  assert.deepEqual(entries.map((e) => e.header.name), ['r/', 'r/data/', 'r/data/nested/', 'r/data/nested/v.txt', 'r/hosts']);
  assert.equal(entries.find((e) => e.header.name === 'r/hosts')!.content, '127.0.0.1 localhost\n');
  // A file graft packed on its own.
  const fd = (await import('node:fs')).openSync(join(dir, 'hostsfile'), 0o10000000);
  try {
    const alone = await list(packPath({ kind: 'file', fd }, { name: 'hosts' }));
    assert.deepEqual(alone.map((e) => [e.header.name, e.content]), [['hosts', '127.0.0.1 localhost\n']]);
  } finally {
    closeFd(fd);
  }
});

test('packPath on a live tree: growth cut, shrinking padded, vanished entries left out — never a broken tar', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await mkdir(join(dir, 'live/c'), { recursive: true });
  await writeFile(join(dir, 'live/a-grows'), '0123456789');
  await writeFile(join(dir, 'live/b-shrinks'), '0123456789');
  await writeFile(join(dir, 'live/c/in-c'), 'x');
  await symlink('target', join(dir, 'live/d-vanishes'));
  const fd = openDirPath(join(dir, 'live'));
  t.after(() => closeFd(fd));
  const chunks: Buffer[] = [];
  let headers = 0;
  for await (const chunk of packPathChunks({ kind: 'directory', fd }, { name: 'live' })) {
    chunks.push(chunk);
    if (chunk.length !== 512 || chunk.subarray(257, 262).toString() !== 'ustar') continue;
    headers += 1;
    // Headers come in order: live/, a-grows, b-shrinks, c/, …: change what comes next.
    if (headers === 2) await appendFile(join(dir, 'live/a-grows'), 'MORE');
    if (headers === 3) {
      await truncate(join(dir, 'live/b-shrinks'), 3);
      await rm(join(dir, 'live/c'), { recursive: true });
      await rm(join(dir, 'live/d-vanishes'));
    }
  }
  const entries = await list(Readable.from([Buffer.concat(chunks)]));
  assert.deepEqual(entries.map((e) => e.header.name), ['live/', 'live/a-grows', 'live/b-shrinks']);
  assert.equal(entries[1]!.content, '0123456789');
  assert.equal(entries[2]!.content, '012' + '\0'.repeat(7));
});

test('extractArchive: .wh. names are files, ./ is skipped, archive owners kept or overridden', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  const target = join(dir, 'target');
  await mkdir(target, { mode: 0o700 });
  await chown(target, 4321, 4321);
  await extractInto(target, [
    { name: './', type: 'directory', mode: 0o777, uid: 1, gid: 1 },
    { name: './.wh.ghost', content: 'not a whiteout' },
    { name: './.wh..wh..opq', content: 'not opaque' },
    { name: './owned', content: 'x', uid: 1234, gid: 5678 },
    { name: '/abs/inside', content: 'absolute names land inside' },
  ]);
  assert.equal(await readFile(join(target, '.wh.ghost'), 'utf8'), 'not a whiteout');
  assert.equal(await readFile(join(target, '.wh..wh..opq'), 'utf8'), 'not opaque');
  assert.equal(await readFile(join(target, 'abs/inside'), 'utf8'), 'absolute names land inside');
  const root = await lstat(target);
  assert.equal(root.mode & 0o777, 0o700, 'the ./ entry must not change the extraction directory');
  assert.equal(root.uid, 4321);
  const owned = await lstat(join(target, 'owned'));
  assert.deepEqual([owned.uid, owned.gid], [1234, 5678]);

  await extractInto(target, [{ name: 'forced', content: 'y', uid: 1234, gid: 5678 }, { name: 'fdir/', type: 'directory', uid: 7 }], { owner: { uid: 65534, gid: 65533 } });
  const forced = await lstat(join(target, 'forced'));
  assert.deepEqual([forced.uid, forced.gid], [65534, 65533]);
  assert.equal((await lstat(join(target, 'fdir'))).uid, 65534);
});

test('extractArchive: names and hard link targets climbing out are refused (moby), nothing written outside', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  const outside = await tempDir(t, 'strata-cp-outside-');
  const canary = await plantCanary(outside);
  const target = join(dir, 'target');
  await mkdir(target);
  for (const entries of [
    [{ name: '../escaped', content: 'x' }],
    [{ name: 'a/../../escaped', content: 'x' }],
    [{ name: 'ok', content: 'x' }, { name: 'h', type: 'link' as const, linkname: '../ok' }],
  ]) {
    await assert.rejects(extractInto(target, entries), (err: unknown) => err instanceof InvalidArgumentError && /invalid (entry name|hardlink target)/.test((err as Error).message));
  }
  // Symlink, then a write through it: resolved inside the target.
  await extractInto(target, [
    { name: 'up', type: 'symlink', linkname: '../../../../../../' },
    { name: 'up/through-up', content: 'clamped' },
    { name: 'abs', type: 'symlink', linkname: outside },
    { name: 'abs/through-abs', content: 'rooted' },
  ]);
  assert.equal(await readFile(join(target, 'through-up'), 'utf8'), 'clamped');
  assert.equal(await readFile(join(target, outside, 'through-abs'), 'utf8'), 'rooted');
  assert.ok(await canary.check());
  assert.deepEqual(await readdir(outside), ['canary.txt']);
  assert.deepEqual(await readdir(dir), ['target']);
});

test('extractArchive: noOverwriteDirNonDir with moby\'s messages; without it, replaced', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await mkdir(join(dir, 'd'));
  await writeFile(join(dir, 'f'), 'file');
  await assert.rejects(extractInto(dir, [{ name: 'd', content: 'x' }], { noOverwriteDirNonDir: true, destination: '/dst' }),
    (err: unknown) => err instanceof ConflictError && (err as Error).message === 'cannot overwrite directory "d" with non-directory "/dst"');
  await assert.rejects(extractInto(dir, [{ name: 'f/', type: 'directory' }], { noOverwriteDirNonDir: true, destination: '/dst' }),
    (err: unknown) => err instanceof ConflictError && (err as Error).message === 'cannot overwrite non-directory "f" with directory "/dst"');
  await extractInto(dir, [{ name: 'd/', type: 'directory', mode: 0o711 }, { name: 'd/in', content: 'merged' }], { noOverwriteDirNonDir: true });
  assert.equal(await readFile(join(dir, 'd/in'), 'utf8'), 'merged');
  await extractInto(dir, [{ name: 'd', content: 'replaced' }, { name: 'f/', type: 'directory' }]);
  assert.equal(await readFile(join(dir, 'd'), 'utf8'), 'replaced');
  assert.ok((await lstat(join(dir, 'f'))).isDirectory());
});

test('extractArchive: grafts receive what lands in them; read-only grafts and mount points are refused', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(join(root, 'vol'), { recursive: true });
  await mkdir(join(root, 'ro'), { recursive: true });
  await mkdir(join(dir, 'volsrc'));
  await mkdir(join(dir, 'rosrc'));
  const grafts = new Map<string, Graft>([
    ['vol', { source: join(dir, 'volsrc'), readonly: false }],
    ['ro', { source: join(dir, 'rosrc'), readonly: true }],
  ]);
  await extractInto(root, [
    { name: 'vol/', type: 'directory', mode: 0o750 },
    { name: 'vol/a/b', content: 'in the volume' },
    { name: 'l', type: 'symlink', linkname: '/vol/a' },
    { name: 'l/c', content: 'through a link into the volume' },
  ], { grafts });
  assert.equal(await readFile(join(dir, 'volsrc/a/b'), 'utf8'), 'in the volume');
  assert.equal(await readFile(join(dir, 'volsrc/a/c'), 'utf8'), 'through a link into the volume');
  assert.equal((await lstat(join(dir, 'volsrc'))).mode & 0o777, 0o750);
  assert.deepEqual(await readdir(join(root, 'vol')), []);
  await assert.rejects(extractInto(root, [{ name: 'ro/x', content: 'x' }], { grafts }), /read-only file system/);
  await assert.rejects(extractInto(root, [{ name: 'ro/deep/x', content: 'x' }], { grafts }), /read-only file system/);
  await assert.rejects(extractInto(root, [{ name: 'vol', content: 'x' }], { grafts }), /it is a mount point/);
  assert.deepEqual(await readdir(join(dir, 'rosrc')), []);
  assert.deepEqual((await readdir(root)).sort(), ['l', 'ro', 'vol']);
});

test('resolveInTree: symlinks scoped to the root, grafts stepped into, missing parts kept by name', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(dir, 'volsrc/inner'), { recursive: true });
  await symlink('/', join(root, 'toroot'));
  await symlink('../../../../etc', join(root, 'up'));
  await symlink('/data/inner', join(root, 'intovol'));
  await symlink('/nowhere/x', join(root, 'dangling'));
  await symlink('loop', join(root, 'loop'));
  const grafts = new Map<string, Graft>([['data', { source: join(dir, 'volsrc'), readonly: true }]]);
  await withDir(root, async (fd) => {
    const check = (path: string, followLast: boolean, rel: string, exists: boolean) => {
      const r = resolveInTree(fd, path, grafts, { followLast, missing: 'keep' });
      try {
        assert.equal(r.rel, rel, path);
        assert.equal(r.exists, exists, path);
      } finally {
        r.close();
      }
    };
    check('/toroot/etc', false, 'etc', true);
    check('up', true, 'etc', true);
    check('/up', false, 'up', true);
    check('/intovol', true, 'data/inner', true);
    check('/dangling', true, 'nowhere/x', false);
    check('/etc/../../..', false, '', true);
    check('/missing/..', false, '', false);
    const vol = resolveInTree(fd, '/intovol', grafts, { followLast: true, missing: 'keep' });
    assert.equal(vol.leaf.readonly, true);
    assert.equal(vol.leaf.inGraft, true);
    vol.close();
    assert.throws(() => resolveInTree(fd, '/loop', grafts, { followLast: true, missing: 'keep' }), { code: 'ELOOP' });
  });
  assert.deepEqual([...graftsBelow(new Map([['a/b', grafts.get('data')!], ['c', grafts.get('data')!]]), 'a')].map(([k]) => k), ['b']);
  assert.equal(await readlink(join(root, 'toroot')), '/');
});
