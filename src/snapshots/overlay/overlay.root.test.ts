import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, isErrorKind, writeJsonAtomic } from '../../base/index.js';
import { lgetxattr, major, minor } from '../../host/index.js';
import { needsOverlay } from '../../../test/support/privileged.js';
import { runSnapshotterSuite, snapshotterTests } from '../testsuite/index.js';
import { DIFF_ID_LABEL } from '../snapshotter.js';
import { DIR_ID_PATTERN, StoreLayout } from '../store-layout.js';
import { OverlaySnapshotter } from './overlay-snapshotter.js';

const make = (root: string) => new OverlaySnapshotter(root);

runSnapshotterSuite('overlay', make, { needs: needsOverlay });

const DIFF_A = `sha256:${'a'.repeat(64)}`;
const DIFF_B = `sha256:${'b'.repeat(64)}`;

snapshotterTests('overlay (driver-specific)', make, { needs: needsOverlay }, (it) => {
  it('mounts turn off index, redirect_dir and metacopy', async ({ sn, commitLayer }) => {
    await commitLayer('base', undefined, async () => {});
    const [mount] = await sn.prepare('child', 'base');
    assert.equal(mount!.type, 'overlay');
    for (const option of ['index=off', 'redirect_dir=off', 'metacopy=off']) assert.ok(mount!.options.includes(option), option);
  });

  it('two snapshots on one base share its directory: nothing is copied', async ({ sn, root, commitLayer, withMounted }) => {
    await commitLayer('base', undefined, async (dir) => writeFile(join(dir, 'f'), 'base'));
    const baseDir = (await sn.layerDir('base')).dir;
    const [m1] = await sn.prepare('k1', 'base');
    const [m2] = await sn.prepare('k2', 'base');
    assert.ok(m1!.options.includes(`lowerdir=${baseDir}`));
    assert.ok(m2!.options.includes(`lowerdir=${baseDir}`));
    assert.equal(await countDirs(root), 3);
    await withMounted('k1', async (dir) => writeFile(join(dir, 'f'), 'k1'));
    await withMounted('k2', async (dir) => assert.equal(await readFile(join(dir, 'f'), 'utf8'), 'base'));
    assert.equal(await readFile(join(baseDir, 'f'), 'utf8'), 'base');
    assert.equal((await sn.layerDir('k1')).whiteouts, 'overlay');
  });

  it('the upper dir alone tells what changed: whiteouts, opaque dirs, full copy-ups', async ({ sn, commitLayer, withMounted }) => {
    await commitLayer('base', undefined, async (dir) => {
      await writeFile(join(dir, 'gone'), 'x');
      await mkdir(join(dir, 'gone-dir'));
      await mkdir(join(dir, 'd'));
      await writeFile(join(dir, 'd/old'), 'old');
      await writeFile(join(dir, 'mode-only'), 'content that stays');
      await mkdir(join(dir, 'movable'));
    });
    await sn.prepare('child', 'base');
    await withMounted('child', async (dir) => {
      await rm(join(dir, 'gone'));
      await rm(join(dir, 'gone-dir'), { recursive: true });
      await rm(join(dir, 'd'), { recursive: true });
      await mkdir(join(dir, 'd'));
      await chmod(join(dir, 'mode-only'), 0o600);
      // redirect_dir=off: renaming a lower directory is refused, tools copy instead.
      await assert.rejects(rename(join(dir, 'movable'), join(dir, 'moved')), (err) => errnoCode(err) === 'EXDEV');
    });
    const upper = (await sn.layerDir('child')).dir;
    for (const name of ['gone', 'gone-dir']) {
      const st = await lstat(join(upper, name));
      assert.ok(st.isCharacterDevice() && major(st.rdev) === 0 && minor(st.rdev) === 0, `${name} is a whiteout`);
    }
    assert.equal(lgetxattr(join(upper, 'd'), 'trusted.overlay.opaque')?.toString(), 'y');
    assert.equal(await readFile(join(upper, 'mode-only'), 'utf8'), 'content that stays');
    assert.equal(lgetxattr(join(upper, 'mode-only'), 'trusted.overlay.metacopy'), undefined);
    assert.equal((await stat(join(upper, 'mode-only'))).mode & 0o777, 0o600);
  });

  it('reuseLayer shares one directory per diffID across parents, and mounts see the right stack', async ({ sn, root, commitLayer, inView }) => {
    await commitLayer('p1', undefined, async (dir) => writeFile(join(dir, 'p1'), '1'));
    await commitLayer('p2', undefined, async (dir) => writeFile(join(dir, 'p2'), '2'));
    await commitLayer('layer-on-p1', 'p1', async (dir) => writeFile(join(dir, 'layer'), 'L'), { labels: { [DIFF_ID_LABEL]: DIFF_A } });
    const dirs = await countDirs(root);

    assert.equal(await sn.reuseLayer('layer-on-p2', 'p2', DIFF_A), true);
    assert.equal(await countDirs(root), dirs, 'no new directory');
    assert.equal((await sn.layerDir('layer-on-p2')).dir, (await sn.layerDir('layer-on-p1')).dir);
    const info = await sn.stat('layer-on-p2');
    assert.equal(info.kind, 'committed');
    assert.equal(info.parent, 'p2');
    assert.equal(info.labels[DIFF_ID_LABEL], DIFF_A);
    assert.equal(await sn.reuseLayer('layer-on-nothing', undefined, DIFF_A), true);

    await inView('layer-on-p2', async (dir) => assert.deepEqual((await readdir(dir)).sort(), ['layer', 'p2']));
    await inView('layer-on-p1', async (dir) => assert.deepEqual((await readdir(dir)).sort(), ['layer', 'p1']));
    await inView('layer-on-nothing', async (dir) => assert.deepEqual(await readdir(dir), ['layer']));
    assert.deepEqual(await sn.usage('layer-on-p2'), await sn.usage('layer-on-p1'));
  });

  it('reuseLayer says false when no layer has the diffID or it is already in the stack', async ({ sn, commitLayer }) => {
    await commitLayer('base', undefined, async () => {}, { labels: { [DIFF_ID_LABEL]: DIFF_A } });
    assert.equal(await sn.reuseLayer('x', 'base', DIFF_B), false);
    // Overlay refuses one lowerdir twice in a mount: a layer repeated in an image is unpacked twice.
    assert.equal(await sn.reuseLayer('x', 'base', DIFF_A), false);
    await assert.rejects(sn.stat('x'), (err) => isErrorKind(err, 'not-found'));
    await assert.rejects(sn.reuseLayer('base', undefined, DIFF_A), (err) => isErrorKind(err, 'already-exists'));
    await assert.rejects(sn.reuseLayer('y', 'no-such-parent', DIFF_A), (err) => isErrorKind(err, 'not-found'));
  });

  it('a shared directory stays while any record names it and goes with the last', async ({ sn, root, commitLayer }) => {
    await commitLayer('p1', undefined, async () => {});
    await commitLayer('p2', undefined, async () => {});
    await commitLayer('l1', 'p1', async (dir) => writeFile(join(dir, 'l'), 'l'), { labels: { [DIFF_ID_LABEL]: DIFF_A } });
    assert.equal(await sn.reuseLayer('l2', 'p2', DIFF_A), true);
    const shared = (await sn.layerDir('l1')).dir;

    await sn.remove('l1');
    assert.equal(await readFile(join(shared, 'l'), 'utf8'), 'l');
    assert.equal(await sn.reuseLayer('l3', 'p1', DIFF_A), true, 'still reusable through l2');
    await sn.remove('l2');
    assert.ok(await exists(shared));
    await sn.remove('l3');
    assert.equal(await exists(shared), false);
    assert.equal(await sn.reuseLayer('l4', 'p1', DIFF_A), false);
    assert.equal(await countDirs(root), 2);
  });

  it('reuse survives a restart: the diffID is read back from meta.json', async ({ sn, reopen, commitLayer }) => {
    await commitLayer('p1', undefined, async () => {});
    await commitLayer('l1', 'p1', async (dir) => writeFile(join(dir, 'l'), 'l'), { labels: { [DIFF_ID_LABEL]: DIFF_A } });
    const again = await reopen();
    assert.equal(await again.reuseLayer('l2', undefined, DIFF_A), true);
    assert.equal((await again.layerDir('l2')).dir, (await sn.layerDir('l1')).dir);
  });

  it('start-up removes orphans and repairs interrupted operations', async ({ sn, root, reopen, commitLayer, withMounted }) => {
    const layout = new StoreLayout(root);
    await commitLayer('base', undefined, async (dir) => writeFile(join(dir, 'f'), 'f'));
    await sn.prepare('work', 'base');
    await withMounted('work', async (dir) => writeFile(join(dir, 'w'), 'w'));
    const workDir = (await sn.layerDir('work')).dir;
    const workId = workDir.split('/').at(-2)!;

    // A prepare that crashed before its record was written; a removal that crashed before
    // deleting; a probe that crashed; a half-written record; someone else's file.
    await mkdir(join(root, 'deadbeef0000/fs'), { recursive: true });
    await mkdir(join(root, '.trash-0123456789ab-abcdef/fs'), { recursive: true });
    await mkdir(join(root, '.probe-12345678/upper'), { recursive: true });
    await writeFile(join(layout.recordsDir, '.x.json.tmp-abcdef'), '{"trunc');
    await writeFile(join(root, 'notes.txt'), 'not ours');
    // A record whose directory is gone.
    await writeJsonAtomic(layout.recordPath('lost'), { name: 'lost', kind: 'committed', dir: 'feedfacecafe', labels: {}, created: new Date().toISOString() });
    // A commit that crashed after writing the committed record, before deleting the active one.
    await writeJsonAtomic(layout.recordPath('work-done'), { name: 'work-done', kind: 'committed', parent: 'base', dir: workId, labels: {}, created: new Date().toISOString() });

    const again = await reopen();
    const names: string[] = [];
    for await (const info of again.walk()) names.push(`${info.name}:${info.kind}`);
    assert.deepEqual(names.sort(), ['base:committed', 'work-done:committed']);
    assert.equal((await again.layerDir('work-done')).dir, workDir);
    const entries = (await readdir(root)).sort();
    assert.deepEqual(entries.filter((e) => !DIR_ID_PATTERN.test(e)).sort(), ['notes.txt', 'records']);
    assert.equal(entries.includes('deadbeef0000'), false);
    assert.equal(await countDirs(root), 2);
    assert.equal((await readdir(layout.recordsDir)).length, 2);
  });

  it('128 layers: the lowerdir list is made relative to the root to fit the option page', async ({ sn, commitLayer }) => {
    let parent: string | undefined;
    for (let i = 0; i < 128; i++) {
      await commitLayer(`l${i}`, parent, async () => {});
      parent = `l${i}`;
    }
    const [mount] = await sn.view('top', parent);
    assert.ok(mount!.cwd, 'relative paths need a cwd');
    assert.ok(mount!.options.filter((o) => o !== 'ro').join(',').length < 4096);
    const lowers = mount!.options.find((o) => o.startsWith('lowerdir='))!.slice('lowerdir='.length).split(':');
    assert.equal(lowers.length, 128);
    assert.ok(lowers.every((l) => !l.startsWith('/')));
  });
});

async function countDirs(root: string): Promise<number> {
  return (await readdir(root)).filter((e) => DIR_ID_PATTERN.test(e)).length;
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

