import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { measureUsage } from './measure-usage.js';

test('measureUsage: hard links once, symlinks by target length, every directory an inode', async (t) => {
  const temp = await makeTempRoot();
  t.after(() => temp.cleanup());
  const dir = temp.dir;
  assert.deepEqual(await measureUsage(dir), { size: 0, inodes: 1 });
  await mkdir(join(dir, 'a/b/c'), { recursive: true });
  await writeFile(join(dir, 'a/file'), 'x'.repeat(1000));
  await link(join(dir, 'a/file'), join(dir, 'a/b/link'));
  await link(join(dir, 'a/file'), join(dir, 'top-link'));
  await symlink('a/file', join(dir, 'sym'));
  const many = Array.from({ length: 100 }, (_, i) => writeFile(join(dir, 'a/b/c', `f${i}`), 'yy'));
  await Promise.all(many);
  // inodes: root, a, b, c, file (3 names), sym, 100 files
  assert.deepEqual(await measureUsage(dir), { size: 1000 + 'a/file'.length + 200, inodes: 4 + 1 + 1 + 100 });
});
