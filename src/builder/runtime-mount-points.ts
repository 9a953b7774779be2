import type { Stats } from 'node:fs';
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../base/index.js';
import { lgetxattr } from '../host/index.js';

/**
 * Where runc mounts file systems or files over a RUN container's root. When the image lacks
 * them runc creates them, in the step's upper dir; Docker keeps them out of the layer with an
 * init layer, the builder by removing, after the run, what it did not find before.
 */
const MOUNT_POINTS = ['/dev', '/proc', '/sys', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'] as const;

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** What the root had at the mount points (and /etc) before the container ran. */
export interface MountPointSurvey {
  missing: string[];
  /** /etc as it was, when it existed: a copy-up it gets only for the mount points is undone. */
  etc?: Stats;
  /** Whether the /etc files can be bound (/etc is a real directory or absent). */
  etcBindable: boolean;
}

export async function surveyMountPoints(rootfs: string): Promise<MountPointSurvey> {
  const etc = await lstatOrUndefined(join(rootfs, 'etc'));
  const etcBindable = etc === undefined || etc.isDirectory();
  const missing: string[] = [];
  for (const point of MOUNT_POINTS) {
    if (point.startsWith('/etc/') && !etcBindable) continue;
    if ((await lstatOrUndefined(join(rootfs, point))) === undefined) missing.push(point);
  }
  if (etc === undefined) missing.push('/etc');
  return { missing, ...(etc ? { etc } : {}), etcBindable };
}

async function isEmptyDir(path: string, st: Stats): Promise<boolean> {
  return st.isDirectory() && (await readdir(path)).length === 0;
}

/**
 * Removes from the upper dir the mount points runc created (still empty) and an /etc that
 * overlay copied up only because they were created in it (empty, not opaque, same owner and
 * mode as before).
 */
export async function removeRuntimeMountPoints(upperDir: string, survey: MountPointSurvey): Promise<void> {
  for (const point of survey.missing.filter((p) => p !== '/etc')) {
    const path = join(upperDir, point);
    const st = await lstatOrUndefined(path);
    if (!st) continue;
    if (await isEmptyDir(path, st)) await rmdir(path);
    else if (st.isFile() && st.size === 0) await unlink(path);
  }
  const etcPath = join(upperDir, 'etc');
  const etc = await lstatOrUndefined(etcPath);
  if (!etc || !(await isEmptyDir(etcPath, etc))) return;
  const createdByRunc = survey.missing.includes('/etc');
  const unchangedCopyUp = survey.etc !== undefined && survey.etc.mode === etc.mode && survey.etc.uid === etc.uid
    && survey.etc.gid === etc.gid && lgetxattr(etcPath, 'trusted.overlay.opaque') === undefined;
  if (createdByRunc || unchangedCopyUp) await rmdir(etcPath);
}
