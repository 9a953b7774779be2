import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, link, mkdir, rm, symlink, writeFile, rename } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { makeImageService } from '../../test/support/engine.js';
import { mountAt, unmountIfMounted, MNT_DETACH } from '../host/index.js';
import { overlayChanges, ChangeKind, type Change } from './changes.js';

const KIND = { [ChangeKind.Modify]: 'C', [ChangeKind.Add]: 'A', [ChangeKind.Delete]: 'D' } as const;
const show = (changes: Change[]) => changes.map((c) => `${KIND[c.Kind]} ${c.Path}`);

/**
 * Each case runs file operations through a real overlay mount of a writable layer on the
 * busybox image, then reads the changes back from the upper dir. The expected lines are
 * what `docker diff` prints after the same operations in a busybox container.
 */
const cases: { name: string; act: (m: string) => Promise<void>; expect: string[] }[] = [
  { name: 'modify a file', act: (m) => writeFile(join(m, 'etc', 'passwd'), 'x'), expect: ['C /etc', 'C /etc/passwd'] },
  { name: 'add a directory with a file', act: async (m) => { await mkdir(join(m, 'newdir')); await writeFile(join(m, 'newdir', 'f'), 'f'); }, expect: ['A /newdir', 'A /newdir/f'] },
  { name: 'delete a file', act: (m) => rm(join(m, 'bin', 'ls')), expect: ['C /bin', 'D /bin/ls'] },
  { name: 'delete a directory with content', act: (m) => rm(join(m, 'etc'), { recursive: true }), expect: ['D /etc'] },
  {
    name: 'delete and recreate a directory',
    act: async (m) => { await writeFile(join(m, 'root', 'old'), 'o'); await rm(join(m, 'etc'), { recursive: true }); await mkdir(join(m, 'etc')); await writeFile(join(m, 'etc', 'hosts'), 'h'); },
    expect: ['C /etc', 'A /etc/hosts', 'D /etc/group', 'D /etc/passwd', 'C /root', 'A /root/old'],
  },
  { name: 'hard link', act: (m) => link(join(m, 'etc', 'group'), join(m, 'etc', 'group2')), expect: ['C /etc', 'A /etc/group2'] },
  { name: 'symlink', act: (m) => symlink('/nowhere', join(m, 'tmp', 'l')), expect: ['C /tmp', 'A /tmp/l'] },
  { name: 'a copy-up that changed nothing visible', act: (m) => chmod(join(m, 'etc', 'passwd'), 0o644), expect: [] },
  { name: 'a mode change', act: (m) => chmod(join(m, 'etc', 'passwd'), 0o600), expect: ['C /etc', 'C /etc/passwd'] },
  { name: 'new directories deep down', act: async (m) => { await mkdir(join(m, 'var', 'a', 'b'), { recursive: true }); await appendFile(join(m, 'var', 'a', 'b', 'log'), 'l'); }, expect: ['A /var', 'A /var/a', 'A /var/a/b', 'A /var/a/b/log'] },
  { name: 'rename a file', act: (m) => rename(join(m, 'etc', 'group'), join(m, 'etc', 'group.old')), expect: ['C /etc', 'A /etc/group.old', 'D /etc/group'] },
  { name: 'replace a directory with a file', act: async (m) => { await rm(join(m, 'root'), { recursive: true }); await writeFile(join(m, 'root'), 'r'); }, expect: ['C /root'] },
  { name: 'replace a file with a directory', act: async (m) => { await rm(join(m, 'etc', 'group')); await mkdir(join(m, 'etc', 'group')); await writeFile(join(m, 'etc', 'group', 'g'), 'g'); }, expect: ['C /etc', 'C /etc/group', 'A /etc/group/g'] },
  { name: 'delete then re-create a file with the same content', act: async (m) => { await rm(join(m, 'etc', 'group')); await writeFile(join(m, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n'); }, expect: ['C /etc', 'C /etc/group'] },
];

for (const c of cases) {
  test(`diff: ${c.name}`, async (t) => {
    if (await needsOverlay(t)) return;
    const temp = await makeTempRoot('strata-changes-');
    const target = join(temp.dir, 'mnt');
    try {
      const service = await makeImageService(join(temp.dir, 'root'));
      const id = await service.importRootfs(createReadStream(await makeBusyboxTarball(temp.dir)));
      const chain = await service.chainIds(id);
      const mounts = await service.snapshotter.prepare('ctr', chain[chain.length - 1]);
      await mkdir(target);
      for (const m of mounts) mountAt(m, target);
      try {
        await c.act(target);
      } finally {
        unmountIfMounted(target, MNT_DETACH);
      }
      const upper = (await service.snapshotter.layerDir('ctr')).dir;
      const lowers = [];
      for (const chainId of [...chain].reverse()) lowers.push((await service.snapshotter.layerDir(chainId)).dir);
      assert.deepEqual(show(await overlayChanges(upper, lowers)), c.expect);
    } finally {
      await temp.cleanup();
    }
  });
}
