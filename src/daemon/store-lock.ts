import { join } from 'node:path';
import { FailedPreconditionError } from '../base/index.js';
import { tryLockFile, readLockHolder, type FileLock } from '../host/index.js';

export const LOCK_FILE = 'strata.lock';

/**
 * The daemon is the only writer of its store: it holds an exclusive lock on
 * `<root>/strata.lock` for as long as it runs (the kernel drops it if the daemon dies). A
 * second daemon on the same root is refused with the first one's pid.
 */
export function lockStore(root: string, execRoot: string): FileLock {
  const path = join(root, LOCK_FILE);
  const lock = tryLockFile(path, JSON.stringify({ pid: process.pid, root, execRoot }) + '\n');
  if (lock) return lock;
  let holder = '';
  try {
    const info = JSON.parse(readLockHolder(path)) as { pid?: number };
    if (info.pid) holder = ` (pid ${info.pid})`;
  } catch { /* the holder may be mid-write */ }
  throw new FailedPreconditionError(`another strata daemon${holder} is using the store at ${root}: stop it first, or give this one another --root`);
}
