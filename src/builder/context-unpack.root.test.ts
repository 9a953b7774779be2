import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { packLayer } from '../archive/index.js';
import { mountsUnder } from '../host/index.js';
import { needsRoot } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { unpackContext } from './context-unpack.js';

/** A context of several directories, a symlink, an empty file and one above the small-file size. */
async function writeContext(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = { 'Dockerfile': 'FROM busybox\n', 'empty': '', 'big.bin': 'b'.repeat(200_000) };
  for (let d = 0; d < 3; d++) for (let f = 0; f < 4; f++) files[`d${d}/f${f}.txt`] = `file ${d}/${f}\n`;
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), content, { mode: 0o640 });
  }
  await symlink('/etc/passwd', join(dir, 'abs-link'));
  return files;
}

async function withDirs(t: TestContext, fn: (dirs: { source: string; scratch: string; spool: string }) => Promise<void>): Promise<void> {
  if (await needsRoot(t)) return;
  const temp = await makeTempRoot('strata-context-');
  try {
    const dirs = { source: join(temp.dir, 'source'), scratch: join(temp.dir, 'scratch'), spool: join(temp.dir, 'spool') };
    for (const d of Object.values(dirs)) await mkdir(d, { recursive: true, mode: 0o700 });
    await fn(dirs);
  } finally {
    await temp.cleanup();
  }
}

async function assertSameContext(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    assert.equal(await readFile(join(root, rel), 'utf8'), content, rel);
    assert.equal((await lstat(join(root, rel))).mode & 0o777, 0o640, `${rel} mode`);
  }
  assert.equal(await readlink(join(root, 'abs-link')), '/etc/passwd', 'a symlink stays a link, never followed');
  assert.equal((await lstat(root)).mode & 0o777, 0o755, 'the context root is 0755');
}

test('a context that fits in memory is unpacked onto a tmpfs of its own, which dispose unmounts', (t) => withDirs(t, async (dirs) => {
  const files = await writeContext(dirs.source);
  const context = await unpackContext(packLayer(dirs.source, { whiteouts: 'none' }), dirs.scratch, dirs.spool);
  assert.equal(context.medium, 'tmpfs');
  assert.deepEqual(await mountsUnder(context.root), [context.root]);
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  assert.match(mountinfo, new RegExp(` ${context.root} \\S+( \\S+)* - tmpfs `));
  await assertSameContext(context.root, files);
  assert.deepEqual(await readdir(dirs.spool), [], 'the spooled tar is gone once unpacked');
  await context.dispose();
  assert.deepEqual(await mountsUnder(dirs.scratch), []);
  assert.deepEqual(await readdir(dirs.scratch), []);
}));

test('a context over the memory budget is unpacked on disk under the spool dir', (t) => withDirs(t, async (dirs) => {
  const files = await writeContext(dirs.source);
  const context = await unpackContext(packLayer(dirs.source, { whiteouts: 'none' }), dirs.scratch, dirs.spool, { tmpfsBudget: 4096 });
  assert.equal(context.medium, 'disk');
  assert.ok(context.root.startsWith(dirs.spool + '/'), context.root);
  assert.deepEqual(await mountsUnder(dirs.scratch), []);
  await assertSameContext(context.root, files);
  await context.dispose();
  assert.deepEqual(await readdir(dirs.spool), []);
}));

test('an invalid context tar is refused with the reason, leaving no mount, spool or directory', (t) => withDirs(t, async (dirs) => {
  const garbage = Buffer.alloc(1024, 0x41);
  await assert.rejects(unpackContext(Readable.from([garbage]), dirs.scratch, dirs.spool), (err: Error) => {
    assert.match(err.message, /checksum/i);
    return true;
  });
  assert.deepEqual(await mountsUnder(dirs.scratch), []);
  assert.deepEqual(await readdir(dirs.scratch), []);
  assert.deepEqual(await readdir(dirs.spool), []);
}));

test('a context cut off mid-upload leaves nothing behind', (t) => withDirs(t, async (dirs) => {
  await writeContext(dirs.source);
  const cut = (async function* () {
    let sent = 0;
    for await (const chunk of packLayer(dirs.source, { whiteouts: 'none' })) {
      yield chunk as Buffer;
      if ((sent += (chunk as Buffer).length) > 4096) throw new Error('client went away');
    }
  })();
  await assert.rejects(unpackContext(Readable.from(cut), dirs.scratch, dirs.spool), /client went away/);
  assert.deepEqual(await mountsUnder(dirs.scratch), []);
  assert.deepEqual(await readdir(dirs.scratch), []);
  assert.deepEqual(await readdir(dirs.spool), []);
}));

test('without the right to mount, the context is unpacked on disk all the same', (t) => withDirs(t, async (dirs) => {
  await writeContext(dirs.source);
  // A child without CAP_SYS_ADMIN (a daemon confined that way) runs the same unpack.
  const script = `
    import { packLayer } from ${JSON.stringify(fileURLToPath(new URL('../archive/index.js', import.meta.url)))};
    import { unpackContext } from ${JSON.stringify(fileURLToPath(new URL('./context-unpack.js', import.meta.url)))};
    const context = await unpackContext(packLayer(${JSON.stringify(dirs.source)}, { whiteouts: 'none' }), ${JSON.stringify(dirs.scratch)}, ${JSON.stringify(dirs.spool)});
    console.log(context.medium, context.root);
  `;
  const child = spawnSync('setpriv', ['--bounding-set=-sys_admin', '--inh-caps=-sys_admin', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const [medium, root] = child.stdout.trim().split(' ');
  assert.equal(medium, 'disk');
  assert.ok(root!.startsWith(dirs.spool + '/'), root);
  assert.equal(await readFile(join(root!, 'd1/f2.txt'), 'utf8'), 'file 1/2\n');
  assert.deepEqual(await readdir(dirs.scratch), [], 'the tmpfs mount point tried first is gone');
}));
