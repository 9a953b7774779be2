import type { DockerClient } from '../client.js';

export type EngineName = 'strata' | 'docker' | 'podman';

/** One container engine under test, started by the bench on private directories. */
export interface Engine {
  name: EngineName;
  /** Server version as the API reports it. */
  version: string;
  /** The docker CLI pointed at this engine. */
  client: DockerClient;
  /** Persistent store (what `du` measures). */
  dataRoot: string;
  execRoot: string;
  /** runc's state root for this engine's containers, when it runs them with runc. */
  runcRoot?: string;
  /** Milliseconds from spawning the daemon to its first answered /_ping. */
  startMs: number;
  /** What counts as "the daemon" in the RSS figures, e.g. "dockerd + containerd". */
  daemonDescription: string;
  /** What counts as "the monitor" of one container, e.g. "conmon". */
  monitorDescription: string;
  daemonPids(): Promise<number[]>;
  /** The per-container monitor processes of this engine (and of no other engine on the machine). */
  monitorPids(): Promise<number[]>;
}
