/**
 * The parts of the OCI runtime spec (config.json, runtime-spec v1.0.2) that strata writes.
 * Plain outbound types: strata builds these and serialises them; it never parses a
 * config.json it did not write, except its own bundle's `process` for exec sessions.
 */

/** runc 1.1 implements runtime-spec 1.0.2-dev; writing that version keeps runc from warning. */
export const OCI_RUNTIME_SPEC_VERSION = '1.0.2-dev';

export interface RuntimeSpec {
  ociVersion: string;
  process: ProcessSpec;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: MountSpec[];
  annotations?: Record<string, string>;
  linux: LinuxSpec;
}

export interface ProcessSpec {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: UserSpec;
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: CapabilitiesSpec;
  rlimits?: RlimitSpec[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface UserSpec {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

export interface CapabilitiesSpec {
  bounding: string[];
  effective: string[];
  inheritable: string[];
  permitted: string[];
  ambient: string[];
}

export interface RlimitSpec {
  type: string; // RLIMIT_NOFILE …
  soft: number;
  hard: number;
}

export interface MountSpec {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface NamespaceSpec {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | (string & {});
  path?: string;
}

export interface LinuxSpec {
  namespaces: NamespaceSpec[];
  resources?: ResourcesSpec;
  cgroupsPath?: string;
  sysctl?: Record<string, string>;
  seccomp?: SeccompSpec;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
  devices?: unknown[];
}

export interface ResourcesSpec {
  devices?: Array<{ allow: boolean; type?: string; major?: number; minor?: number; access?: string }>;
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
}

export interface SeccompSpec {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: SeccompSyscallSpec[];
}

export interface SeccompSyscallSpec {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
}
