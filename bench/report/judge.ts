import type { MetricResult, Verdict } from '../model.js';
import { ratio } from '../stats.js';

function medianOf(metric: MetricResult, engine: 'strata' | 'docker'): number | undefined {
  const r = metric.results[engine];
  return r?.status === 'measured' ? r.summary.median : undefined;
}

/** Fills in the strata/Docker ratio of medians and, where the issue set a target, whether strata meets it. */
export function judge(metric: MetricResult): MetricResult {
  const strata = medianOf(metric, 'strata');
  const docker = medianOf(metric, 'docker');
  const r = ratio(strata, docker);
  const out: MetricResult = { ...metric };
  if (r !== undefined) out.ratioToDocker = r;
  if (metric.target) {
    const value = metric.target.kind === 'vs-docker' ? r : strata;
    const verdict: Verdict = value === undefined ? 'not measured' : value <= metric.target.max ? 'met' : 'not met';
    out.verdict = verdict;
  }
  return out;
}
