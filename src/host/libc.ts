/**
 * The few Linux system calls Node does not expose (mount, umount2, mknod, the *xattr family,
 * openat2), bound through koffi, a maintained FFI library. Only this file touches FFI; the
 * rest of `host/` wraps it in small typed functions that throw Node-style errno errors.
 */
import koffi from 'koffi';
import { constants as osConstants } from 'node:os';

const libc = koffi.load('libc.so.6');

export const sys = {
  mount: libc.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  umount2: libc.func('int umount2(const char *target, int flags)'),
  mknod: libc.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
  lsetxattr: libc.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
  lgetxattr: libc.func('intptr_t lgetxattr(const char *path, const char *name, _Out_ void *value, size_t size)'),
  llistxattr: libc.func('intptr_t llistxattr(const char *path, _Out_ void *list, size_t size)'),
  lremovexattr: libc.func('int lremovexattr(const char *path, const char *name)'),
  syscall: libc.func('long syscall(long number, ...)'),
  close: libc.func('int close(int fd)'),
  chdir: libc.func('int chdir(const char *path)'),
  flock: libc.func('int flock(int fd, int operation)'),
  socket: libc.func('int socket(int domain, int type, int protocol)'),
  connect: libc.func('int connect(int fd, const void *addr, uint32_t addrlen)'),
  recv: libc.func('intptr_t recv(int fd, _Out_ void *buf, size_t len, int flags)'),
  getpagesize: libc.func('int getpagesize(void)'),
};

const errnoNames = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value as number, name]),
);

export function lastErrno(): number {
  return koffi.errno();
}

/** An error shaped like Node's own fs errors (`code`, `errno`, `syscall`, `path`). */
export function errnoError(syscall: string, errno: number, path?: string): NodeJS.ErrnoException {
  const code = errnoNames.get(errno) ?? `E${errno}`;
  const err = new Error(`${code}: ${syscall} failed${path ? ` on ${path}` : ''} (errno ${errno})`) as NodeJS.ErrnoException;
  err.code = code;
  err.errno = -errno;
  err.syscall = syscall;
  if (path) err.path = path;
  return err;
}

/** Runs a libc call returning -1 on error and turns the failure into a thrown errno error. */
export function check<T extends number | bigint>(result: T, syscall: string, path?: string): T {
  if (Number(result) < 0) throw errnoError(syscall, lastErrno(), path);
  return result;
}
