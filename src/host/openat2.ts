import { sys, check } from './libc.js';

const SYS_openat2 = 437; // x86_64 and aarch64 share this number
const AT_FDCWD = -100;
export const O_PATH = 0o10000000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;

/**
 * openat2(2) relative to `root`: with RESOLVE_IN_ROOT the kernel resolves `path` as if `root`
 * were `/`, so neither `..` nor a symlink (absolute or relative) can leave it, and it does so
 * atomically against concurrent renames — what `cp` into a running container needs.
 * Returns a file descriptor the caller must close.
 */
export function openInRoot(rootFd: number, path: string, flags: number, resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): number {
  const how = Buffer.alloc(24);
  how.writeBigUInt64LE(BigInt(flags | O_CLOEXEC), 0);
  how.writeBigUInt64LE(0n, 8);
  how.writeBigUInt64LE(BigInt(resolve), 16);
  const fd = sys.syscall(SYS_openat2, 'int', rootFd, 'str', path, 'void *', how, 'size_t', 24);
  return Number(check(fd, 'openat2', path));
}

/** Opens a directory as an O_PATH handle, usable as the root of openInRoot. */
export function openDirPath(path: string): number {
  const how = Buffer.alloc(24);
  how.writeBigUInt64LE(BigInt(O_PATH | O_DIRECTORY | O_CLOEXEC), 0);
  const fd = sys.syscall(SYS_openat2, 'int', AT_FDCWD, 'str', path, 'void *', how, 'size_t', 24);
  return Number(check(fd, 'openat2', path));
}

export function closeFd(fd: number): void {
  sys.close(fd);
}

/**
 * The host path of `path` inside `root`, resolved by the kernel with RESOLVE_IN_ROOT and
 * read back through /proc/self/fd. The result contains no symlinks and lies inside `root`.
 * The final component must exist.
 */
import { readlinkSync } from 'node:fs';
export function realpathInRoot(root: string, path: string): string {
  const rootFd = openDirPath(root);
  try {
    const fd = openInRoot(rootFd, path, O_PATH);
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } finally {
      closeFd(fd);
    }
  } finally {
    closeFd(rootFd);
  }
}
