import { readFile, statfs, access, mkdir } from 'node:fs/promises';
import { hostname, release, machine, availableParallelism, totalmem } from 'node:os';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic, isNotFound } from '../base/index.js';
import type { SystemFacts } from '../api/routes/index.js';
import type { DaemonConfig, StorageDriver } from './config.js';

/** File system magic numbers (statfs f_type) as Docker names the backing file system. */
const FS_NAMES: Record<number, string> = {
  0xef53: 'extfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs', 0x6969: 'nfs', 0x65735546: 'fuse', 0xf2f52010: 'f2fs', 0x5346544e: 'ntfs',
};

/** What /info reports about the host and the set-up, gathered once at start-up. */
export async function gatherSystemFacts(config: DaemonConfig, driver: StorageDriver): Promise<SystemFacts> {
  const backing = await statfs(config.root).then((s) => FS_NAMES[Number(s.type)] ?? `unknown (0x${Number(s.type).toString(16)})`).catch(() => 'unknown');
  const osRelease = await readOsRelease();
  return {
    id: await engineId(config.root),
    name: hostname(),
    rootDir: config.root,
    driver,
    driverStatus: driver === 'overlay'
      ? [['Backing Filesystem', backing], ['Supports d_type', 'true']]
      : [['Backing Filesystem', backing]],
    kernelVersion: release(),
    operatingSystem: osRelease.PRETTY_NAME ?? 'Linux',
    osVersion: osRelease.VERSION_ID ?? '',
    architecture: machine(),
    ncpu: availableParallelism(),
    memTotal: totalmem(),
    cgroupDriver: 'cgroupfs',
    cgroupVersion: (await exists('/sys/fs/cgroup/cgroup.controllers')) ? '2' : '1',
    loggingDriver: 'json-file',
    runtimes: { runc: { path: 'runc' } },
    defaultRuntime: 'runc',
    securityOptions: ['name=seccomp,profile=builtin', ...((await exists('/sys/fs/cgroup/cgroup.controllers')) ? ['name=cgroupns'] : [])],
    debug: config.debug,
    labels: config.labels,
    liveRestore: true,
    warnings: driver === 'native' ? ['WARNING: the native storage driver copies layers; overlay is faster'] : [],
  };
}

/** A stable ID for this engine (Docker's `ID` in /info), kept in the store. */
async function engineId(root: string): Promise<string> {
  const path = join(root, 'engine-id');
  try {
    const id = (await readFile(path, 'utf8')).trim();
    if (id) return id;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const id = randomUUID();
  await mkdir(root, { recursive: true });
  await writeFileAtomic(path, `${id}\n`);
  return id;
}

async function readOsRelease(): Promise<Record<string, string>> {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const out: Record<string, string> = {};
      for (const line of (await readFile(path, 'utf8')).split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
      }
      return out;
    } catch { /* next */ }
  }
  return {};
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
