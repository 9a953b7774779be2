import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, lstat, rm, writeFile, readFile, link } from 'node:fs/promises';
import { join } from 'node:path';
import { NotImplementedError, sha256Of } from '../base/index.js';
import { lgetxattr, lsetxattr, mkWhiteout, mountAt, unmount, major, minor } from '../host/index.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { needsOverlay, needsRoot } from '../../test/support/privileged.js';
import { applyLayer } from './apply-layer.js';
import { measureLayer, packLayer } from './pack-layer.js';
import { listWithTarStream, readAllStream, streamOf, tarOf, type FixtureEntry } from './testsuite/tar-fixture.js';
import { buildTree, listTree, stampTimes, type TreeNode } from './testsuite/tree.js';
import { OVERLAY_OPAQUE_XATTR } from './whiteouts.js';

async function tempDir(t: TestContext): Promise<string> {
  const temp = await makeTempRoot('strata-whiteouts-');
  t.after(temp.cleanup);
  return temp.dir;
}

/** An upper dir as overlayfs leaves it: a whiteout device, an opaque directory, overlay xattrs. */
async function makeUpperDir(upper: string): Promise<void> {
  await buildTree(upper, [
    { path: 'etc', type: 'dir' },
    { path: 'etc/new.conf', type: 'file', content: 'added' },
    { path: 'var/cache', type: 'dir' },
    { path: 'var/cache/fresh', type: 'file', content: 'the only file left in cache' },
  ]);
  mkWhiteout(join(upper, 'etc/removed.conf'));
  mkWhiteout(join(upper, 'gone'));
  lsetxattr(join(upper, 'var/cache'), OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
  lsetxattr(join(upper, 'etc'), 'trusted.overlay.origin', Buffer.from([0, 1, 2]));
  lsetxattr(join(upper, 'etc'), 'trusted.overlay.impure', Buffer.from('y'));
  await stampTimes(upper);
}

test('packing an upper dir turns whiteout devices and opaque dirs into OCI markers', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await makeUpperDir(join(dir, 'upper'));
  const entries = await listWithTarStream(await readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'overlay' })));
  assert.deepEqual(entries.map((e) => [e.name, e.type]), [
    ['.wh.gone', 'file'],
    ['etc/', 'directory'],
    ['etc/.wh.removed.conf', 'file'],
    ['etc/new.conf', 'file'],
    ['var/', 'directory'],
    ['var/cache/', 'directory'],
    ['var/cache/.wh..wh..opq', 'file'],
    ['var/cache/fresh', 'file'],
  ]);
  assert.ok(entries.every((e) => e.pax === null || !Object.keys(e.pax).some((k) => k.includes('overlay'))), 'no trusted.overlay.* in the tar');
  assert.ok(entries.filter((e) => e.name.includes('.wh.')).every((e) => e.size === 0));
});

test('whiteouts sharing one inode (as overlayfs links them) stay whiteouts, not hard links', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await mkdir(join(dir, 'upper'));
  mkWhiteout(join(dir, 'upper/a'));
  await link(join(dir, 'upper/a'), join(dir, 'upper/b'));
  const entries = await listWithTarStream(await readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'overlay' })));
  assert.deepEqual(entries.map((e) => [e.name, e.type]), [['.wh.a', 'file'], ['.wh.b', 'file']]);
  // Without conversion the device is an ordinary (hard-linked) device.
  const plain = await listWithTarStream(await readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'none' })));
  assert.deepEqual(plain.map((e) => [e.name, e.type]), [['a', 'character-device'], ['b', 'link']]);
});

test('overlay features a tar cannot express are refused when packing', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await buildTree(join(dir, 'upper'), [{ path: 'moved', type: 'dir' }]);
  lsetxattr(join(dir, 'upper/moved'), 'trusted.overlay.redirect', Buffer.from('/original'));
  await assert.rejects(readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'overlay' })),
    (err: Error) => err instanceof NotImplementedError && err.message.includes('moved'));
});

test('applying in overlay mode recreates the upper dir, which packs to the same diffID', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await makeUpperDir(join(dir, 'upper'));
  const tar = await readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'overlay' }));
  await mkdir(join(dir, 'applied'));
  await applyLayer(streamOf(tar), join(dir, 'applied'), { whiteouts: 'overlay' });

  for (const path of ['gone', 'etc/removed.conf']) {
    const whiteout = await lstat(join(dir, 'applied', path));
    assert.ok(whiteout.isCharacterDevice() && major(whiteout.rdev) === 0 && minor(whiteout.rdev) === 0, path);
  }
  assert.equal(lgetxattr(join(dir, 'applied/var/cache'), OVERLAY_OPAQUE_XATTR)?.toString(), 'y');
  assert.equal(lgetxattr(join(dir, 'applied/var'), OVERLAY_OPAQUE_XATTR), undefined);
  assert.equal((await measureLayer(join(dir, 'applied'), { whiteouts: 'overlay' })).diffId, sha256Of(tar));
});

/** A lower tree for the deletion tests, in Docker's test shape: hidden files, nesting. */
const LOWER: TreeNode[] = [
  { path: '.hidden', type: 'file' },
  { path: 'bar/bax', type: 'file' },
  { path: 'bar/bay', type: 'dir' },
  { path: 'baz', type: 'file' },
  { path: 'foo/.abc', type: 'file' },
  { path: 'foo/.bcd/a', type: 'file' },
  { path: 'foo/cde/def', type: 'file' },
  { path: 'foo/cde/efg', type: 'file' },
  { path: 'foo/fgh', type: 'file' },
  { path: 'foobar', type: 'file' },
  { path: 'link-to-foo', type: 'symlink', target: 'foo' },
];

test('delete mode: whiteouts remove from the lower tree, opaque markers empty directories', async (t) => {
  if (await needsRoot(t)) return;
  const cases: Array<{ layer: FixtureEntry[]; expected: string[] }> = [
    {
      layer: [
        { name: '.new' }, { name: '.wh.baz' },
        { name: 'foo/', type: 'directory' }, { name: 'foo/.wh..wh..opq' }, { name: 'foo/added' },
        { name: 'foo/cde/', type: 'directory' }, { name: 'foo/cde/efg', content: 'rewritten' },
      ],
      expected: ['.hidden', '.new', 'bar/', 'bar/bax', 'bar/bay/', 'foo/', 'foo/added', 'foo/cde/', 'foo/cde/efg', 'foobar', 'link-to-foo'],
    },
    {
      layer: [{ name: '.wh..hidden' }, { name: '.wh.foobar' }, { name: 'foo/.wh.cde' }, { name: 'bar/.wh.bay' }, { name: '.wh.link-to-foo' }],
      expected: ['bar/', 'bar/bax', 'baz', 'foo/', 'foo/.abc', 'foo/.bcd/', 'foo/.bcd/a', 'foo/fgh'],
    },
    {
      layer: [{ name: 'top' }, { name: '.wh..wh..opq' }, { name: 'foobar', content: 'again' }],
      expected: ['foobar', 'top'],
    },
    {
      // A whiteout under a directory that does not exist has nothing to delete.
      layer: [{ name: 'nowhere/deeper/.wh.x' }, { name: 'nowhere/.wh..wh..opq' }],
      expected: LOWER_LISTING(),
    },
  ];
  for (const [i, { layer, expected }] of cases.entries()) {
    const dir = await tempDir(t);
    await buildTree(join(dir, 'tree'), LOWER);
    await applyLayer(streamOf(await tarOf(layer)), join(dir, 'tree'), { whiteouts: 'delete' });
    assert.deepEqual(await listTree(join(dir, 'tree')), expected, `case ${i}`);
  }
});

function LOWER_LISTING(): string[] {
  return ['.hidden', 'bar/', 'bar/bax', 'bar/bay/', 'baz', 'foo/', 'foo/.abc', 'foo/.bcd/', 'foo/.bcd/a', 'foo/cde/', 'foo/cde/def',
    'foo/cde/efg', 'foo/fgh', 'foobar', 'link-to-foo'];
}

test('a whiteout never removes what the same layer created (OCI: it hides lower layers only)', async (t) => {
  if (await needsRoot(t)) return;
  for (const whiteouts of ['delete', 'overlay'] as const) {
    const dir = await tempDir(t);
    await buildTree(join(dir, 'tree'), [{ path: 'd/lower-child', type: 'file' }, { path: 'd/sub/lower', type: 'file' }]);
    await applyLayer(streamOf(await tarOf([
      { name: 'new', content: 'from this layer' },
      { name: '.wh.new' },
      { name: 'd/', type: 'directory' },
      { name: 'd/sub/', type: 'directory' },
      { name: 'd/sub/mine', content: 'from this layer' },
      { name: 'd/.wh..wh..opq' }, // after its children, which it must keep
    ])), join(dir, 'tree'), { whiteouts });
    assert.equal(await readFile(join(dir, 'tree/new'), 'utf8'), 'from this layer', whiteouts);
    if (whiteouts === 'delete') {
      assert.deepEqual(await listTree(join(dir, 'tree/d')), ['sub/', 'sub/mine']);
    } else {
      assert.equal(lgetxattr(join(dir, 'tree/d'), OVERLAY_OPAQUE_XATTR)?.toString(), 'y');
    }
  }
});

test('overlay mode: a whiteout replaces what is in the upper dir and creates missing parents', async (t) => {
  if (await needsRoot(t)) return;
  const dir = await tempDir(t);
  await buildTree(join(dir, 'upper'), [{ path: 'was-dir/child', type: 'file' }, { path: 'was-file', type: 'file' }]);
  await applyLayer(streamOf(await tarOf([{ name: '.wh.was-dir' }, { name: '.wh.was-file' }, { name: 'new/parent/.wh.x' }])),
    join(dir, 'upper'), { whiteouts: 'overlay' });
  for (const path of ['was-dir', 'was-file', 'new/parent/x']) {
    const st = await lstat(join(dir, 'upper', path));
    assert.ok(st.isCharacterDevice() && st.rdev === 0, path);
  }
});

test('a real overlay mount: kernel whiteouts → OCI tar → applied both ways gives the merged view', async (t) => {
  if (await needsOverlay(t)) return;
  const dir = await tempDir(t);
  const lowerNodes: TreeNode[] = [
    { path: 'etc/keep', type: 'file', content: 'keep' },
    { path: 'etc/delete-me', type: 'file', content: 'x' },
    { path: 'var/lib/state/a', type: 'file', content: 'a' },
    { path: 'var/lib/state/b', type: 'file', content: 'b' },
    { path: 'opt/tree/x/y', type: 'file', content: 'y' },
  ];
  await buildTree(join(dir, 'lower'), lowerNodes);
  for (const sub of ['upper', 'work', 'merged']) await mkdir(join(dir, sub));
  const overlay = (upper: string, work: string) => ({
    type: 'overlay', source: 'overlay', options: [`lowerdir=${join(dir, 'lower')}`, `upperdir=${upper}`, `workdir=${work}`],
  });

  mountAt(overlay(join(dir, 'upper'), join(dir, 'work')), join(dir, 'merged'));
  try {
    const merged = join(dir, 'merged');
    await rm(join(merged, 'etc/delete-me'));
    await rm(join(merged, 'var/lib/state'), { recursive: true });
    await mkdir(join(merged, 'var/lib/state'));
    await writeFile(join(merged, 'var/lib/state/c'), 'c');
    await rm(join(merged, 'opt'), { recursive: true });
    await writeFile(join(merged, 'etc/added'), 'added');
  } finally {
    unmount(join(dir, 'merged'));
  }
  const expected = ['etc/', 'etc/added', 'etc/keep', 'var/', 'var/lib/', 'var/lib/state/', 'var/lib/state/c'];

  const tar = await readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'overlay' }));
  const names = (await listWithTarStream(tar)).map((e) => e.name);
  assert.ok(names.includes('etc/.wh.delete-me') && names.includes('.wh.opt') && names.includes('var/lib/state/.wh..wh..opq'), names.join(' '));

  // Delete mode, over a copy of the lower tree: the result is the merged view.
  await buildTree(join(dir, 'full'), lowerNodes);
  await applyLayer(streamOf(tar), join(dir, 'full'), { whiteouts: 'delete' });
  assert.deepEqual(await listTree(join(dir, 'full')), expected);

  // Overlay mode, into a fresh upper dir mounted over the same lower: the same merged view.
  for (const sub of ['upper2', 'work2']) await mkdir(join(dir, sub));
  await applyLayer(streamOf(tar), join(dir, 'upper2'), { whiteouts: 'overlay' });
  mountAt(overlay(join(dir, 'upper2'), join(dir, 'work2')), join(dir, 'merged'));
  try {
    assert.deepEqual(await listTree(join(dir, 'merged')), expected);
    assert.equal(await readFile(join(dir, 'merged/var/lib/state/c'), 'utf8'), 'c');
  } finally {
    unmount(join(dir, 'merged'));
  }
});
