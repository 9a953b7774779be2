import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, readFile, readdir, lstat, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import type { Readable } from 'node:stream';
import {
  splitCpArg, resolveLocalPath, splitPathDirEntry, preserveTrailingDotOrSeparator, prepareArchiveCopy, rebaseName, goClean, goBase, goDir,
} from './copy-paths.js';
import { tarResource, untar, resolveInRoot, copyInfoSourcePath, copyInfoDestinationPath } from './local-archive.js';

test('which argument is the container', () => {
  assert.deepEqual(splitCpArg('c1:/etc/motd'), { container: 'c1', path: '/etc/motd' });
  assert.deepEqual(splitCpArg('/abs:with:colons'), { container: '', path: '/abs:with:colons' });
  assert.deepEqual(splitCpArg('./rel:x'), { container: '', path: './rel:x' });
  assert.deepEqual(splitCpArg('local'), { container: '', path: 'local' });
  assert.deepEqual(splitCpArg('-'), { container: '', path: '-' });
});

test('Go path semantics and the trailing `/` and `/.`', () => {
  assert.equal(goClean('a//b/./c/..'), 'a/b');
  assert.equal(goClean(''), '.');
  assert.equal(goBase('/a/b/'), 'b');
  assert.equal(goBase('/'), '/');
  assert.equal(goDir('/a/b'), '/a');
  assert.equal(goDir('b'), '.');
  assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/'), '/a/b/');
  assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/.'), '/a/b/.');
  assert.equal(resolveLocalPath('x/', '/cwd'), '/cwd/x/');
  assert.equal(resolveLocalPath('/x/../y/.', '/cwd'), '/y/.');
  assert.deepEqual(splitPathDirEntry('/a/b/.'), { dir: '/a/b', base: '.' });
  assert.deepEqual(splitPathDirEntry('/a/b/'), { dir: '/a', base: 'b' });
  assert.deepEqual(splitPathDirEntry('/'), { dir: '/', base: '/' });
});

test('where an archive goes: into a directory, renamed into a missing path, or refused', () => {
  const file = { path: '/src/a.txt', exists: true, isDir: false, rebaseName: '' };
  const dir = { path: '/src/d', exists: true, isDir: true, rebaseName: '' };
  assert.deepEqual(prepareArchiveCopy(file, { path: '/dst', exists: true, isDir: true, rebaseName: '' }), { dstDir: '/dst' });
  assert.deepEqual(prepareArchiveCopy(file, { path: '/dst/b.txt', exists: false, isDir: false, rebaseName: '' }), { dstDir: '/dst', rebase: { from: 'a.txt', to: 'b.txt' } });
  assert.deepEqual(prepareArchiveCopy(file, { path: '/dst/old.txt', exists: true, isDir: false, rebaseName: '' }), { dstDir: '/dst', rebase: { from: 'a.txt', to: 'old.txt' } });
  assert.deepEqual(prepareArchiveCopy(dir, { path: '/dst/new', exists: false, isDir: false, rebaseName: '' }), { dstDir: '/dst', rebase: { from: 'd', to: 'new' } });
  assert.throws(() => prepareArchiveCopy(dir, { path: '/dst/f', exists: true, isDir: false, rebaseName: '' }), /^Error: cannot copy directory$/);
  assert.throws(() => prepareArchiveCopy(file, { path: '/dst/nodir/', exists: false, isDir: false, rebaseName: '' }), /^Error: no such directory$/);
  assert.equal(rebaseName('d/x/y', 'd', 'new'), 'new/x/y');
  assert.equal(rebaseName('dd/x', 'd', 'new'), 'dd/x', 'only a whole first element is renamed');
  assert.equal(rebaseName('./x', '.', 'new'), 'new/x');
  assert.equal(rebaseName('/x', '/', 'root'), 'root/x');
});

async function entries(stream: Readable): Promise<{ name: string; type: string; linkname?: string; body: string }[]> {
  const out: { name: string; type: string; linkname?: string; body: string }[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, s, next) => {
    let body = '';
    s.on('data', (c: unknown) => { body += (c as Buffer).toString(); });
    s.on('end', () => {
      out.push({ name: header.name, type: header.type, ...(header.linkname ? { linkname: header.linkname } : {}), body });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract as unknown as NodeJS.WritableStream);
  });
  return out;
}

test('a local tar named as docker names it; extraction stays inside the destination', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-cp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'src', 'd', 'sub'), { recursive: true });
  await writeFile(join(dir, 'src', 'd', 'f'), 'file');
  await writeFile(join(dir, 'src', 'd', 'sub', 'g'), 'g');
  await symlink('f', join(dir, 'src', 'd', 'ln'));
  assert.deepEqual((await entries(tarResource(join(dir, 'src', 'd')))).map((e) => e.name), ['d/', 'd/f', 'd/ln', 'd/sub/', 'd/sub/g']);
  assert.deepEqual((await entries(tarResource(join(dir, 'src', 'd') + '/.'))).map((e) => e.name), ['./', './f', './ln', './sub/', './sub/g']);
  assert.deepEqual(await entries(tarResource(join(dir, 'src', 'd', 'f'), 'renamed')), [{ name: 'renamed', type: 'file', body: 'file' }]);
  assert.equal((await copyInfoSourcePath(join(dir, 'src', 'd', 'ln'), true)).path, join(dir, 'src', 'd', 'f'));
  assert.equal((await copyInfoSourcePath(join(dir, 'src', 'd', 'ln'), true)).rebaseName, 'ln');
  assert.deepEqual(await copyInfoDestinationPath(join(dir, 'src', 'missing')), { path: join(dir, 'src', 'missing'), exists: false, isDir: false, rebaseName: '' });
  await assert.rejects(copyInfoDestinationPath(join(dir, 'nope', 'x')), /stat .*nope: no such file or directory/);

  // A hostile archive: a symlink to / and entries through it, `..` names, a link out.
  const dest = join(dir, 'dest');
  await mkdir(dest);
  const evil = tar.pack();
  evil.entry({ name: 'escape', type: 'symlink', linkname: '/' });
  evil.entry({ name: 'escape/etc/owned', type: 'file' }, 'x');
  evil.entry({ name: 'ok/file', type: 'file', mode: 0o600 }, 'fine');
  evil.finalize();
  await untar(evil as unknown as Readable, dest);
  assert.equal(await readFile(join(dest, 'etc', 'owned'), 'utf8'), 'x', 'written through the link as if the destination were /');
  assert.equal(await readlink(join(dest, 'escape')), '/');
  assert.equal(((await lstat(join(dest, 'ok', 'file'))).mode & 0o777), 0o600);
  assert.equal(await resolveInRoot(dest, 'escape/../../x'), join(dest, 'x'));
  const dotdot = tar.pack();
  dotdot.entry({ name: '../outside', type: 'file' }, 'x');
  dotdot.finalize();
  await assert.rejects(untar(dotdot as unknown as Readable, dest), /is outside of/);
  const hardlink = tar.pack();
  hardlink.entry({ name: 'h', type: 'link', linkname: '../../etc/passwd' });
  hardlink.finalize();
  await assert.rejects(untar(hardlink as unknown as Readable, dest), /invalid hardlink target/);
  assert.deepEqual((await readdir(dir)).sort(), ['dest', 'src'], 'nothing appeared beside the destination');
  const dirOverFile = tar.pack();
  dirOverFile.entry({ name: 'ok/file/', type: 'directory' });
  dirOverFile.finalize();
  await assert.rejects(untar(dirOverFile as unknown as Readable, dest), /cannot overwrite non-directory/);
});
