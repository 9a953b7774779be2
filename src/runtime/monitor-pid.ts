import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNotFound } from '../base/index.js';

/** The pid in a pid file, or undefined when the file is absent or not a pid. */
export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * True when `pid` is a live (not zombie) process named `comm`. Checking the name keeps a
 * recycled pid from passing for a conmon that died while the daemon was down.
 */
export async function isLiveProcess(pid: number, comm: string): Promise<boolean> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // /proc/<pid>/stat: "pid (comm) state …"; comm may itself contain ") ".
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return false;
  const name = stat.slice(open + 1, close);
  const state = stat.slice(close + 2, close + 3);
  return name === comm && state !== 'Z' && state !== 'X';
}

/**
 * Waits (bounded) for a process that is not our child to go away, e.g. conmon after the
 * runtime killed its container; true when it did. Used only while deleting a container, so a
 * short sleep loop costs nothing on the hot path; exits themselves are seen via the exit dir.
 */
export async function waitProcessGone(pid: number, comm: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isLiveProcess(pid, comm)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** SIGKILL `pid` if it is still the live process named `comm`. */
export async function killIfLive(pid: number, comm: string): Promise<void> {
  if (!(await isLiveProcess(pid, comm))) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch { /* already gone */ }
}
