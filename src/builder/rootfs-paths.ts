import { lchown, lstat, mkdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { errnoCode, InvalidArgumentError } from '../base/index.js';
import { realpathInRoot } from '../host/index.js';
import type { Owner } from './copy-owner.js';

/**
 * Paths inside a step's mounted rootfs. Destinations are resolved by the kernel inside the
 * root (RESOLVE_IN_ROOT), so a symlink in the image, absolute or relative, is followed the
 * way the container would see it and never out to the host.
 */

/** The host path of `path` in the root when it exists, else undefined. */
export function resolveInRoot(rootfs: string, path: string): string | undefined {
  const rel = posix.normalize(posix.join('/', path)).slice(1);
  if (rel === '') return rootfs;
  try {
    return realpathInRoot(rootfs, rel);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
}

/** Whether `path` is (or leads through symlinks in the root to) a directory. */
export async function isDirectoryInRoot(rootfs: string, path: string): Promise<boolean> {
  const host = resolveInRoot(rootfs, path);
  return host !== undefined && (await lstat(host)).isDirectory();
}

/** Symlinks followed while creating one directory path, as the kernel's own limit. */
const MAX_LINKS = 40;

/**
 * `mkdir -p` inside the root: each missing component is created (mode 0755, owned by
 * `owner`) under its resolved parent. A dangling symlink on the way is followed inside the
 * root, as Docker's FollowSymlinkInScope does, and its target created. Returns the
 * directory's host path and whether it existed before.
 */
export async function ensureDirectoryInRoot(rootfs: string, path: string, owner: Owner): Promise<{ host: string; existed: boolean }> {
  let pending = posix.normalize(posix.join('/', path)).split('/').filter((c) => c !== '');
  let parentHost = rootfs;
  let current = '';
  let existed = true;
  let links = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    const next = `${current}/${component}`;
    const found = resolveInRoot(rootfs, next);
    if (found !== undefined) {
      if (!(await lstat(found)).isDirectory()) throw new InvalidArgumentError(`cannot create directory ${next}: a file of that name exists in the image`);
      parentHost = found;
      current = next;
      continue;
    }
    const created = join(parentHost, component);
    const existing = await lstat(created).catch(() => undefined);
    if (existing?.isSymbolicLink()) {
      // A dangling link: carry on from its target, resolved inside the root.
      if (++links > MAX_LINKS) throw new InvalidArgumentError(`cannot create directory ${path}: too many levels of symbolic links`);
      const target = await readlink(created);
      const restart = posix.isAbsolute(target) ? target : posix.join(current === '' ? '/' : current, target);
      pending = [...posix.normalize(restart).split('/').filter((c) => c !== ''), ...pending];
      parentHost = rootfs;
      current = '';
      continue;
    }
    await mkdir(created, { mode: 0o755 });
    await lchown(created, owner.uid, owner.gid);
    parentHost = created;
    current = next;
    existed = false;
  }
  return { host: parentHost, existed };
}
