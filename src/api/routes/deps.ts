import type { ImageService } from '../../images/index.js';
import type { ContainerService, ExecService } from '../../containers/index.js';
import type { VolumeService } from '../../volumes/index.js';
import type { ImageBuilder } from '../../builder/index.js';
import type { ExecutionConfig } from '../../oci/index.js';
import type { EventBus } from '../server/index.js';

/** Facts about the host and the daemon's set-up, gathered once at start-up by the daemon. */
export interface SystemFacts {
  id: string;
  name: string;
  rootDir: string;
  driver: string;
  driverStatus: [string, string][];
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  cgroupDriver: string;
  cgroupVersion: string;
  loggingDriver: string;
  runtimes: Record<string, { path: string }>;
  defaultRuntime: string;
  securityOptions: string[];
  debug: boolean;
  labels: string[];
  liveRestore: boolean;
  warnings: string[];
}

export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

/**
 * What the route modules use, handed over by the daemon (the composition root). Later
 * modules add their services here as optional members, so the routes of what exists keep
 * working while the rest is wired in.
 */
export interface ApiDeps {
  images: ImageService;
  containers?: ContainerService;
  execs?: ExecService;
  volumes?: VolumeService;
  builder?: ImageBuilder;
  events: EventBus;
  system: SystemFacts;
  engineVersion: string;
  /** Container totals for /info and /system/df; absent until containers exist. */
  containerCounts?: () => ContainerCounts;
  /** How many containers use an image (df "CONTAINERS"); absent until containers exist. */
  containersUsingImage?: (imageId: string) => number;
  /**
   * Applies `--change` Dockerfile instructions (import, commit) to a config. Provided by the
   * builder's parser once it is wired in; until then requests with changes are refused.
   */
  applyChanges?: (changes: string[], config: ExecutionConfig) => Promise<ExecutionConfig>;
}
