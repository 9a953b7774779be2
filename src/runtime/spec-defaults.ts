import { InvalidArgumentError } from '../base/index.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { OCI_RUNTIME_SPEC_VERSION, type RuntimeSpec } from './runtime-spec.js';

/** Docker's PATH for images that do not set one. */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The cgroup parent of every container unless `withCgroupsPath` says otherwise. */
export const DEFAULT_CGROUP_PARENT = '/strata';

/** What Docker shows as RLIMIT_NOFILE in a container; lowered to the daemon's hard limit. */
export const DEFAULT_NOFILE = 1048576;

/** Paths under /proc and /sys that leak host information or allow writes to the host kernel. */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** Container ids become directory, socket and runc names: no separators, no dots. */
export function checkContainerId(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id)) {
    throw new InvalidArgumentError(`invalid container id ${JSON.stringify(id)}: letters, digits, '-' and '_' only`);
  }
  return id;
}

export interface SpecInput {
  /** The container's id: the default hostname (first 12 characters) and cgroup leaf. */
  containerId: string;
  /** Absolute host path of the container's root file system, already mounted by the caller. */
  rootfs: string;
}

/**
 * The spec every container starts from, runc's and Docker's defaults: pid, mount, ipc, uts
 * and network namespaces; /proc, a tmpfs /dev with devpts, shm and mqueue; /sys and the
 * cgroup tree read-only; Docker's masked and read-only paths; every device denied in the
 * device cgroup (runc then allows its standard set: null, zero, full, tty, random, urandom,
 * console, ptmx, pts); Docker's capabilities without NET_RAW, with ping still working
 * through ping_group_range. The option functions and `buildSpec` complete it.
 */
export function defaultSpec(input: SpecInput): RuntimeSpec {
  const id = checkContainerId(input.containerId);
  if (!input.rootfs.startsWith('/')) throw new InvalidArgumentError(`container ${id}: rootfs must be an absolute path, got ${JSON.stringify(input.rootfs)}`);
  const caps = [...DEFAULT_CAPABILITIES];
  return {
    ociVersion: OCI_RUNTIME_SPEC_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [],
      env: [],
      cwd: '/',
      capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps], inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: DEFAULT_NOFILE, hard: DEFAULT_NOFILE }],
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: id.slice(0, 12),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    ],
    annotations: {},
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      cgroupsPath: `${DEFAULT_CGROUP_PARENT}/${id}`,
      sysctl: { 'net.ipv4.ping_group_range': '0 2147483647' },
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}
