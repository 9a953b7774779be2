import { posix } from 'node:path';
import { InvalidArgumentError } from '../base/index.js';
import { knownCapabilities, normalizeCapability } from './capabilities.js';
import { rlimitType } from './rlimits.js';
import type { MountSpec, RlimitSpec, RuntimeSpec } from './runtime-spec.js';
import type { SeccompProfile } from './seccomp-profile.js';
import { normalizeSignal } from './signals.js';
import { resolveUser } from './user-lookup.js';

/** Where the seccomp section comes from; resolved by buildSpec once the capabilities are final. */
export type SeccompChoice =
  | { kind: 'default'; path?: string }
  | { kind: 'unconfined' }
  | { kind: 'profile'; profile: SeccompProfile };

/**
 * What option functions know beyond the spec itself, and what they leave for buildSpec to
 * finish once every option has run (seccomp depends on the final capabilities, --init on the
 * final args).
 */
export interface SpecContext {
  readonly containerId: string;
  readonly rootfs: string;
  seccomp: SeccompChoice;
  /** Host path of the init binary to bind-mount and put in front of the args (--init). */
  initPath?: string;
  /** Destinations of the /etc files the caller provides: read-only with a read-only rootfs. */
  readonly etcFiles: Set<string>;
}

/** One `docker run` flag's effect on the spec. */
export type SpecOption = (spec: RuntimeSpec, ctx: SpecContext) => void | Promise<void>;

/** Annotation that carries the container's stop signal, as the OCI image config names it. */
export const STOP_SIGNAL_ANNOTATION = 'org.opencontainers.image.stopSignal';

/** Where --init's binary appears inside the container, as with Docker. */
export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';

/** The tini Debian ships statically linked, so it runs in any rootfs. */
export const DEFAULT_INIT_BINARY = '/usr/bin/tini-static';

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * Docker's env merge: a later `KEY=value` replaces an earlier KEY in place; a bare `KEY`
 * removes it (the CLI sends bare names it could not resolve on the client).
 */
export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const entry of overrides) {
    const key = envKey(entry);
    if (key === '') throw new InvalidArgumentError(`invalid environment variable ${JSON.stringify(entry)}`);
    const at = out.findIndex((e) => envKey(e) === key);
    if (!entry.includes('=')) {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = entry;
    } else {
      out.push(entry);
    }
  }
  return out;
}

function absolute(path: string, what: string): string {
  if (!path.startsWith('/')) throw new InvalidArgumentError(`${what} ${JSON.stringify(path)} must be an absolute path`);
  return posix.normalize(path);
}

/** Adds a mount, replacing any mount already at the same destination (user mounts win). */
function putMount(spec: RuntimeSpec, mount: MountSpec): void {
  const at = spec.mounts.findIndex((m) => posix.normalize(m.destination) === mount.destination);
  if (at >= 0) spec.mounts.splice(at, 1);
  spec.mounts.push(mount);
}

export const withArgs = (args: readonly string[]): SpecOption => (spec) => {
  spec.process.args = [...args];
};

export const withEnv = (env: readonly string[]): SpecOption => (spec) => {
  spec.process.env = mergeEnv(spec.process.env, env);
};

export const withCwd = (cwd: string): SpecOption => (spec) => {
  if (cwd === '') return;
  spec.process.cwd = absolute(cwd, 'the working directory');
};

/**
 * `--user` and `--group-add`, resolved against the rootfs's own /etc/passwd and /etc/group
 * (read without leaving the rootfs), with Docker's errors for unknown names. Use it even for
 * an empty user: root's memberships in /etc/group become its supplementary groups. HOME is
 * left to runc, which sets it from the container's passwd when the env has none.
 */
export const withUser = (user: string, groupAdd: readonly string[] = []): SpecOption => async (spec, ctx) => {
  const resolved = await resolveUser(ctx.rootfs, user, groupAdd);
  spec.process.user = { uid: resolved.uid, gid: resolved.gid };
  if (resolved.additionalGids.length > 0) spec.process.user.additionalGids = resolved.additionalGids;
};

export const withHostname = (hostname: string): SpecOption => (spec) => {
  if (hostname === '') return;
  if (hostname.length > 64 || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(hostname)) {
    throw new InvalidArgumentError(`invalid hostname ${JSON.stringify(hostname)}`);
  }
  spec.hostname = hostname;
};

export const withTerminal = (terminal: boolean): SpecOption => (spec) => {
  spec.process.terminal = terminal;
};

export const withReadonlyRootfs = (readonly: boolean): SpecOption => (spec) => {
  spec.root.readonly = readonly;
};

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

export interface BindMountRequest {
  source: string;
  destination: string;
  readonly?: boolean;
  /** Default rprivate, as Docker. shared/slave also make the rootfs rshared/rslave. */
  propagation?: Propagation;
  /** Default true (rbind): mounts below the source come along. */
  recursive?: boolean;
}

export const withBindMount = (req: BindMountRequest): SpecOption => (spec) => {
  const source = absolute(req.source, 'bind mount source');
  const destination = absolute(req.destination, 'bind mount destination');
  const propagation = req.propagation ?? 'rprivate';
  const options = [req.recursive === false ? 'bind' : 'rbind', propagation];
  if (req.readonly) options.push('ro');
  putMount(spec, { destination, type: 'bind', source, options });
  // A shared or slave mount only propagates if the rootfs mount above it does too.
  if (propagation.endsWith('shared')) spec.linux.rootfsPropagation = 'rshared';
  else if (propagation.endsWith('slave') && spec.linux.rootfsPropagation !== 'rshared') spec.linux.rootfsPropagation = 'rslave';
};

/** `--tmpfs /run:size=64m,exec`: Docker's noexec,nosuid,nodev unless the options say otherwise. */
export const withTmpfs = (destination: string, options: readonly string[] = []): SpecOption => (spec) => {
  const dest = absolute(destination, 'tmpfs destination');
  const opposite: Record<string, string> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev' };
  const defaults = ['nosuid', 'nodev', 'noexec'].filter((d) => !options.some((o) => opposite[o] === d));
  putMount(spec, { destination: dest, type: 'tmpfs', source: 'tmpfs', options: [...defaults, ...options.filter((o) => !(o in opposite))] });
};

export interface EtcFiles {
  hosts?: string;
  hostname?: string;
  resolvConf?: string;
}

/** Host files the caller wrote (network setup) bound over /etc/hosts, /etc/hostname, /etc/resolv.conf. */
export const withEtcFiles = (files: EtcFiles): SpecOption => (spec, ctx) => {
  const pairs: Array<[string | undefined, string]> = [[files.hosts, '/etc/hosts'], [files.hostname, '/etc/hostname'], [files.resolvConf, '/etc/resolv.conf']];
  for (const [source, destination] of pairs) {
    if (source === undefined) continue;
    putMount(spec, { destination, type: 'bind', source: absolute(source, `${destination} source`), options: ['rbind', 'rprivate'] });
    ctx.etcFiles.add(destination);
  }
};

/** `none`: a network namespace of its own with only lo; `host`: the host's; `{ netnsPath }`: join one (a CNI-prepared namespace). */
export type NetworkMode = 'none' | 'host' | { netnsPath: string };

export const withNetwork = (mode: NetworkMode): SpecOption => (spec) => {
  spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
  if (mode === 'host') return;
  if (mode === 'none') spec.linux.namespaces.push({ type: 'network' });
  else spec.linux.namespaces.push({ type: 'network', path: absolute(mode.netnsPath, 'network namespace path') });
};

export interface MemoryLimits {
  /** Bytes; Docker's minimum is 6 MiB. */
  limit?: number;
  /** Memory plus swap in bytes; -1 for unlimited swap. Needs swap accounting on cgroup v1. */
  swap?: number;
  reservation?: number;
}

export const withMemory = (memory: MemoryLimits): SpecOption => (spec) => {
  const MIN = 6 * 1024 * 1024;
  if (memory.limit !== undefined && memory.limit > 0 && memory.limit < MIN) {
    throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  }
  if (memory.swap !== undefined && memory.swap > 0 && memory.limit !== undefined && memory.swap < memory.limit) {
    throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  const resources = (spec.linux.resources ??= {});
  const out = (resources.memory ??= {});
  if (memory.limit !== undefined && memory.limit > 0) out.limit = memory.limit;
  if (memory.swap !== undefined && memory.swap !== 0) out.swap = memory.swap;
  if (memory.reservation !== undefined && memory.reservation > 0) out.reservation = memory.reservation;
};

/** `--cpus 1.5`: a CFS quota of 1.5 periods per period (100 ms, as Docker). */
export const withCpus = (cpus: number, period = 100_000): SpecOption => (spec) => {
  if (!(cpus > 0)) throw new InvalidArgumentError(`invalid --cpus ${cpus}: must be positive`);
  const resources = (spec.linux.resources ??= {});
  resources.cpu = { ...resources.cpu, period, quota: Math.round(cpus * period) };
};

export const withCpuShares = (shares: number): SpecOption => (spec) => {
  if (shares <= 0) return;
  const resources = (spec.linux.resources ??= {});
  resources.cpu = { ...resources.cpu, shares };
};

/** `--pids-limit`: 0 or negative means unlimited, as Docker. */
export const withPidsLimit = (limit: number): SpecOption => (spec) => {
  const resources = (spec.linux.resources ??= {});
  if (limit > 0) resources.pids = { limit };
  else delete resources.pids;
};

export const withCgroupsPath = (path: string): SpecOption => (spec) => {
  spec.linux.cgroupsPath = absolute(path, 'cgroups path');
};

/** `--init`: tini bind-mounted read-only as /sbin/docker-init, reaping zombies and forwarding signals. */
export const withInit = (initBinary: string = DEFAULT_INIT_BINARY): SpecOption => (_spec, ctx) => {
  ctx.initPath = absolute(initBinary, 'init binary');
};

export const withAnnotations = (annotations: Readonly<Record<string, string>>): SpecOption => (spec) => {
  spec.annotations = { ...spec.annotations, ...annotations };
};

/** Container labels travel as annotations, where runc hooks and `runc state` can see them. */
export const withLabels = (labels: Readonly<Record<string, string>>): SpecOption => withAnnotations(labels);

/** Records the stop signal (`SIGTERM`, `9`, `KILL` …) normalised to its name. */
export const withStopSignal = (signal: string | number): SpecOption => (spec) => {
  spec.annotations = { ...spec.annotations, [STOP_SIGNAL_ANNOTATION]: normalizeSignal(signal).name };
};

export const withNoNewPrivileges = (enabled = true): SpecOption => (spec) => {
  spec.process.noNewPrivileges = enabled;
};

/** `--ulimit nofile=1024:2048`: replaces limits of the same type; capped by buildSpec. */
export const withRlimits = (rlimits: readonly RlimitSpec[]): SpecOption => (spec) => {
  const byType = new Map((spec.process.rlimits ?? []).map((r) => [r.type, r]));
  for (const r of rlimits) byType.set(rlimitType(r.type), { type: rlimitType(r.type), soft: r.soft, hard: r.hard });
  spec.process.rlimits = [...byType.values()];
};

/** `--cap-add` / `--cap-drop` with Docker's rules: drop ALL empties the set before the adds. */
export const withCapabilities = (change: { add?: readonly string[]; drop?: readonly string[] }): SpecOption => (spec) => {
  const add = (change.add ?? []).map(normalizeCapability);
  const drop = (change.drop ?? []).map(normalizeCapability);
  const current = spec.process.capabilities?.bounding ?? [];
  let caps = drop.includes('ALL') ? [] : current.filter((c) => !drop.includes(c));
  for (const c of add.includes('ALL') ? knownCapabilities() : add) if (!caps.includes(c)) caps.push(c);
  if (add.includes('ALL')) caps = caps.filter((c) => !drop.includes(c));
  spec.process.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps], inheritable: [], ambient: [] };
};

export const withSysctls = (sysctls: Readonly<Record<string, string>>): SpecOption => (spec) => {
  spec.linux.sysctl = { ...spec.linux.sysctl, ...sysctls };
};

/** `--security-opt seccomp=unconfined` or a profile of one's own; the default is containers-common's. */
export const withSeccomp = (choice: SeccompChoice): SpecOption => (_spec, ctx) => {
  ctx.seccomp = choice;
};

/** Stamps the console size a tty container starts with (before the first resize). */
export const withConsoleSize = (height: number, width: number): SpecOption => (spec) => {
  if (height > 0 && width > 0) spec.process.consoleSize = { height, width };
};
