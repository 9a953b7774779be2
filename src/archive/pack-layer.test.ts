import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, appendFile, truncate, utimes, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { FailedPreconditionError, InvalidArgumentError, sha256Of } from '../base/index.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { measureLayer, packLayer } from './pack-layer.js';
import { readTarEntries } from './tar-reader.js';
import { listWithTarStream, readAllStream, streamOf } from './testsuite/tar-fixture.js';
import { FIXED_TIME, buildTree, type TreeNode } from './testsuite/tree.js';

async function tempDir(t: TestContext): Promise<string> {
  const temp = await makeTempRoot('strata-pack-');
  t.after(temp.cleanup);
  return temp.dir;
}

const LONG_DIR = 'd'.repeat(120);
const LONG_FILE = 'f'.repeat(200);
const LONG_TARGET = `../${'t'.repeat(250)}/${'u'.repeat(150)}`;

/** A tree with the shapes an unprivileged user can make. */
const SAMPLE: TreeNode[] = [
  { path: 'a', type: 'dir', mode: 0o750 },
  { path: 'a/file', type: 'file', content: 'hello\n', mode: 0o640 },
  { path: 'a/same', type: 'hardlink', target: 'a/file' },
  { path: 'a-b', type: 'file', content: 'dash sorts before slash' },
  { path: 'a/b/link', type: 'symlink', target: '../file' },
  { path: 'z-exec', type: 'file', content: '#!/bin/sh\n', mode: 0o755 },
  { path: 'Upper', type: 'file', content: 'capitals sort first' },
  { path: 'pipe', type: 'fifo', mode: 0o600 },
  { path: `${LONG_DIR}/${LONG_FILE}`, type: 'file', content: 'deep' },
  { path: `${LONG_DIR}/${LONG_FILE}-dir/${LONG_FILE}`, type: 'file', content: 'deeper' },
  { path: 'long-link', type: 'symlink', target: LONG_TARGET },
  { path: 'ü-ñame', type: 'file', content: 'utf-8 name' },
  { path: 'empty', type: 'dir' },
];

test('the same tree packs to the same bytes, and measureLayer agrees', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'tree'), SAMPLE);
  const first = await readAllStream(packLayer(join(dir, 'tree'), { whiteouts: 'none' }));
  const second = await readAllStream(packLayer(join(dir, 'tree'), { whiteouts: 'none' }));
  assert.ok(first.equals(second));
  assert.equal(first.length % 512, 0);
  assert.deepEqual(await measureLayer(join(dir, 'tree'), { whiteouts: 'none' }), { diffId: sha256Of(first), size: first.length });
});

test('a tree built elsewhere with the same metadata has the same diffID', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'one'), SAMPLE);
  // Built in a different order: directory listing order must not matter.
  const reordered = [...SAMPLE.filter((n) => n.type !== 'hardlink').reverse(), ...SAMPLE.filter((n) => n.type === 'hardlink')];
  await buildTree(join(dir, 'elsewhere/two'), reordered);
  // Modes of directories made implicitly above differ from the explicit ones; re-apply them.
  await buildTree(join(dir, 'elsewhere/two'), SAMPLE.filter((n) => n.type === 'dir'));
  const one = await measureLayer(join(dir, 'one'), { whiteouts: 'none' });
  const two = await measureLayer(join(dir, 'elsewhere/two'), { whiteouts: 'none' });
  assert.equal(two.diffId, one.diffId);
});

test('entries come in byte order of their names, parents first, relative, directories with a slash', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'tree'), SAMPLE);
  const entries = await listWithTarStream(await readAllStream(packLayer(join(dir, 'tree'), { whiteouts: 'none' })));
  const names = entries.map((e) => e.name);
  assert.deepEqual(names, [
    'Upper', 'a-b', 'a/', 'a/b/', 'a/b/link', 'a/file', 'a/same', 'd'.repeat(120) + '/',
    `${LONG_DIR}/${LONG_FILE}`, `${LONG_DIR}/${LONG_FILE}-dir/`, `${LONG_DIR}/${LONG_FILE}-dir/${LONG_FILE}`,
    'empty/', 'long-link', 'pipe', 'z-exec', 'ü-ñame',
  ]);
  const byName = new Map(entries.map((e) => [e.name, e]));
  assert.equal(byName.get('a/')!.type, 'directory');
  assert.equal(byName.get('a/')!.mode, 0o750);
  assert.equal(byName.get('a/file')!.mode, 0o640);
  assert.equal(byName.get('a/file')!.content.toString(), 'hello\n');
  assert.equal(byName.get('a/same')!.type, 'link');
  assert.equal(byName.get('a/same')!.linkname, 'a/file');
  assert.equal(byName.get('a/b/link')!.linkname, '../file');
  assert.equal(byName.get('long-link')!.linkname, LONG_TARGET);
  assert.equal(byName.get('pipe')!.type, 'fifo');
  assert.equal(byName.get(`${LONG_DIR}/${LONG_FILE}-dir/${LONG_FILE}`)!.content.toString(), 'deeper');
});

test('headers carry whole-second mtimes and empty user and group names', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'tree'), [{ path: 'f', type: 'file', content: 'x' }]);
  await utimes(join(dir, 'tree/f'), FIXED_TIME + 0.75, FIXED_TIME + 0.75);
  const bytes = await readAllStream(packLayer(join(dir, 'tree'), { whiteouts: 'none' }));
  const source = streamOf(bytes)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for await (const entry of readTarEntries(source)) assert.equal(entry.header.mtime, FIXED_TIME);
  assert.equal(bytes.subarray(265, 265 + 64).toString('latin1').replace(/\0/g, ''), '', 'uname and gname are empty');
});

test('the first name of a hard-linked inode is the file, later names link to it', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'tree'), [
    { path: 'm/original', type: 'file', content: 'shared' },
    { path: 'b-link', type: 'hardlink', target: 'm/original' },
    { path: 'z/another', type: 'hardlink', target: 'm/original' },
  ]);
  const entries = await listWithTarStream(await readAllStream(packLayer(join(dir, 'tree'), { whiteouts: 'none' })));
  const files = entries.filter((e) => e.type !== 'directory');
  assert.deepEqual(files.map((e) => [e.name, e.type, e.linkname || '', e.content.toString()]), [
    ['b-link', 'file', '', 'shared'],
    ['m/original', 'link', 'b-link', ''],
    ['z/another', 'link', 'b-link', ''],
  ]);
});

test('sockets are left out', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'tree'), [{ path: 'keep', type: 'file' }]);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'tree/sock'), resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const entries = await listWithTarStream(await readAllStream(packLayer(join(dir, 'tree'), { whiteouts: 'none' })));
  assert.deepEqual(entries.map((e) => e.name), ['keep']);
});

test('an overlay upper dir may not hold real files named like whiteouts', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'upper'), [{ path: 'sub/.wh.sneaky', type: 'file' }]);
  await assert.rejects(readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'overlay' })),
    (err: Error) => err instanceof InvalidArgumentError && err.message.includes('sub/.wh.sneaky'));
  // In a plain tree they are data, packed as they are.
  const entries = await listWithTarStream(await readAllStream(packLayer(join(dir, 'upper'), { whiteouts: 'none' })));
  assert.deepEqual(entries.map((e) => e.name), ['sub/', 'sub/.wh.sneaky']);
});

test('a file that grows or shrinks while it is packed fails the pack', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'tree'));
  for (const [change, expected] of [['grow', /grew/], ['shrink', /shrank/]] as const) {
    const path = join(dir, 'tree/big');
    await writeFile(path, Buffer.alloc(4 << 20, 7));
    const iterator = packLayer(join(dir, 'tree'), { whiteouts: 'none' })[Symbol.asyncIterator]();
    await iterator.next(); // the header is out: the size is promised
    if (change === 'grow') await appendFile(path, 'more');
    else await truncate(path, 1000);
    await assert.rejects((async () => { for (;;) if ((await iterator.next()).done) return; })(),
      (err: Error) => err instanceof FailedPreconditionError && expected.test(err.message) && err.message.includes('"big"'));
  }
});

test('abandoning a pack midway closes every descriptor it opened', async (t) => {
  const dir = await tempDir(t);
  await buildTree(join(dir, 'tree'), [
    { path: 'a/b/c/d/big', type: 'file', content: Buffer.alloc(2 << 20) },
    { path: 'a/b/c/d/next', type: 'file', content: 'n' },
  ]);
  const before = (await readdir('/proc/self/fd')).length;
  const stream = packLayer(join(dir, 'tree'), { whiteouts: 'none' });
  const held = (async () => {
    for await (const _ of stream) return (await readdir('/proc/self/fd')).length; // inside the walk, four directories deep
    return 0;
  })();
  assert.ok((await held) > before, 'descriptors are held while the walk is under way');
  // 'close' comes once the generator's finally blocks have run.
  // (Breaking out of for-await destroys the stream with an AbortError, so wait for 'close' only.)
  if (!stream.closed) await new Promise((resolve) => stream.on('close', resolve));
  assert.equal((await readdir('/proc/self/fd')).length, before);
});
