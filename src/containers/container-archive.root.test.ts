/**
 * `docker cp` in the engine core, on real containers (overlay, runc, conmon): statPath,
 * getArchive and putArchive on running, created and exited containers, through volumes and
 * bind mounts, with Docker's naming rules — and escape attempts through symlinks in the
 * container and through hostile archives, each of which stays inside the container or is
 * refused, with a canary on the host untouched.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { access, mkdir, readdir, readFile, writeFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, NotFoundError, ConflictError } from '../base/index.js';
import { isRoot, kernelHasFilesystem, mountsUnder } from '../host/index.js';
import { readTarEntries, type TarHeader } from '../archive/index.js';
import { tarOf, streamOf, type FixtureEntry } from '../archive/testsuite/tar-fixture.js';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot, plantCanary } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { makeContainerEngine, type ContainerEngine } from '../../test/support/engine.js';
import { getArchive, putArchive, statPath, GO_MODE } from './container-archive.js';
import { containerLogs } from './container-logs.js';
import type { CreateRequest, ContainerEvent } from './container-service.js';

// One engine for the file (each test makes its own containers); everything goes in `after`.
let engine: ContainerEngine;
let temp: Awaited<ReturnType<typeof makeTempRoot>>;
/** A sibling of the engine's root holding the canary; nothing may ever change in it. */
let outside: Awaited<ReturnType<typeof makeTempRoot>>;
let canary: Awaited<ReturnType<typeof plantCanary>>;
const privileged = isRoot() && (await kernelHasFilesystem('overlay'));

before(async () => {
  if (!privileged) return;
  temp = await makeTempRoot('strata-cp-');
  outside = await makeTempRoot('strata-cp-outside-');
  canary = await plantCanary(outside.dir);
  engine = await makeContainerEngine(temp.dir);
  await engine.images.importRootfs(createReadStream(await makeBusyboxTarball(temp.dir)), { reference: 'busybox' });
});

after(async () => {
  if (!privileged) return;
  try {
    await engine?.close();
  } finally {
    await temp?.cleanup();
    await outside?.cleanup();
  }
});

let counter = 0;
async function created(request: Omit<CreateRequest, 'Image'> = {}): Promise<string> {
  return (await engine.containers.create({ Image: 'busybox', Cmd: ['sleep', '1000'], name: `cp${++counter}`, ...request })).id;
}

async function running(request: Omit<CreateRequest, 'Image'> = {}): Promise<string> {
  const id = await created(request);
  await engine.containers.start(id);
  return id;
}

async function exited(request: Omit<CreateRequest, 'Image'> = {}): Promise<string> {
  const id = await created({ Cmd: ['true'], ...request });
  const done = engine.containers.wait(id, 'next-exit');
  await engine.containers.start(id);
  await done;
  return id;
}

async function exec(container: string, cmd: string[]): Promise<string> {
  const id = engine.execs.create(container, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const session = await engine.execs.start(id);
  const [stdout, stderr, code] = await Promise.all([collect(session.stdout), collect(session.stderr), session.exited]);
  assert.equal(code, 0, `${cmd.join(' ')}: ${stderr}`);
  return stdout;
}

async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

interface Listed { header: TarHeader; content: string }

async function list(stream: Readable): Promise<Listed[]> {
  const out: Listed[] = [];
  for await (const entry of readTarEntries(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>)) {
    const chunks: Buffer[] = [];
    for await (const c of entry.body) chunks.push(c);
    out.push({ header: entry.header, content: Buffer.concat(chunks).toString() });
  }
  return out;
}

async function get(container: string, path: string): Promise<Listed[]> {
  return list((await getArchive(engine.containers, container, path)).tar);
}

async function put(container: string, path: string, entries: FixtureEntry[], options: Parameters<typeof putArchive>[4] = {}): Promise<void> {
  await putArchive(engine.containers, container, path, streamOf(await tarOf(entries)), options);
}

/** The rootfs mount of a container that is not running is gone once an operation is done. */
async function assertUnmounted(container: string): Promise<void> {
  const dir = engine.containers.dir(container);
  for (let i = 0; i < 50 && (await mountsUnder(dir)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await mountsUnder(dir), [], 'the rootfs mount must be released');
}

/** ModeDir is bit 31: JavaScript's `&` would read it as a sign. */
function isDirMode(mode: number): boolean {
  return Math.floor(mode / GO_MODE.dir) % 2 === 1;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

const notFound = (path: string, container: string) => (err: unknown) =>
  err instanceof NotFoundError && (err as Error).message === `Could not find the file ${path} in container ${container}`;

test('statPath: Docker\'s PathStat — name, size, Go file mode bits, RFC 3339 mtime, link targets', async (t) => {
  if (await needsOverlay(t)) return;
  const id = await running();
  const name = engine.containers.get(id).name;
  await put(id, '/tmp', [
    { name: 'suid', content: 'hello', mode: 0o4755, mtime: 1_700_000_000 },
    { name: 'sticky/', type: 'directory', mode: 0o1777 },
    { name: 'lnk', type: 'symlink', linkname: '../etc/passwd' },
    { name: 'dirlnk', type: 'symlink', linkname: '/etc' },
    { name: 'chain', type: 'symlink', linkname: 'dirlnk/group' },
    { name: 'dangling', type: 'symlink', linkname: '/nowhere/at/all' },
  ]);
  assert.deepEqual(await statPath(engine.containers, id, '/tmp/suid'),
    { name: 'suid', size: 5, mode: 0o755 + GO_MODE.setuid, mtime: '2023-11-14T22:13:20Z', linkTarget: '' });
  const sticky = await statPath(engine.containers, id, '/tmp/sticky');
  assert.equal(sticky.mode, GO_MODE.dir + GO_MODE.sticky + 0o777);
  const lnk = await statPath(engine.containers, id, '/tmp/lnk');
  assert.equal(lnk.mode, GO_MODE.symlink + 0o777);
  assert.equal(lnk.linkTarget, '/etc/passwd');
  assert.equal(lnk.size, '../etc/passwd'.length);
  assert.equal((await statPath(engine.containers, id, '/tmp/chain')).linkTarget, '/etc/group');
  assert.equal((await statPath(engine.containers, id, '/tmp/dangling')).linkTarget, '/nowhere/at/all');
  // A trailing slash follows the last link; relative paths start at the root.
  const followed = await statPath(engine.containers, id, 'tmp/dirlnk/');
  assert.equal(followed.name, 'dirlnk');
  assert.ok(isDirMode(followed.mode));
  assert.equal(followed.linkTarget, '');
  assert.equal((await statPath(engine.containers, id, '/')).name, '/');
  assert.equal((await statPath(engine.containers, id, '/tmp/.')).name, '.');
  assert.match((await statPath(engine.containers, id, '/etc/passwd')).mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  await assert.rejects(statPath(engine.containers, id, '/tmp/nothing'), notFound('/tmp/nothing', id));
  await assert.rejects(statPath(engine.containers, name, '/no/such/dir/x'), notFound('/no/such/dir/x', name));
  await assert.rejects(statPath(engine.containers, id, '/tmp/lnk/'), /not a directory/);
  await assert.rejects(statPath(engine.containers, id, ''), InvalidArgumentError);
  await assert.rejects(statPath(engine.containers, 'no-such-container', '/'), /No such container/);
});

test('getArchive: Docker\'s entry names for files, directories, `/.`, trailing `/`, symlinks and the root', async (t) => {
  if (await needsOverlay(t)) return;
  const id = await running();
  await put(id, '/tmp', [
    { name: 'cpdir/', type: 'directory', mode: 0o750, uid: 12, gid: 34 },
    { name: 'cpdir/a.txt', content: 'A', uid: 12, gid: 34 },
    { name: 'cpdir/sub/b.txt', content: 'BB' },
    { name: 'dirlnk', type: 'symlink', linkname: '/tmp/cpdir' },
    { name: '.wh.not-a-whiteout', content: 'plain' },
  ]);
  const events: ContainerEvent[] = [];
  const onEvent = (e: ContainerEvent) => events.push(e);
  engine.containers.on('event', onEvent);
  t.after(() => { engine.containers.off('event', onEvent); });

  const { stat, tar } = await getArchive(engine.containers, id, '/tmp/cpdir');
  assert.equal(stat.name, 'cpdir');
  assert.equal(stat.mode, GO_MODE.dir + 0o750);
  const dir = await list(tar);
  assert.deepEqual(dir.map((e) => e.header.name), ['cpdir/', 'cpdir/a.txt', 'cpdir/sub/', 'cpdir/sub/b.txt']);
  assert.deepEqual([dir[1]!.header.uid, dir[1]!.header.gid, dir[1]!.content], [12, 34, 'A']);
  assert.ok(events.some((e) => e.action === 'archive-path' && e.id === id));

  assert.deepEqual((await get(id, '/tmp/cpdir/.')).map((e) => e.header.name), ['./', './a.txt', './sub/', './sub/b.txt']);
  assert.deepEqual((await get(id, 'tmp/cpdir/')).map((e) => e.header.name), ['cpdir/', 'cpdir/a.txt', 'cpdir/sub/', 'cpdir/sub/b.txt']);
  assert.deepEqual((await get(id, '/tmp/cpdir/a.txt')).map((e) => [e.header.name, e.content]), [['a.txt', 'A']]);
  // The last component's symlink is archived as such, unless the path ends with `/`.
  assert.deepEqual((await get(id, '/tmp/dirlnk')).map((e) => [e.header.name, e.header.type, e.header.linkname]), [['dirlnk', 'symlink', '/tmp/cpdir']]);
  assert.deepEqual((await get(id, '/tmp/dirlnk/')).map((e) => e.header.name), ['dirlnk/', 'dirlnk/a.txt', 'dirlnk/sub/', 'dirlnk/sub/b.txt']);
  // Symlinks before the last component are followed inside the container.
  assert.deepEqual((await get(id, '/tmp/dirlnk/sub/b.txt')).map((e) => [e.header.name, e.content]), [['b.txt', 'BB']]);
  assert.deepEqual((await get(id, '/tmp/.wh.not-a-whiteout')).map((e) => [e.header.name, e.content]), [['.wh.not-a-whiteout', 'plain']]);

  const root = await get(id, '/');
  assert.equal(root[0]!.header.name, '/');
  assert.ok(root.some((e) => e.header.name === '/tmp/cpdir/a.txt'));
  assert.ok(root.some((e) => e.header.name === '/etc/passwd'));
  await assert.rejects(getArchive(engine.containers, id, '/tmp/missing'), notFound('/tmp/missing', id));
});

test('putArchive: files and directories in, owners as in the archive, new names via the parent (the CLI\'s rebase)', async (t) => {
  if (await needsOverlay(t)) return;
  const id = await running();
  const events: ContainerEvent[] = [];
  const onEvent = (e: ContainerEvent) => events.push(e);
  engine.containers.on('event', onEvent);
  t.after(() => { engine.containers.off('event', onEvent); });

  await put(id, '/tmp', [{ name: 'in.txt', content: 'into the container\n', uid: 1234, gid: 5678, mode: 0o640 }]);
  assert.equal(await exec(id, ['cat', '/tmp/in.txt']), 'into the container\n');
  assert.equal(await exec(id, ['stat', '-c', '%u:%g:%a', '/tmp/in.txt']), '1234:5678:640\n');
  assert.ok(events.some((e) => e.action === 'extract-to-dir' && e.id === id));

  // `docker cp dir c:/tmp/newdir` when /tmp/newdir does not exist: the CLI stats it (404), then
  // sends the directory renamed to the parent.
  await assert.rejects(statPath(engine.containers, id, '/tmp/newdir'), NotFoundError);
  await put(id, '/tmp', [{ name: 'newdir/', type: 'directory' }, { name: 'newdir/f', content: 'f\n' }, { name: 'newdir/g/h', content: 'h\n' }]);
  assert.equal(await exec(id, ['cat', '/tmp/newdir/f', '/tmp/newdir/g/h']), 'f\nh\n');
  // `docker cp file c:/tmp/renamed`: the file entry renamed, extracted into /tmp.
  await put(id, 'tmp/', [{ name: 'renamed', content: 'r\n' }]);
  assert.equal(await exec(id, ['cat', '/tmp/renamed']), 'r\n');
  // Through a symlink to a directory, and overwriting an existing file.
  await put(id, '/tmp', [{ name: 'dirlnk', type: 'symlink', linkname: '/tmp/newdir' }]);
  await put(id, '/tmp/dirlnk', [{ name: 'f', content: 'overwritten\n' }]);
  assert.equal(await exec(id, ['cat', '/tmp/newdir/f']), 'overwritten\n');

  // Round trip: what comes out goes back in elsewhere, byte for byte.
  const out = await getArchive(engine.containers, id, '/tmp/newdir');
  await putArchive(engine.containers, id, '/', out.tar);
  assert.equal(await exec(id, ['cat', '/newdir/f', '/newdir/g/h']), 'overwritten\nh\n');

  await assert.rejects(put(id, '/tmp/in.txt', [{ name: 'x', content: 'x' }]),
    (err: unknown) => err instanceof InvalidArgumentError && (err as Error).message === 'extraction point is not a directory');
  await assert.rejects(put(id, '/tmp/nowhere', [{ name: 'x', content: 'x' }]), notFound('/tmp/nowhere', id));
  await assert.rejects(put(id, '/', [{ name: 'tmp', content: 'x' }], { noOverwriteDirNonDir: true }),
    (err: unknown) => err instanceof ConflictError && (err as Error).message === 'cannot overwrite directory "tmp" with non-directory "/"');
  await assert.rejects(put(id, '/tmp', [{ name: 'in.txt/', type: 'directory' }], { noOverwriteDirNonDir: true }),
    (err: unknown) => err instanceof ConflictError && (err as Error).message === 'cannot overwrite non-directory "in.txt" with directory "/tmp"');
  assert.equal(await exec(id, ['cat', '/tmp/in.txt']), 'into the container\n');
});

test('putArchive copyUIDGID: the container user and its group (looked up in the container), else the archive\'s', async (t) => {
  if (await needsOverlay(t)) return;
  const asNobody = await running({ User: 'nobody' });
  await put(asNobody, '/tmp', [{ name: 'a', content: 'a', uid: 1234, gid: 5678 }, { name: 'd/e', content: 'e', uid: 1 }], { copyUIDGID: true });
  assert.equal(await exec(asNobody, ['stat', '-c', '%u:%g', '/tmp/a', '/tmp/d/e']), '65534:65534\n65534:65534\n');
  await put(asNobody, '/tmp', [{ name: 'b', content: 'b', uid: 1234, gid: 5678 }]);
  assert.equal(await exec(asNobody, ['stat', '-c', '%u:%g', '/tmp/b']), '1234:5678\n');
  const numeric = await running({ User: '4242:77' });
  await put(numeric, '/tmp', [{ name: 'n', content: 'n', uid: 1 }], { copyUIDGID: true });
  assert.equal(await exec(numeric, ['stat', '-c', '%u:%g', '/tmp/n']), '4242:77\n');
  const noUser = await running();
  await put(noUser, '/tmp', [{ name: 'c', content: 'c', uid: 1234, gid: 5678 }], { copyUIDGID: true });
  assert.equal(await exec(noUser, ['stat', '-c', '%u:%g', '/tmp/c']), '1234:5678\n');
  const ghost = await created({ User: 'ghost' });
  await assert.rejects(put(ghost, '/tmp', [{ name: 'g', content: 'g' }], { copyUIDGID: true }), /failed to look up user "ghost" in container/);
  await assertUnmounted(ghost);
});

test('created and exited containers: the rootfs is mounted for the operation and released after, also on failure', async (t) => {
  if (await needsOverlay(t)) return;
  const fresh = await created({ Cmd: ['cat', '/tmp/hello.txt', '/etc/cp-added'] });
  await put(fresh, '/tmp', [{ name: 'hello.txt', content: 'before the first start\n' }]);
  await assertUnmounted(fresh);
  await put(fresh, '/etc', [{ name: 'cp-added', content: 'etc too\n' }]);
  assert.deepEqual((await get(fresh, '/tmp/hello.txt')).map((e) => e.content), ['before the first start\n']);
  await assertUnmounted(fresh);
  assert.equal((await statPath(engine.containers, fresh, '/tmp/hello.txt')).size, 'before the first start\n'.length);
  await assertUnmounted(fresh);
  const done = engine.containers.wait(fresh, 'next-exit');
  await engine.containers.start(fresh);
  assert.deepEqual(await done, { StatusCode: 0 });
  let stdout = '';
  for await (const line of containerLogs(engine.containers, fresh)) stdout += line.data.toString();
  assert.equal(stdout, 'before the first start\netc too\n');

  const stopped = await exited();
  await put(stopped, '/tmp', [{ name: 'after-exit', content: 'x' }]);
  assert.deepEqual((await get(stopped, '/tmp/after-exit')).map((e) => e.content), ['x']);
  await assertUnmounted(stopped);

  // Operations overlapping on one stopped container share its mount; the last one lets it go.
  const slow = await getArchive(engine.containers, stopped, '/etc');
  await Promise.all([
    put(stopped, '/tmp', [{ name: 'concurrent', content: 'c' }]),
    statPath(engine.containers, stopped, '/tmp'),
    get(stopped, '/etc/passwd'),
  ]);
  assert.ok((await mountsUnder(engine.containers.dir(stopped))).length > 0, 'still held by the unread stream');
  assert.ok((await list(slow.tar)).some((e) => e.header.name === 'etc/passwd'));
  await assertUnmounted(stopped);

  // A stream destroyed before it is read, and one destroyed half-way.
  (await getArchive(engine.containers, stopped, '/etc')).tar.destroy();
  await assertUnmounted(stopped);
  const half = (await getArchive(engine.containers, stopped, '/')).tar;
  await new Promise<void>((resolve) => half.once('data', () => resolve()));
  half.destroy();
  await assertUnmounted(stopped);

  // A client that goes away in the middle of an upload.
  const bytes = await tarOf([{ name: 'big', content: Buffer.alloc(256 * 1024, 1) }]);
  const broken = new Readable({
    read() {
      this.push(bytes.subarray(0, 4096));
      this.destroy(new Error('client disconnected'));
    },
  });
  await assert.rejects(putArchive(engine.containers, stopped, '/tmp', broken), /client disconnected/);
  await assertUnmounted(stopped);
  await assert.rejects(put(stopped, '/tmp', [{ name: '../x', content: 'x' }]), /invalid entry name/);
  await assertUnmounted(stopped);

  // Starting a container while nothing holds its rootfs still works, and the files are there.
  const restarted = engine.containers.wait(stopped, 'next-exit');
  await engine.containers.start(stopped);
  await restarted;
});

test('volumes, bind mounts and /etc files are seen as the container sees them; read-only ones refuse writes', async (t) => {
  if (await needsOverlay(t)) return;
  const hostDir = join(temp.dir, 'bind-rw');
  const hostRo = join(temp.dir, 'bind-ro');
  await mkdir(hostDir);
  await mkdir(hostRo);
  await writeFile(join(hostDir, 'from-host.txt'), 'host file\n');
  await writeFile(join(hostRo, 'ro.txt'), 'read only\n');
  const id = await running({ HostConfig: { Binds: ['cpvol:/data', `${hostDir}:/bind`, `${hostRo}:/ro:ro`], ExtraHosts: ['cp-test-host:10.1.2.3'] } });
  const volume = engine.volumes.get('cpvol').Mountpoint;

  await put(id, '/data', [{ name: 'in-volume.txt', content: 'in the volume\n' }]);
  assert.equal(await readFile(join(volume, 'in-volume.txt'), 'utf8'), 'in the volume\n');
  assert.equal(await exec(id, ['cat', '/data/in-volume.txt']), 'in the volume\n');
  assert.deepEqual((await get(id, '/bind/from-host.txt')).map((e) => e.content), ['host file\n']);
  assert.deepEqual((await get(id, '/ro')).map((e) => e.header.name), ['ro/', 'ro/ro.txt']);
  assert.ok(isDirMode((await statPath(engine.containers, id, '/data')).mode));

  // Extracting at / into paths under the mounts: each entry lands in its mount.
  await put(id, '/', [{ name: 'bind/through-root.txt', content: 'via /\n' }, { name: 'data/sub/deep.txt', content: 'deep\n' }]);
  assert.equal(await readFile(join(hostDir, 'through-root.txt'), 'utf8'), 'via /\n');
  assert.equal(await readFile(join(volume, 'sub/deep.txt'), 'utf8'), 'deep\n');
  // A directory tar of / includes the mounts' content.
  const whole = await get(id, '/');
  assert.ok(whole.some((e) => e.header.name === '/data/in-volume.txt'));
  assert.ok(whole.some((e) => e.header.name === '/bind/from-host.txt'));

  await assert.rejects(put(id, '/ro', [{ name: 'x', content: 'x' }]),
    (err: unknown) => err instanceof InvalidArgumentError && (err as Error).message === 'mounted volume is marked read-only');
  await assert.rejects(put(id, '/', [{ name: 'ro/x', content: 'x' }]), /read-only file system/);
  await assert.rejects(put(id, '/', [{ name: 'data', content: 'replace the mount' }]), /mount point/);
  assert.deepEqual(await readdir(hostRo), ['ro.txt']);

  // /etc/hosts is the container's own file, as in the container.
  const hosts = await get(id, '/etc/hosts');
  assert.equal(hosts[0]!.header.name, 'hosts');
  assert.equal(hosts[0]!.content, await exec(id, ['cat', '/etc/hosts']));
  assert.match(hosts[0]!.content, /10\.1\.2\.3\tcp-test-host/);
  assert.ok((await get(id, '/etc')).find((e) => e.header.name === 'etc/hosts')!.content.includes('cp-test-host'));

  // The same through a stopped container.
  await engine.containers.stop(id, { timeout: 1 });
  await put(id, '/data', [{ name: 'while-stopped.txt', content: 'stopped\n' }]);
  assert.equal(await readFile(join(volume, 'while-stopped.txt'), 'utf8'), 'stopped\n');
  assert.deepEqual((await get(id, '/bind/through-root.txt')).map((e) => e.content), ['via /\n']);
  await assertUnmounted(id);
  await engine.containers.remove(id);
  await engine.volumes.remove('cpvol');
});

test('read-only rootfs: writes refused except into a writable volume', async (t) => {
  if (await needsOverlay(t)) return;
  const id = await running({ HostConfig: { ReadonlyRootfs: true, Binds: ['/data'] } });
  await assert.rejects(put(id, '/tmp', [{ name: 'x', content: 'x' }]),
    (err: unknown) => err instanceof InvalidArgumentError && (err as Error).message === 'container rootfs is marked read-only');
  await put(id, '/data', [{ name: 'ok', content: 'ok\n' }]);
  assert.equal(await exec(id, ['cat', '/data/ok']), 'ok\n');
  assert.deepEqual((await get(id, '/etc/passwd')).length, 1);
});

test('escapes: container symlinks to /, /etc, ../.. and host paths stay in the container', async (t) => {
  if (await needsOverlay(t)) return;
  const id = await running({ HostConfig: { Binds: ['cpesc:/vol'] } });
  const host = outside.dir; // a real host directory holding the canary
  const token = randomBytes(6).toString('hex');
  await put(id, '/', [
    { name: 'esc-root', type: 'symlink', linkname: '/' },
    { name: 'esc-etc', type: 'symlink', linkname: '/etc' },
    { name: 'esc-up', type: 'symlink', linkname: '../../../../../../..' },
    { name: 'esc-host', type: 'symlink', linkname: host },
    { name: 'esc-host-rel', type: 'symlink', linkname: `../../../../../../../..${host}` },
    { name: 'vol/esc-vol', type: 'symlink', linkname: '/' },
    { name: 'vol/esc-vol-up', type: 'symlink', linkname: '../../../../..' },
  ]);
  const passwd = await exec(id, ['cat', '/etc/passwd']);
  for (const path of ['/esc-etc/passwd', '/esc-up/etc/passwd', '/esc-root/etc/passwd', '/vol/esc-vol/etc/passwd', '/vol/esc-vol-up/etc/passwd', '/esc-up/../../etc/passwd']) {
    assert.deepEqual((await get(id, path)).map((e) => e.content), [passwd], path);
  }
  for (const path of [`/esc-host/canary.txt`, `/esc-host-rel/canary.txt`, `/esc-up${host}/canary.txt`]) {
    await assert.rejects(getArchive(engine.containers, id, path), NotFoundError, path);
    await assert.rejects(statPath(engine.containers, id, path), NotFoundError, path);
  }
  assert.equal((await statPath(engine.containers, id, '/esc-up')).linkTarget, '/');
  assert.equal((await statPath(engine.containers, id, '/esc-host')).linkTarget, host);
  // An absolute symlink as the destination: resolved in the container (missing there, then made).
  await assert.rejects(put(id, '/esc-host', [{ name: `pwned-${token}`, content: 'x' }]), NotFoundError);
  await assert.rejects(put(id, '/esc-host-rel', [{ name: `pwned-${token}`, content: 'x' }]), NotFoundError);
  await exec(id, ['mkdir', '-p', host]);
  await put(id, '/esc-host', [{ name: `pwned-${token}`, content: 'inside\n' }]);
  await put(id, '/esc-host-rel/', [{ name: `pwned2-${token}`, content: 'inside\n' }]);
  assert.equal(await exec(id, ['cat', `${host}/pwned-${token}`, `${host}/pwned2-${token}`]), 'inside\ninside\n');
  // Entries walking through the container's symlinks from /.
  await put(id, '/', [{ name: `esc-host/pwned3-${token}`, content: 'inside\n' }, { name: `esc-up/tmp/pwned4-${token}`, content: 'inside\n' }]);
  assert.equal(await exec(id, ['cat', `${host}/pwned3-${token}`, `/tmp/pwned4-${token}`]), 'inside\ninside\n');
  // A directory tar through a link to / archives the container's root, not the host's.
  const viaLink = await get(id, '/esc-root/');
  assert.ok(viaLink.some((e) => e.header.name === 'esc-root/esc-etc'));
  assert.ok(!viaLink.some((e) => e.header.name.endsWith('canary.txt')));

  assert.ok(await canary.check());
  assert.deepEqual(await readdir(host), ['canary.txt']);
  for (const p of [`/pwned-${token}`, `/tmp/pwned4-${token}`, `/etc/pwned-${token}`]) assert.ok(!(await exists(p)), p);
});

test('escapes: hostile archives — ../ names, absolute names, symlink then write, hard links out', async (t) => {
  if (await needsOverlay(t)) return;
  const id = await running();
  const host = outside.dir;
  const token = randomBytes(6).toString('hex');
  await exec(id, ['mkdir', '-p', '/tmp/dest']);
  for (const entries of [
    [{ name: `../pwned-${token}`, content: 'x' }],
    [{ name: `a/../../../pwned-${token}`, content: 'x' }],
    [{ name: `../../../../../../..${host}/pwned-${token}`, content: 'x' }],
    [{ name: `h-${token}`, type: 'link' as const, linkname: '../../../etc/passwd' }],
  ]) {
    await assert.rejects(put(id, '/tmp/dest', entries), (err: unknown) => err instanceof InvalidArgumentError, JSON.stringify(entries));
  }
  await put(id, '/tmp/dest', [
    // Absolute names are relative to the extraction directory.
    { name: `/etc/abs-${token}`, content: 'abs\n' },
    { name: `${host}/abs2-${token}`, content: 'abs\n' },
    // A symlink planted by the archive, then written through.
    { name: 'to-host', type: 'symlink', linkname: host },
    { name: `to-host/through-${token}`, content: 'through\n' },
    { name: 'to-up', type: 'symlink', linkname: '../../../../../../../../..' },
    { name: `to-up/up-${token}`, content: 'up\n' },
    { name: 'to-etc', type: 'symlink', linkname: '/etc' },
    { name: `to-etc/etc-${token}`, content: 'etc\n' },
    // A symlink replaced by a file is replaced, not followed.
    { name: 'replaced', type: 'symlink', linkname: '/etc/passwd' },
    { name: 'replaced', content: 'replaced\n' },
    // Hard links resolve inside the extraction directory too.
    { name: `hl-${token}`, type: 'link', linkname: `/etc/abs-${token}` },
  ]);
  assert.equal(await exec(id, ['cat', `/tmp/dest/etc/abs-${token}`, `/tmp/dest${host}/abs2-${token}`]), 'abs\nabs\n');
  assert.equal(await exec(id, ['cat', `/tmp/dest${host}/through-${token}`, `/tmp/dest/up-${token}`, `/tmp/dest/etc/etc-${token}`]), 'through\nup\netc\n');
  assert.equal(await exec(id, ['cat', '/tmp/dest/replaced', `/tmp/dest/hl-${token}`]), 'replaced\nabs\n');
  assert.notEqual(await exec(id, ['cat', '/etc/passwd']), 'replaced\n');
  await assert.rejects(exec(id, ['ls', `/etc/etc-${token}`]));
  // Hard links to things that are not in the extraction directory are refused.
  await assert.rejects(put(id, '/tmp/dest', [{ name: 'hl2', type: 'link', linkname: '/etc/passwd' }]), /not in the layer/);

  assert.ok(await canary.check());
  assert.deepEqual(await readdir(host), ['canary.txt']);
  for (const p of [`/pwned-${token}`, `/etc/abs-${token}`, `/up-${token}`, `/etc/etc-${token}`, `/tmp/pwned-${token}`]) assert.ok(!(await exists(p)), p);
  // The engine's own directories hold nothing the archives named.
  const found = await findNamed(temp.dir, token);
  assert.ok(found.every((p) => p.includes('/snapshots/') || p.includes('/rootfs/')), found.join('\n'));
});

/** Every path under `dir` whose name contains `token` (not crossing into other mounts). */
async function findNamed(dir: string, token: string): Promise<string[]> {
  const out: string[] = [];
  const mounts = new Set(await mountsUnder(dir));
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const p = join(d, name);
      if (name.includes(token)) out.push(p);
      const st = await lstat(p).catch(() => undefined);
      if (st?.isDirectory() && !mounts.has(p)) await walk(p);
    }
  };
  await walk(dir);
  return out;
}
