/**
 * The conformance suite every Snapshotter passes, modelled on the cases of containerd's
 * snapshots/testsuite (many come from storage bugs Docker once had). Each test mounts
 * snapshots for real with host/mountAt, so the suite needs root.
 */
import assert from 'node:assert/strict';
import { chown, link, lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile, chmod, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, isErrorKind, type ErrorKind } from '../../base/index.js';
import { S_IFCHR, S_IFIFO, lsetxattr, mknod } from '../../host/index.js';
import type { SnapshotInfo, Snapshotter } from '../snapshotter.js';
import { snapshotterTests, type MakeSnapshotter, type SuiteOptions } from './harness.js';
import { treeFacts } from './tree-facts.js';

export function runSnapshotterSuite(name: string, make: MakeSnapshotter, options: SuiteOptions): void {
  snapshotterTests(name, make, options, (it) => {
    it('basic: commit, stack, modify, commit again; views see each state', async ({ sn, withMounted, inView }) => {
      const prepared = await sn.prepare('preparing');
      assert.ok(prepared.length > 0, 'prepare returns mounts');
      await withMounted('preparing', async (dir) => {
        await writeFile(join(dir, 'foo'), 'foo\n');
        await chmod(join(dir, 'foo'), 0o777);
        await mkdir(join(dir, 'a/b/c'), { recursive: true });
      });
      await sn.commit('committed', 'preparing');
      await assertKind(sn.stat('preparing'), 'not-found');

      await sn.prepare('next', 'committed');
      await withMounted('next', async (dir) => {
        assert.equal(await readFile(join(dir, 'foo'), 'utf8'), 'foo\n');
        await writeFile(join(dir, 'bar'), 'bar\n');
        await writeFile(join(dir, 'foo'), 'bar\n');
        await rm(join(dir, 'a/b'), { recursive: true });
      });
      await sn.commit('committed-next', 'next');

      await inView('committed', async (dir) => {
        assert.equal(await readFile(join(dir, 'foo'), 'utf8'), 'foo\n');
        assert.equal((await stat(join(dir, 'foo'))).mode & 0o777, 0o777);
        assert.ok((await stat(join(dir, 'a/b/c'))).isDirectory());
        assert.equal(await exists(join(dir, 'bar')), false);
      });
      await inView('committed-next', async (dir) => {
        assert.equal(await readFile(join(dir, 'foo'), 'utf8'), 'bar\n');
        assert.equal(await readFile(join(dir, 'bar'), 'utf8'), 'bar\n');
        assert.ok((await stat(join(dir, 'a'))).isDirectory());
        assert.equal(await exists(join(dir, 'a/b')), false);
      });

      const info = await sn.stat('committed-next');
      assert.equal(info.kind, 'committed');
      assert.equal(info.parent, 'committed');
      await assertKind(sn.remove('committed'), 'conflict');
    });

    it('stat describes active and committed snapshots', async ({ sn }) => {
      await sn.prepare('active', undefined, { labels: { purpose: 'test' } });
      const active = await sn.stat('active');
      assert.equal(active.name, 'active');
      assert.equal(active.kind, 'active');
      assert.equal(active.parent, undefined);
      assert.deepEqual(active.labels, { purpose: 'test' });
      assert.ok(!Number.isNaN(Date.parse(active.created)));
      await sn.commit('done', 'active', { labels: { final: 'yes' } });
      const done = await sn.stat('done');
      assert.equal(done.kind, 'committed');
      assert.deepEqual(done.labels, { final: 'yes' });
      await sn.prepare('child', '');
      assert.equal((await sn.stat('child')).parent, undefined, 'an empty parent means none');
    });

    it('transitivity: a grandchild sees what the grandparent wrote unless the parent changed it', async ({ sn, commitLayer, inView }) => {
      await commitLayer('A', undefined, async (dir) => {
        await writeFile(join(dir, 'foo'), 'foo\n');
        await writeFile(join(dir, 'only-a'), 'a\n');
      });
      await commitLayer('B', 'A', async (dir) => writeFile(join(dir, 'foo'), 'foo bar\n'));
      await commitLayer('C', 'B', async (dir) => writeFile(join(dir, 'only-c'), 'c\n'));
      await inView('C', async (dir) => {
        assert.equal(await readFile(join(dir, 'foo'), 'utf8'), 'foo bar\n');
        assert.equal(await readFile(join(dir, 'only-a'), 'utf8'), 'a\n');
        assert.equal(await readFile(join(dir, 'only-c'), 'utf8'), 'c\n');
      });
      await inView('A', async (dir) => assert.equal(await readFile(join(dir, 'foo'), 'utf8'), 'foo\n'));
      assert.equal((await sn.stat('A')).parent, undefined);
      assert.equal((await sn.stat('B')).parent, 'A');
      assert.equal((await sn.stat('C')).parent, 'B');
    });

    it('a file and a directory deleted above a lower layer are absent above it', async ({ commitLayer, inView }) => {
      await commitLayer('base', undefined, async (dir) => {
        await writeFile(join(dir, 'gone'), 'x');
        await writeFile(join(dir, 'kept'), 'y');
        await mkdir(join(dir, 'dir/sub'), { recursive: true });
        await writeFile(join(dir, 'dir/sub/file'), 'z');
      });
      await commitLayer('deleted', 'base', async (dir) => {
        await rm(join(dir, 'gone'));
        await rm(join(dir, 'dir'), { recursive: true });
      });
      await commitLayer('above', 'deleted', async (dir) => writeFile(join(dir, 'new'), 'n'));
      for (const top of ['deleted', 'above']) {
        await inView(top, async (dir) => {
          assert.equal(await exists(join(dir, 'gone')), false);
          assert.equal(await exists(join(dir, 'dir')), false);
          assert.equal(await readFile(join(dir, 'kept'), 'utf8'), 'y');
        });
      }
      await inView('base', async (dir) => assert.equal(await readFile(join(dir, 'dir/sub/file'), 'utf8'), 'z'));
    });

    it('a directory removed and recreated hides its old children (opaque)', async ({ commitLayer, inView }) => {
      await commitLayer('base', undefined, async (dir) => {
        await mkdir(join(dir, 'd/sub'), { recursive: true });
        await writeFile(join(dir, 'd/old1'), '1');
        await writeFile(join(dir, 'd/sub/old2'), '2');
      });
      await commitLayer('recreated', 'base', async (dir) => {
        await rm(join(dir, 'd'), { recursive: true });
        await mkdir(join(dir, 'd'));
        await writeFile(join(dir, 'd/new'), 'new');
      });
      await commitLayer('above', 'recreated', async (dir) => writeFile(join(dir, 'd/another'), 'a'));
      await inView('recreated', async (dir) => assert.deepEqual(await readdir(join(dir, 'd')), ['new']));
      await inView('above', async (dir) => assert.deepEqual((await readdir(join(dir, 'd'))).sort(), ['another', 'new']));
      await inView('base', async (dir) => assert.deepEqual((await readdir(join(dir, 'd'))).sort(), ['old1', 'sub']));
    });

    it('chown through the mount survives commit, also on a file of a lower layer', async ({ commitLayer, inView }) => {
      await commitLayer('base', undefined, async (dir) => {
        await writeFile(join(dir, 'f'), 'f');
        await mkdir(join(dir, 'd'));
        await chown(join(dir, 'f'), 1000, 1000);
        await chown(join(dir, 'd'), 1001, 1002);
      });
      await commitLayer('changed', 'base', async (dir) => {
        assert.equal((await stat(join(dir, 'f'))).uid, 1000);
        await chown(join(dir, 'f'), 2000, 2001);
        await writeFile(join(dir, 'd/g'), 'g');
        await chown(join(dir, 'd/g'), 3000, 3001);
      });
      await inView('changed', async (dir) => {
        assert.deepEqual(owner(await stat(join(dir, 'f'))), [2000, 2001]);
        assert.deepEqual(owner(await stat(join(dir, 'd'))), [1001, 1002]);
        assert.deepEqual(owner(await stat(join(dir, 'd/g'))), [3000, 3001]);
      });
      await inView('base', async (dir) => assert.deepEqual(owner(await stat(join(dir, 'f'))), [1000, 1000]));
    });

    it('hard links stay one inode across commit and in layers above', async ({ commitLayer, inView }) => {
      await commitLayer('base', undefined, async (dir) => {
        await writeFile(join(dir, 'a'), 'shared');
        await link(join(dir, 'a'), join(dir, 'b'));
        await mkdir(join(dir, 'd'));
        await link(join(dir, 'a'), join(dir, 'd/c'));
      });
      await commitLayer('above', 'base', async (dir) => writeFile(join(dir, 'other'), 'o'));
      for (const top of ['base', 'above']) {
        await inView(top, async (dir) => {
          const [a, b, c] = await Promise.all(['a', 'b', 'd/c'].map((p) => stat(join(dir, p))));
          assert.equal(a!.ino, b!.ino);
          assert.equal(a!.ino, c!.ino);
          assert.equal(a!.nlink, 3);
        });
      }
    });

    it('symlinks, devices, FIFOs, modes, xattrs and nanosecond times are what the parent has', async ({ sn, commitLayer, inView, withMounted }) => {
      await commitLayer('base', undefined, async (dir) => {
        await writeFile(join(dir, 'file'), 'data');
        await symlink('file', join(dir, 'link'));
        await symlink('/nowhere/at/all', join(dir, 'dangling'));
        mknod(join(dir, 'null'), S_IFCHR | 0o666, 1, 3);
        mknod(join(dir, 'fifo'), S_IFIFO | 0o640, 0, 0);
        await writeFile(join(dir, 'suid'), '#!/bin/sh\n');
        await chown(join(dir, 'suid'), 7, 8);
        await chmod(join(dir, 'suid'), 0o4755);
        lsetxattr(join(dir, 'file'), 'user.strata', Buffer.from('value'));
        lsetxattr(join(dir, 'file'), 'trusted.strata', Buffer.from([0, 1, 2]));
        await mkdir(join(dir, 'dir'), { mode: 0o700 });
        await writeFile(join(dir, 'dir/old'), 'o');
        await utimes(join(dir, 'dir/old'), 1_000_000_000, 1_000_000_000);
      });
      const expected = await inView('base', treeFacts);
      assert.equal(lgetxattrHex(expected, 'file', 'user.strata'), Buffer.from('value').toString('hex'));
      await sn.prepare('child', 'base');
      await withMounted('child', async (dir) => assert.deepEqual(await treeFacts(dir), expected));
      await sn.commit('child-committed', 'child');
      await inView('child-committed', async (dir) => assert.deepEqual(await treeFacts(dir), expected));
    });

    it('a prepared snapshot root is 0755', async ({ sn, withMounted }) => {
      await sn.prepare('fresh');
      await withMounted('fresh', async (dir) => assert.equal((await stat(dir)).mode & 0o7777, 0o755));
    });

    it('views are read-only whatever their depth', async ({ sn, commitLayer, withMounts }) => {
      await commitLayer('one', undefined, async (dir) => writeFile(join(dir, 'f1'), '1'));
      await commitLayer('two', 'one', async (dir) => writeFile(join(dir, 'f2'), '2'));
      for (const [key, parent] of [['v-none', undefined], ['v-one', 'one'], ['v-two', 'two']] as const) {
        await withMounts(await sn.view(key, parent), async (dir) => {
          await assert.rejects(writeFile(join(dir, 'new'), 'x'), (err) => errnoCode(err) === 'EROFS', `${key}: create`);
          await assert.rejects(mkdir(join(dir, 'newdir')), (err) => errnoCode(err) === 'EROFS', `${key}: mkdir`);
          if (parent) await assert.rejects(writeFile(join(dir, 'f1'), 'x'), (err) => errnoCode(err) === 'EROFS', `${key}: overwrite`);
        });
        assert.equal((await sn.stat(key)).kind, 'view');
      }
      await assertKind(sn.commit('x', 'v-one'), 'failed-precondition');
    });

    it('remove is refused while a snapshot has children, and works once they are gone', async ({ sn, commitLayer }) => {
      await commitLayer('base', undefined, async (dir) => writeFile(join(dir, 'f'), 'f'));
      await sn.prepare('child', 'base');
      await sn.view('viewer', 'base');
      await assert.rejects(sn.remove('base'), (err) => isErrorKind(err, 'conflict') && /"base"/.test((err as Error).message) && /"child"/.test((err as Error).message));
      await sn.remove('child');
      await assertKind(sn.remove('base'), 'conflict');
      await sn.remove('viewer');
      await sn.remove('base');
      await assertKind(sn.stat('base'), 'not-found');
      await assertKind(sn.remove('base'), 'not-found');
    });

    it('a removed snapshot can be created again, empty', async ({ sn, commitLayer, withMounted, inView }) => {
      await sn.prepare('k');
      await withMounted('k', async (dir) => writeFile(join(dir, 'old'), 'old'));
      await sn.remove('k');
      await sn.prepare('k');
      await withMounted('k', async (dir) => assert.deepEqual(await readdir(dir), []));

      await commitLayer('n', undefined, async (dir) => writeFile(join(dir, 'first'), '1'));
      await sn.remove('n');
      await commitLayer('n', undefined, async (dir) => writeFile(join(dir, 'second'), '2'));
      await inView('n', async (dir) => assert.deepEqual(await readdir(dir), ['second']));
    });

    it('walk lists every snapshot with its kind and parent', async ({ sn, commitLayer }) => {
      await commitLayer('base', undefined, async () => {});
      await sn.prepare('active-1', 'base');
      await sn.view('view-1', 'base');
      await sn.prepare('lonely');
      const seen: SnapshotInfo[] = [];
      for await (const info of sn.walk()) seen.push(info);
      assert.deepEqual(
        seen.map((i) => [i.name, i.kind, i.parent]).sort(),
        [['active-1', 'active', 'base'], ['base', 'committed', undefined], ['lonely', 'active', undefined], ['view-1', 'view', 'base']],
      );
    });

    it('usage counts bytes of non-directories once per inode, and every inode; committed figures are recorded', async ({ sn, withMounted }) => {
      await sn.prepare('u');
      await withMounted('u', async (dir) => {
        await writeFile(join(dir, 'ten'), 'x'.repeat(10));
        await writeFile(join(dir, 'hundred'), 'y'.repeat(100));
        await link(join(dir, 'hundred'), join(dir, 'hundred-again'));
        await mkdir(join(dir, 'd'));
        await writeFile(join(dir, 'd/empty'), '');
        await symlink('t', join(dir, 'sym')); // size: the target's length
      });
      // root, ten, hundred(+link), d, d/empty, sym
      const expected = { size: 10 + 100 + 0 + 1, inodes: 6 };
      assert.deepEqual(await sn.usage('u'), expected);
      await sn.commit('u-done', 'u');
      assert.deepEqual(await sn.usage('u-done'), expected);
      // Recorded, not measured again: a change behind the snapshotter's back does not show.
      await rm(join((await sn.layerDir('u-done')).dir, 'ten'));
      assert.deepEqual(await sn.usage('u-done'), expected);
    });

    it('unknown keys and bad arguments fail with the error kinds of base/errors', async ({ sn, commitLayer }) => {
      for (const call of [sn.stat('nope'), sn.mounts('nope'), sn.usage('nope'), sn.layerDir('nope'), sn.remove('nope'), sn.commit('x', 'nope')]) {
        await assert.rejects(call, (err) => isErrorKind(err, 'not-found') && (err as Error).message.includes('snapshot "nope" not found'));
      }
      await assert.rejects(sn.prepare('k', 'missing-parent'), (err) => isErrorKind(err, 'not-found') && /parent snapshot "missing-parent"/.test((err as Error).message));
      await sn.prepare('active');
      await assertKind(sn.prepare('active'), 'already-exists');
      await assertKind(sn.prepare('on-active', 'active'), 'invalid-argument');
      await assertKind(sn.view('view-on-active', 'active'), 'invalid-argument');
      await commitLayer('done', undefined, async () => {});
      await sn.prepare('again');
      await assertKind(sn.commit('done', 'again'), 'already-exists');
      await assertKind(sn.commit('x', 'done'), 'failed-precondition');
      await assertKind(sn.prepare(''), 'invalid-argument');
    });

    it('concurrent prepares, commits and removes keep the index whole', async ({ sn, reopen, commitLayer }) => {
      await commitLayer('base', undefined, async (dir) => writeFile(join(dir, 'f'), 'f'));
      const keys = Array.from({ length: 12 }, (_, i) => `c${i}`);
      await Promise.all(keys.map((k) => sn.prepare(k, 'base')));
      const duplicate = await Promise.allSettled([sn.prepare('same', 'base'), sn.prepare('same', 'base')]);
      assert.deepEqual(duplicate.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      await Promise.all([
        ...keys.slice(0, 6).map((k) => sn.commit(`${k}-done`, k)),
        ...keys.slice(6).map((k) => sn.remove(k)),
        assertKind(sn.remove('base'), 'conflict'),
      ]);
      const names = async (s: Snapshotter) => {
        const all: string[] = [];
        for await (const info of s.walk()) all.push(`${info.name}:${info.kind}`);
        return all.sort();
      };
      const expected = ['base:committed', 'same:active', ...keys.slice(0, 6).map((k) => `${k}-done:committed`)].sort();
      assert.deepEqual(await names(sn), expected);
      assert.deepEqual(await names(await reopen()), expected);
    });

    it('a new instance on the same root sees the same snapshots and content', async ({ sn, reopen, commitLayer, withMounts }) => {
      await commitLayer('base', undefined, async (dir) => writeFile(join(dir, 'f'), 'base'));
      await sn.prepare('work', 'base', { labels: { a: 'b' } });
      await withMounts(await sn.mounts('work'), async (dir) => writeFile(join(dir, 'g'), 'work'));
      await sn.view('look', 'base');
      const usage = await sn.usage('base');

      const again = await reopen();
      for (const key of ['base', 'work', 'look']) assert.deepEqual(await again.stat(key), await sn.stat(key));
      assert.deepEqual(await again.usage('base'), usage);
      await withMounts(await again.mounts('work'), async (dir) => {
        assert.equal(await readFile(join(dir, 'f'), 'utf8'), 'base');
        assert.equal(await readFile(join(dir, 'g'), 'utf8'), 'work');
      });
      await again.commit('work-done', 'work');
      assert.equal((await again.stat('work-done')).parent, 'base');
    });

    it('128 layers stack, and the top sees every one', async ({ sn, commitLayer, inView, withMounts }) => {
      let parent: string | undefined;
      for (let i = 0; i < 128; i++) {
        await commitLayer(`layer-${i}`, parent, async (dir) => writeFile(join(dir, `f${i}`), String(i)));
        parent = `layer-${i}`;
      }
      await inView('layer-127', async (dir) => {
        const names = await readdir(dir);
        assert.equal(names.length, 128);
        for (let i = 0; i < 128; i++) assert.equal(await readFile(join(dir, `f${i}`), 'utf8'), String(i));
      });
      await withMounts(await sn.prepare('top', 'layer-127'), async (dir) => {
        await writeFile(join(dir, 'top'), 'top');
        assert.equal(await readFile(join(dir, 'f0'), 'utf8'), '0');
      });
    });
  });
}

async function assertKind(promise: Promise<unknown>, kind: ErrorKind): Promise<void> {
  await assert.rejects(promise, (err) => {
    assert.ok(isErrorKind(err, kind), `expected a ${kind} error, got ${String(err)}`);
    return true;
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

function owner(st: { uid: number; gid: number }): [number, number] {
  return [st.uid, st.gid];
}

function lgetxattrHex(facts: Map<string, { xattrs: Record<string, string> }>, path: string, name: string): string | undefined {
  return facts.get(path)?.xattrs[name];
}
