import { sys, check } from './libc.js';

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** glibc's makedev(): the 64-bit dev_t layout Linux uses. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

export function major(dev: number | bigint): number {
  const d = BigInt(dev);
  return Number(((d >> 32n) & 0xfffff000n) | ((d >> 8n) & 0xfffn));
}

export function minor(dev: number | bigint): number {
  const d = BigInt(dev);
  return Number(((d >> 12n) & 0xffffff00n) | (d & 0xffn));
}

/** mknod(2): character and block devices, FIFOs. `mode` includes the S_IF* type bits. */
export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  check(sys.mknod(path, mode, makedev(major, minor)), 'mknod', path);
}

/** An overlayfs whiteout: a 0/0 character device. */
export function mkWhiteout(path: string): void {
  mknod(path, S_IFCHR | 0o000, 0, 0);
}
