import type { Engine, EngineName } from './engines/engine.js';
import type { EngineSetup } from './engine-setup.js';
import type { Fixtures } from './fixtures.js';
import type { EngineResult, MetricResult, MetricSpec, SkipKind } from './model.js';
import { isSelected, type BenchOptions } from './options.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { median, ratio, summarize } from './stats.js';

export interface EngineUnderTest {
  engine: Engine;
  setup: EngineSetup;
}

interface EngineState {
  samples: Map<string, number[]>;
  skips: Map<string, { kind: SkipKind; reason: string }>;
  /** Set when the engine could not run the scenario: every metric of it is skipped with this. */
  failure?: { kind: SkipKind; reason: string };
}

/**
 * Runs the scenarios for every engine, interleaved: for each repetition, each engine in turn
 * (A B A B …), so slow drifts of the machine (page cache, other load) touch all engines alike.
 * A scenario that fails for one engine is recorded as skipped with the error for that engine
 * and the run goes on.
 */
export class Runner {
  readonly metrics: MetricResult[] = [];
  private readonly notes = new Map<string, number>();

  constructor(
    private readonly engines: EngineUnderTest[],
    private readonly fixtures: Fixtures,
    private readonly options: BenchOptions,
    private readonly log: (line: string) => void,
    /** True once the run is being interrupted: no further step starts. */
    private readonly aborted: () => boolean = () => false,
  ) {}

  /** The metrics of a scenario this run reports, plus those its derived metrics are computed from. */
  selectedMetrics(scenario: Scenario): MetricSpec[] {
    const chosen = scenario.metrics.filter((m) => !(this.options.quick && m.fullOnly) && isSelected(m.id, this.options.only));
    const ids = new Set(chosen.map((m) => m.id));
    for (const m of chosen) if (m.derived) { ids.add(m.derived.numerator); ids.add(m.derived.denominator); }
    return scenario.metrics.filter((m) => ids.has(m.id));
  }

  async run(scenario: Scenario): Promise<void> {
    const metrics = this.selectedMetrics(scenario);
    if (metrics.length === 0) return;
    const wanted = new Set(metrics.map((m) => m.id));
    const states = new Map<EngineName, EngineState>();
    for (const { engine } of this.engines) states.set(engine.name, { samples: new Map(), skips: new Map() });
    const started = Date.now();

    const context = (e: EngineUnderTest, rep: number): ScenarioContext => {
      const state = states.get(e.engine.name)!;
      return {
        engine: e.engine, setup: e.setup, fixtures: this.fixtures, options: this.options, rep,
        wants: (id) => wanted.has(id),
        record: (id, value) => {
          if (rep < 0 || !wanted.has(id)) return;
          if (!Number.isFinite(value)) throw new Error(`${id}: not a number (${value})`);
          const list = state.samples.get(id) ?? [];
          list.push(value);
          state.samples.set(id, list);
        },
        skip: (id, reason) => { state.skips.set(id, { kind: 'unsupported', reason }); },
        note: (text) => { const key = `${e.engine.name}: ${text}`; this.notes.set(key, (this.notes.get(key) ?? 0) + 1); },
        log: this.log,
      };
    };

    for (const e of this.engines) {
      if (!scenario.probe) continue;
      try {
        const cannot = await scenario.probe(context(e, -1));
        if (cannot) states.get(e.engine.name)!.failure = cannot;
      } catch (err) {
        states.get(e.engine.name)!.failure = { kind: 'error', reason: `probe failed: ${(err as Error).message}` };
      }
    }
    const repCount = Math.min(this.options.reps, scenario.maxReps ?? Infinity);
    const measured = Array.from({ length: repCount }, (_, i) => i);
    const reps = scenario.repeat === 'once' ? [0] : scenario.warmUp === false ? measured : [-1, ...measured];
    for (const rep of reps) {
      for (const e of this.engines) {
        const state = states.get(e.engine.name)!;
        if (state.failure) continue;
        if (this.aborted()) throw new Error('interrupted');
        const which = scenario.repeat === 'once' ? 'once' : rep < 0 ? 'warm-up' : `rep ${rep + 1}/${repCount}`;
        this.log(`[${scenario.id}] ${which} ${e.engine.name}`);
        try {
          await scenario.run(context(e, rep));
        } catch (err) {
          state.failure = { kind: 'error', reason: `failed: ${(err as Error).message}` };
          this.log(`[${scenario.id}] ${e.engine.name}: ${state.failure.reason}`);
        }
      }
    }

    for (const spec of metrics) {
      const results: MetricResult['results'] = {};
      for (const { engine } of this.engines) results[engine.name] = this.resultFor(spec, states.get(engine.name)!);
      this.metrics.push({ id: spec.id, title: spec.title, unit: spec.unit, scenario: scenario.id, results, ...(spec.target ? { target: spec.target } : {}) });
    }
    this.log(`[${scenario.id}] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  private resultFor(spec: MetricSpec, state: EngineState): EngineResult {
    if (state.failure) return { status: 'skipped', ...state.failure };
    const skip = state.skips.get(spec.id);
    if (skip) return { status: 'skipped', ...skip };
    if (spec.derived) {
      const num = state.samples.get(spec.derived.numerator);
      const den = state.samples.get(spec.derived.denominator);
      const value = ratio(num && median(num), den && median(den));
      if (value === undefined) return { status: 'skipped', kind: 'error', reason: `needs ${spec.derived.numerator} and ${spec.derived.denominator}` };
      return { status: 'measured', samples: [value], summary: summarize([value]) };
    }
    const samples = state.samples.get(spec.id);
    if (!samples || samples.length === 0) return { status: 'skipped', kind: 'error', reason: 'the scenario recorded no sample for it' };
    return { status: 'measured', samples, summary: summarize(samples) };
  }

  /** Observations, once each, with how often they were made. */
  collectedNotes(): string[] {
    return [...this.notes].map(([text, count]) => (count > 1 ? `${text} (${count} times)` : text));
  }
}
