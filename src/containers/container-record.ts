import type { Digest } from '../base/index.js';

/** Docker's container Config (the create request's top level, merged with the image's). */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Healthcheck?: unknown;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

/** A `--mount` entry as the API carries it. */
export interface MountRequest {
  Type: 'bind' | 'volume' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** The part of Docker's HostConfig strata acts on; unknown fields are kept as given. */
export interface HostConfig {
  Binds: string[] | null;
  NetworkMode: string;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  Mounts?: MountRequest[];
  Tmpfs?: Record<string, string>;
  ReadonlyRootfs: boolean;
  Init?: boolean | null;
  Memory: number;
  MemorySwap?: number;
  NanoCpus: number;
  CpuShares?: number;
  PidsLimit?: number | null;
  Privileged?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  ExtraHosts?: string[] | null;
  Dns?: string[] | null;
  Sysctls?: Record<string, string>;
  [key: string]: unknown;
}

/** A mount as it is resolved at create time and shown in `inspect` → Mounts. */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** Tmpfs options (`size=…,mode=…`), kept for the runtime. */
  TmpfsOptions?: string;
  /** Copy the image's content into a new, empty volume on first start (Docker's default). */
  CopyImageContent?: boolean;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Pid: number;
  ExitCode: number;
  Error: string;
  OOMKilled: boolean;
  StartedAt: string;
  FinishedAt: string;
}

/** What the store persists about one container (`containers/<id>/container.json`). */
export interface ContainerRecord {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  created: string;
  image: Digest;
  /** The process: the first argument and the rest, as Docker shows Path and Args. */
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  mounts: MountPoint[];
  /** The committed snapshot the writable layer stands on (the image's top plus init files). */
  parentSnapshot: string;
  state: ContainerState;
  restartCount: number;
  /** Set by an explicit stop, so `unless-stopped` and `always` know not to restart at daemon start. */
  manuallyStopped: boolean;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function freshState(): ContainerState {
  return { Status: 'created', Pid: 0, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME };
}

export function isRunningStatus(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}
