import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { mountAt, unmountIfMounted, mountsUnder, MNT_DETACH, realpathInRoot, copyTree } from '../host/index.js';
import { errnoCode } from '../base/index.js';
import type { Snapshotter } from '../snapshots/index.js';

/** Where a container's root file system is mounted: `<containerDir>/rootfs`. */
export function rootfsPath(containerDir: string): string {
  return join(containerDir, 'rootfs');
}

async function isMounted(path: string): Promise<boolean> {
  return (await mountsUnder(path)).includes(path);
}

/** Mounts the container's writable snapshot at its rootfs path (once). */
export async function mountRootfs(snapshotter: Snapshotter, key: string, containerDir: string): Promise<string> {
  const target = rootfsPath(containerDir);
  await mkdir(target, { recursive: true });
  if (await isMounted(target)) return target;
  for (const m of await snapshotter.mounts(key)) mountAt(m, target);
  return target;
}

export async function unmountRootfs(containerDir: string): Promise<void> {
  const target = rootfsPath(containerDir);
  for (const point of await mountsUnder(target)) unmountIfMounted(point, MNT_DETACH);
}

/**
 * Makes `dir` (absolute, inside the container) exist in the mounted rootfs, as Docker does
 * for the working directory. The part that exists is resolved by the kernel inside the root,
 * so a symlink in the image can never point this outside; the rest is created below it.
 */
export async function mkdirInRoot(rootfs: string, dir: string): Promise<void> {
  const parts = posix.normalize(dir).split('/').filter((p) => p !== '' && p !== '.');
  let existing = rootfs;
  let i = 0;
  for (; i <= parts.length; i++) {
    const prefix = '/' + parts.slice(0, i).join('/');
    try {
      existing = realpathInRoot(rootfs, prefix);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') break;
      if (code === 'ENOTDIR') throw new Error(`cannot create directory ${dir} in the container: ${prefix} is not a directory`);
      throw err;
    }
  }
  if (i > parts.length) return;
  await mkdir(join(existing, ...parts.slice(i - 1)), { recursive: true, mode: 0o755 });
}

/**
 * Fills a new, empty volume with what the image has at the mount point (Docker's default
 * for volumes), resolving the path inside the container's root.
 */
export async function copyImageContentIntoVolume(rootfs: string, destination: string, volumeDir: string): Promise<void> {
  if ((await readdir(volumeDir)).length > 0) return;
  let source: string;
  try {
    source = realpathInRoot(rootfs, destination);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return;
    throw err;
  }
  if (!(await stat(source)).isDirectory()) return;
  await copyTree(source, volumeDir);
}
