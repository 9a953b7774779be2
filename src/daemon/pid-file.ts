import { readFile, writeFile, rm } from 'node:fs/promises';
import { FailedPreconditionError, isNotFound } from '../base/index.js';

/**
 * The daemon's pid file in the exec root. One left by a daemon that is still running (and is
 * a strata daemon, not a recycled pid) means another daemon uses this exec root — and so its
 * sockets — and start-up stops there.
 */
export async function writePidFile(path: string): Promise<void> {
  let previous: number | undefined;
  try {
    previous = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (previous && previous !== process.pid && (await isStrataDaemon(previous))) {
    throw new FailedPreconditionError(`pid file found, ensure strata is not running or delete ${path}: another strata daemon (pid ${previous}) is running`);
  }
  await writeFile(path, `${process.pid}\n`, { mode: 0o644 });
}

export async function removePidFile(path: string): Promise<void> {
  try {
    if (Number.parseInt((await readFile(path, 'utf8')).trim(), 10) === process.pid) await rm(path, { force: true });
  } catch { /* already gone */ }
}

async function isStrataDaemon(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return cmdline.some((arg) => /stratad|daemon\/main\.js/.test(arg)) || (cmdline.some((a) => a.endsWith('strata')) && cmdline.includes('daemon'));
  } catch {
    return false;
  }
}
