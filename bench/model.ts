import type { EngineName } from './engines/engine.js';
import type { Summary } from './stats.js';

export type Unit = 'ms' | 's' | 'KiB' | 'MiB' | '×';

/**
 * A goal from the issue, checked against strata's figures: either relative to Docker's median
 * (strata/Docker ratio at most `max`) or an absolute bound on strata's median in the metric's unit.
 */
export type Target =
  | { kind: 'vs-docker'; max: number; text: string }
  | { kind: 'absolute'; max: number; text: string };

export interface MetricSpec {
  id: string;
  title: string;
  unit: Unit;
  target?: Target;
  /** Left out of --quick runs. */
  fullOnly?: boolean;
  /** Computed per engine from two other metrics' medians instead of being measured. */
  derived?: { numerator: string; denominator: string };
}

export type SkipKind = 'unsupported' | 'error' | 'not-available-yet';

export type EngineResult =
  | { status: 'measured'; samples: number[]; summary: Summary }
  | { status: 'skipped'; kind: SkipKind; reason: string };

export type Verdict = 'met' | 'not met' | 'not measured';

export interface MetricResult {
  id: string;
  title: string;
  unit: Unit;
  scenario: string;
  results: Partial<Record<EngineName, EngineResult>>;
  /** strata's median over Docker's, when both were measured. */
  ratioToDocker?: number;
  target?: Target;
  verdict?: Verdict;
}

export interface EngineDescription {
  name: EngineName;
  version: string;
  daemon: string;
  monitor: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  options: { quick: boolean; reps: number; scaleCounts: number[]; only: string[]; engines: EngineName[] };
  machine: { nproc: number; cpuModel: string; memoryGiB: number; kernel: string; node: string; os: string; dockerCli: string };
  engines: EngineDescription[];
  /** Engines asked for that could not run at all, with why (e.g. docker.io not installed). */
  missingEngines: { name: EngineName; reason: string }[];
  metrics: MetricResult[];
  /** Observations made while measuring (e.g. which way the seed image was made). */
  notes: string[];
}
