import type { Engine } from './engines/engine.js';
import type { Fixtures } from './fixtures.js';
import type { MetricSpec } from './model.js';
import type { BenchOptions } from './options.js';
import type { EngineSetup } from './engine-setup.js';

/** What a scenario gets for one engine. */
export interface ScenarioContext {
  engine: Engine;
  /** Images and capabilities of this engine, made or found out once. */
  setup: EngineSetup;
  fixtures: Fixtures;
  options: BenchOptions;
  /** 0-based repetition; -1 for the unrecorded warm-up. */
  rep: number;
  /** Whether a metric of this scenario is in the run (so costly set-up for unselected ones is skipped). */
  wants(metricId: string): boolean;
  /** Records one sample of a metric (ignored during the warm-up). */
  record(metricId: string, value: number): void;
  /** Marks one metric as not measurable on this engine, with why (the others still count). */
  skip(metricId: string, reason: string): void;
  note(text: string): void;
  log(line: string): void;
}

/**
 * One workload: a few steps whose timings or sizes are named metrics. The runner runs it for
 * every engine in turn, interleaved (A B A B …): `reps` times after one unrecorded warm-up, or
 * once. A scenario cleans up what it made (containers, images) itself, even when it fails.
 */
export interface Scenario {
  id: string;
  title: string;
  metrics: MetricSpec[];
  repeat: 'reps' | 'once';
  /** Whether the unrecorded first repetition is run (default yes). */
  warmUp?: boolean;
  /** An upper bound on --reps for scenarios too slow to repeat often. */
  maxReps?: number;
  /** Why this engine cannot run it (found by trying once), or undefined when it can. */
  probe?(ctx: ScenarioContext): Promise<{ kind: 'unsupported' | 'not-available-yet'; reason: string } | undefined>;
  run(ctx: ScenarioContext): Promise<void>;
}

/** Tracks the containers a scenario made, to force-remove them whatever happens. */
export class ContainerSet {
  readonly ids: string[] = [];

  constructor(private readonly ctx: ScenarioContext) {}

  add(id: string): string {
    this.ids.push(id);
    return id;
  }

  async removeAll(): Promise<void> {
    const ids = this.ids.splice(0);
    if (ids.length > 0) await this.ctx.engine.client.removeContainers(ids);
  }
}

/** Runs `body` with a ContainerSet that is emptied afterwards, even on failure. */
export async function withContainers<T>(ctx: ScenarioContext, body: (set: ContainerSet) => Promise<T>): Promise<T> {
  const set = new ContainerSet(ctx);
  try {
    return await body(set);
  } finally {
    await set.removeAll();
  }
}

/** `--network none`: Docker here has no bridge and strata has no bridge networking yet. */
export const NET = ['--network', 'none'];
