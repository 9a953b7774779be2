import { readFile } from 'node:fs/promises';
import { sys } from './libc.js';

/** True when the running kernel knows the file system type (from /proc/filesystems). */
export async function kernelHasFilesystem(name: string): Promise<boolean> {
  try {
    const text = await readFile('/proc/filesystems', 'utf8');
    return text.split('\n').some((line) => line.trim().split(/\s+/).pop() === name);
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The kernel's page size in bytes (4 KiB on x86, up to 64 KiB on some arm64 and ppc64). */
export function pageSizeBytes(): number {
  return sys.getpagesize();
}

/**
 * Bytes of memory this process could still use without swapping: MemAvailable from
 * /proc/meminfo, less when the memory cgroup the process is in (v1 or v2) has a limit closer.
 */
export async function memoryHeadroomBytes(): Promise<number> {
  const meminfo = await readFile('/proc/meminfo', 'utf8');
  const kib = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo)?.[1];
  if (kib === undefined) throw new Error('/proc/meminfo has no MemAvailable line');
  const available = Number(kib) * 1024;
  const cgroup = await cgroupMemoryLeft().catch(() => undefined);
  return cgroup === undefined ? available : Math.min(available, cgroup);
}

/** limit − usage of this process's memory cgroup, or undefined when it has no limit. */
async function cgroupMemoryLeft(): Promise<number | undefined> {
  const lines = (await readFile('/proc/self/cgroup', 'utf8')).split('\n');
  const v1 = lines.map((l) => l.split(':')).find((f) => f.length >= 3 && f[1]!.split(',').includes('memory'));
  const [dir, limitFile, usageFile] = v1
    ? [`/sys/fs/cgroup/memory${v1[2]}`, 'memory.limit_in_bytes', 'memory.usage_in_bytes']
    : [`/sys/fs/cgroup${lines.find((l) => l.startsWith('0::'))?.slice(3) ?? '/'}`, 'memory.max', 'memory.current'];
  const limitText = (await readFile(`${dir}/${limitFile}`, 'utf8')).trim();
  // "max" (v2) or a number near 2^63 (v1): no limit.
  if (limitText === 'max' || Number(limitText) >= 2 ** 62) return undefined;
  const usage = Number((await readFile(`${dir}/${usageFile}`, 'utf8')).trim());
  return Math.max(0, Number(limitText) - usage);
}
