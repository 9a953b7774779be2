import { readFile, readdir } from 'node:fs/promises';
import { cpus, totalmem, release } from 'node:os';

export interface ProcessInfo {
  pid: number;
  argv: string[];
}

/** Every process whose argv matches, read from /proc (processes that vanish meanwhile are skipped). */
export async function findProcesses(match: (argv: string[]) => boolean): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let raw: string;
    try {
      raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const argv = raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
    if (argv.length > 0 && match(argv)) found.push({ pid, argv });
  }
  return found;
}

/** A field of /proc/<pid>/status or smaps_rollup in KiB, or undefined once the process is gone. */
async function procKib(pid: number, file: 'status' | 'smaps_rollup', field: string): Promise<number | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/${file}`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size (VmRSS) in KiB; shared libraries count in full for every process. */
export const rssKib = (pid: number): Promise<number | undefined> => procKib(pid, 'status', 'VmRSS');

/** Proportional set size in KiB: shared pages divided among their users, so sums over many processes are honest. */
export const pssKib = (pid: number): Promise<number | undefined> => procKib(pid, 'smaps_rollup', 'Pss');

export async function sumKib(pids: number[], read: (pid: number) => Promise<number | undefined>): Promise<number> {
  let total = 0;
  for (const pid of pids) total += (await read(pid)) ?? 0;
  return total;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The hard limit on open files, which dockerd's containers must not ask above (no CAP_SYS_RESOURCE here). */
export async function nofileHardLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8');
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!m || m[2] === 'unlimited') return 1_048_576;
  return Number(m[2]);
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  os: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  let os = 'unknown';
  try {
    os = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(await readFile('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch { /* not every system has it */ }
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    os,
  };
}
