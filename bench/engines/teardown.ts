import { readFile } from 'node:fs/promises';
import { runCommand } from '../process.js';
import { findProcesses, isAlive } from '../proc-info.js';
import { sleep } from '../process.js';

/** Mount points at or under `dir`, deepest first (so children are unmounted before parents). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text.split('\n').map((line) => line.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Lazily unmounts whatever an engine left mounted under its directory. */
export async function unmountAllUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) {
    await runCommand(['umount', '-l', point], { timeoutMs: 30_000 });
  }
}

/**
 * Kills, by PID, the processes an engine left behind (monitors and their containers' processes)
 * whose command line names one of its private directories; waits until they are gone.
 */
export async function killLeftovers(dirs: string[]): Promise<number[]> {
  const self = process.pid;
  const leftovers = await findProcesses((argv) => dirs.some((d) => argv.some((a) => a.includes(d + '/') || a === d)));
  const pids = leftovers.map((p) => p.pid).filter((pid) => pid !== self);
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  return pids;
}

/** Force-deletes the runc containers still recorded under a runc state root. */
export async function deleteRuncContainers(runcRoot: string): Promise<void> {
  const list = await runCommand(['runc', '--root', runcRoot, 'list', '-q'], { timeoutMs: 30_000 }).catch(() => undefined);
  if (!list || list.code !== 0) return;
  for (const id of list.stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
    await runCommand(['runc', '--root', runcRoot, 'delete', '-f', id], { timeoutMs: 30_000 });
  }
}
