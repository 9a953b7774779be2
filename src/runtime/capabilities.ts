import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../base/index.js';

/**
 * Docker's default capability set (moby oci/defaults.go) without CAP_NET_RAW, as Podman
 * ships it: raw sockets are rarely needed, and `ping` keeps working through the
 * unprivileged ICMP sockets that net.ipv4.ping_group_range opens to every group.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Capability names by number (linux/capability.h), to read the bits of /proc/self/status. */
const CAPABILITY_BY_NUMBER: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/**
 * `NET_RAW`, `cap_net_raw` and `CAP_NET_RAW` all name the same capability on Docker's
 * command line; the spec wants the last form. `ALL` passes through for the caller to expand.
 */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return upper;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!/^CAP_[A-Z_]+$/.test(full)) throw new InvalidArgumentError(`invalid capability name ${JSON.stringify(name)}`);
  return full;
}

/** Every capability name strata knows, in kernel order. */
export function knownCapabilities(): readonly string[] {
  return CAPABILITY_BY_NUMBER;
}

/** Capability names set in a hex mask as /proc/<pid>/status prints it (CapBnd, CapEff…). */
export function capabilitiesFromMask(hexMask: string): string[] {
  const mask = BigInt(`0x${hexMask.trim()}`);
  const names: string[] = [];
  CAPABILITY_BY_NUMBER.forEach((name, bit) => {
    if ((mask >> BigInt(bit)) & 1n) names.push(name);
  });
  return names;
}

/**
 * The daemon's own bounding set. runc cannot give a container a capability its parent lacks
 * (here, e.g., CAP_SYS_RESOURCE is missing), so the spec check compares against this.
 */
export async function hostBoundingCapabilities(statusPath = '/proc/self/status'): Promise<string[]> {
  const status = await readFile(statusPath, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('CapBnd:'));
  if (!line) return [...CAPABILITY_BY_NUMBER];
  return capabilitiesFromMask(line.slice('CapBnd:'.length));
}
