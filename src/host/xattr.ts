import { sys, check, errnoError, lastErrno } from './libc.js';

/** Extended attributes on the link itself (never followed), as layer archives need them. */
export function lsetxattr(path: string, name: string, value: Buffer): void {
  check(sys.lsetxattr(path, name, value, value.length, 0), 'lsetxattr', path);
}

/** The attribute's value, or undefined when the file does not have it. */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  for (let size = 256; ; size *= 4) {
    const buf = Buffer.alloc(size);
    const n = Number(sys.lgetxattr(path, name, buf, size));
    if (n >= 0) return buf.subarray(0, n);
    const err = errnoError('lgetxattr', lastErrno(), path);
    if (err.code === 'ENODATA' || err.code === 'ENOTSUP') return undefined;
    if (err.code !== 'ERANGE' || size > 1 << 20) throw err;
  }
}

export function llistxattr(path: string): string[] {
  for (let size = 1024; ; size *= 4) {
    const buf = Buffer.alloc(size);
    const n = Number(sys.llistxattr(path, buf, size));
    if (n >= 0) return buf.subarray(0, n).toString('utf8').split('\0').filter((s) => s.length > 0);
    const err = errnoError('llistxattr', lastErrno(), path);
    if (err.code === 'ENOTSUP') return [];
    if (err.code !== 'ERANGE' || size > 1 << 20) throw err;
  }
}

export function lremovexattr(path: string, name: string): void {
  check(sys.lremovexattr(path, name), 'lremovexattr', path);
}
