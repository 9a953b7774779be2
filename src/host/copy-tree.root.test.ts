import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chmod, chown, link, lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { needsRoot } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { copyTree } from './copy-tree.js';
import { S_IFBLK, S_IFCHR, S_IFIFO, mknod } from './device.js';
import { lgetxattr, lsetxattr } from './xattr.js';

test('copyTree keeps types, modes, owners, xattrs, hard links and nanosecond times', async (t) => {
  if (await needsRoot(t)) return;
  const temp = await makeTempRoot();
  t.after(() => temp.cleanup());
  const src = join(temp.dir, 'src');
  const dst = join(temp.dir, 'dst');
  await mkdir(join(src, 'deep/er/est'), { recursive: true });
  await writeFile(join(src, 'deep/er/est/file'), 'payload');
  await link(join(src, 'deep/er/est/file'), join(src, 'hard'));
  await link(join(src, 'deep/er/est/file'), join(src, 'deep/hard2'));
  await symlink('deep/er/est/file', join(src, 'sym'));
  await link(join(src, 'sym'), join(src, 'sym-hard')); // a hard link to a symlink
  mknod(join(src, 'chr'), S_IFCHR | 0o620, 4, 64);
  mknod(join(src, 'blk'), S_IFBLK | 0o600, 7, 1);
  mknod(join(src, 'fifo'), S_IFIFO | 0o644, 0, 0);
  await writeFile(join(src, 'setuid'), 'x');
  await chown(join(src, 'setuid'), 100, 200);
  await chmod(join(src, 'setuid'), 0o4711);
  await chmod(join(src, 'deep/er'), 0o500);
  await chown(join(src, 'deep'), 5, 6);
  lsetxattr(join(src, 'deep/er/est/file'), 'user.k', Buffer.from('v'));
  lsetxattr(join(src, 'sym'), 'trusted.k', Buffer.from('on a symlink'));
  await chmod(src, 0o711);

  await copyTree(src, dst);

  const facts = async (root: string) => {
    const out: Record<string, unknown> = {};
    const visit = async (rel: string) => {
      const path = join(root, rel);
      const st = await lstat(path, { bigint: true });
      out[rel || '.'] = [st.mode, st.uid, st.gid, st.size * (st.isDirectory() ? 0n : 1n), st.rdev, st.nlink, st.mtimeNs, st.isSymbolicLink() ? await readlink(path) : ''];
      if (st.isDirectory()) for (const name of (await readdir(path)).sort()) await visit(join(rel, name));
    };
    await visit('');
    return out;
  };
  assert.deepEqual(await facts(dst), await facts(src));
  const [a, b, c] = await Promise.all(['hard', 'deep/hard2', 'deep/er/est/file'].map((p) => lstat(join(dst, p))));
  assert.equal(a!.ino, b!.ino);
  assert.equal(a!.ino, c!.ino);
  assert.equal((await lstat(join(dst, 'sym'))).ino, (await lstat(join(dst, 'sym-hard'))).ino);
  assert.notEqual(a!.ino, (await lstat(join(src, 'hard'))).ino, 'a copy, not a link to the source');
  assert.equal(await readFile(join(dst, 'hard'), 'utf8'), 'payload');
  assert.equal(lgetxattr(join(dst, 'deep/er/est/file'), 'user.k')?.toString(), 'v');
  assert.equal(lgetxattr(join(dst, 'sym'), 'trusted.k')?.toString(), 'on a symlink');
});

test('copyTree into an existing empty directory, and refuses a file as source', async (t) => {
  if (await needsRoot(t)) return;
  const temp = await makeTempRoot();
  t.after(() => temp.cleanup());
  const src = join(temp.dir, 'src');
  const dst = join(temp.dir, 'dst');
  await mkdir(join(src, 'd'), { recursive: true });
  await writeFile(join(src, 'd/f'), 'f');
  await mkdir(dst);
  await copyTree(src, dst);
  assert.equal(await readFile(join(dst, 'd/f'), 'utf8'), 'f');
  await assert.rejects(copyTree(join(src, 'd/f'), join(temp.dir, 'x')), /not a directory/);
});
