import { mkdir, writeFile, symlink, lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedLock, errnoCode, isErrorKind } from '../base/index.js';
import { mountAt, unmountIfMounted, MNT_DETACH } from '../host/index.js';
import type { Snapshotter } from '../snapshots/index.js';

/**
 * The files and mount points every container needs that an image may lack: runc mounts
 * /proc, /sys, /dev and the /etc files over them. Created in a layer of their own between
 * the image and the container (Docker's "init layer"), so they never show in `diff` and never
 * go into a commit. One init layer serves every container of an image.
 */
const INIT_ENTRIES: { path: string; kind: 'dir' | 'file' | 'link'; target?: string }[] = [
  { path: '/dev', kind: 'dir' },
  { path: '/dev/pts', kind: 'dir' },
  { path: '/dev/shm', kind: 'dir' },
  { path: '/proc', kind: 'dir' },
  { path: '/sys', kind: 'dir' },
  { path: '/etc', kind: 'dir' },
  { path: '/etc/resolv.conf', kind: 'file' },
  { path: '/etc/hosts', kind: 'file' },
  { path: '/etc/hostname', kind: 'file' },
  { path: '/dev/console', kind: 'file' },
  { path: '/etc/mtab', kind: 'link', target: '/proc/mounts' },
];

const locks = new KeyedLock();

export function initLayerName(imageTop: string): string {
  return `init ${imageTop}`;
}

/** The committed init snapshot on `imageTop`, made on first use. */
export async function ensureInitLayer(snapshotter: Snapshotter, imageTop: string, scratchDir: string): Promise<string> {
  const name = initLayerName(imageTop);
  return locks.run(name, async () => {
    try {
      await snapshotter.stat(name);
      return name;
    } catch (err) {
      if (!isErrorKind(err, 'not-found')) throw err;
    }
    const key = `${name} building`;
    await snapshotter.remove(key).catch(() => {});
    const mounts = await snapshotter.prepare(key, imageTop);
    const target = join(scratchDir, `init-${process.pid}-${Date.now()}`);
    await mkdir(target, { recursive: true });
    try {
      for (const m of mounts) mountAt(m, target);
      try {
        await populate(target);
      } finally {
        unmountIfMounted(target, MNT_DETACH);
      }
      await snapshotter.commit(name, key);
    } catch (err) {
      await snapshotter.remove(key).catch(() => {});
      throw err;
    } finally {
      await rm(target, { recursive: true, force: true });
    }
    return name;
  });
}

/**
 * Creates what is missing, through the mounted view of the image, so what the image has is
 * left alone. The image's own entries may be symlinks: those are left alone as well
 * (lstat), so nothing here follows a link out of the root.
 */
async function populate(root: string): Promise<void> {
  for (const entry of INIT_ENTRIES) {
    const path = join(root, entry.path);
    try {
      await lstat(path);
      continue;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOTDIR') continue; // a parent is not a directory in this image: leave it
      if (code !== 'ENOENT') throw err;
    }
    if (entry.kind === 'dir') await mkdir(path, { mode: 0o755 });
    else if (entry.kind === 'file') await writeFile(path, '', { mode: 0o644, flag: 'wx' });
    else await symlink(entry.target!, path);
  }
}
