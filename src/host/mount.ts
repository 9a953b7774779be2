import { sys, check, errnoError, lastErrno } from './libc.js';
import { readFile } from 'node:fs/promises';

/** A mount as snapshotters describe it (containerd's shape): applied later by `mountAll`. */
export interface Mount {
  type: string; // 'overlay' | 'bind'
  source: string;
  options: string[];
  /**
   * Directory that relative paths in `options` are resolved from. Overlay lowerdir lists get
   * long; making them relative keeps the option string under the kernel's page-size limit.
   */
  cwd?: string;
}

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 1 << 18;
export const MNT_DETACH = 0x2;

const FLAG_OPTIONS: Record<string, number> = {
  ro: MS_RDONLY, nosuid: MS_NOSUID, nodev: MS_NODEV, noexec: MS_NOEXEC, bind: MS_BIND, rbind: MS_BIND | MS_REC,
};

/** mount(2). `cwd`, when given, is entered for the duration of the call (see Mount.cwd). */
export function mountRaw(source: string, target: string, fstype: string | null, flags: number, data: string | null, cwd?: string): void {
  if (cwd === undefined) {
    check(sys.mount(source, target, fstype, flags, data), 'mount', target);
    return;
  }
  // The whole chdir → mount → chdir-back runs synchronously inside one JS turn, so no other
  // JS code observes the changed working directory; strata never uses relative paths in
  // asynchronous file operations, so libuv's thread pool is unaffected as well.
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const rc = sys.mount(source, target, fstype, flags, data);
    if (rc < 0) throw errnoError('mount', lastErrno(), target);
  } finally {
    process.chdir(previous);
  }
}

/** Applies a Mount description at `target`. Read-only bind mounts need a second remount. */
export function mountAt(m: Mount, target: string): void {
  let flags = 0;
  const data: string[] = [];
  for (const opt of m.options) {
    const flag = FLAG_OPTIONS[opt];
    if (flag !== undefined) flags |= flag;
    else if (opt !== 'rw') data.push(opt);
  }
  if (m.type === 'bind' || (flags & MS_BIND)) {
    mountRaw(m.source, target, null, (flags & (MS_BIND | MS_REC)) | MS_BIND, null);
    if (flags & ~(MS_BIND | MS_REC)) {
      mountRaw('', target, null, MS_REMOUNT | MS_BIND | (flags & ~(MS_BIND | MS_REC)), null);
    }
    return;
  }
  mountRaw(m.source, target, m.type, flags, data.join(','), m.cwd);
}

export function unmount(target: string, flags = 0): void {
  check(sys.umount2(target, flags), 'umount2', target);
}

/** Unmounts, treating "not mounted" (EINVAL) and "gone" (ENOENT) as done. */
export function unmountIfMounted(target: string, flags = 0): void {
  const rc = sys.umount2(target, flags);
  if (rc < 0) {
    const errno = lastErrno();
    const err = errnoError('umount2', errno, target);
    if (err.code !== 'EINVAL' && err.code !== 'ENOENT') throw err;
  }
}

/** The mount points at or below `prefix`, from /proc/self/mountinfo, deepest first. */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points: string[] = [];
  for (const line of info.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    const point = unescapeMountPath(fields[4]!);
    if (point === prefix || point.startsWith(prefix.endsWith('/') ? prefix : prefix + '/')) points.push(point);
  }
  return points.sort((a, b) => b.length - a.length);
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
