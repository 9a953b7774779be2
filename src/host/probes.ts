import { readFile } from 'node:fs/promises';

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

/** MemAvailable from /proc/meminfo in bytes: what the kernel can give without swapping. */
export async function memAvailableBytes(): Promise<number> {
  const text = await readFile('/proc/meminfo', 'utf8');
  const kib = /^MemAvailable:\s+(\d+) kB$/m.exec(text)?.[1];
  if (kib === undefined) throw new Error('/proc/meminfo has no MemAvailable line');
  return Number(kib) * 1024;
}
