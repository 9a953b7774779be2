import { openSync, closeSync, writeFileSync, readFileSync, ftruncateSync } from 'node:fs';
import { sys, lastErrno, errnoError } from './libc.js';

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11;

/** An exclusive advisory lock on a file, held until `release` or until the process dies. */
export interface FileLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes an exclusive flock(2) on `path` (created if missing) without waiting, and writes
 * `holder` into the file so whoever is refused can say who holds it. Returns undefined when
 * another open file description holds the lock; the kernel drops the lock when the holder
 * dies, so a crashed daemon never leaves a stale lock behind.
 */
export function tryLockFile(path: string, holder: string): FileLock | undefined {
  const fd = openSync(path, 'a+', 0o644);
  if (sys.flock(fd, LOCK_EX | LOCK_NB) !== 0) {
    const errno = lastErrno();
    closeSync(fd);
    if (errno === EWOULDBLOCK) return undefined;
    throw errnoError('flock', errno, path);
  }
  ftruncateSync(fd, 0);
  writeFileSync(fd, holder);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      closeSync(fd); // closing the last descriptor drops the flock
    },
  };
}

/** What the current holder wrote into a lock file ('' when unreadable). */
export function readLockHolder(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
