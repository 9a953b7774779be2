import test from 'node:test';
import assert from 'node:assert/strict';
import { headAndTail, median, ratio, summarize } from './stats.js';
import { judge } from './report/judge.js';
import { renderMarkdown } from './report/markdown.js';
import { renderRatioChart } from './report/svg-chart.js';
import { isSelected } from './options.js';
import type { BenchReport, MetricResult } from './model.js';

test('stats: median, summary, ratio of nothing, head and tail', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.deepEqual(summarize([5, 1, 3]), { median: 3, min: 1, max: 5, n: 3 });
  assert.equal(ratio(1, 0), undefined);
  assert.equal(ratio(undefined, 2), undefined);
  assert.equal(ratio(1, 4), 0.25);
  assert.deepEqual(headAndTail([1, 2, 3, 10, 20, 30], 2), { head: 1.5, tail: 25 });
});

test('--only selects ids and dotted prefixes, not partial words', () => {
  assert.ok(isSelected('scale.50.ps', ['scale']));
  assert.ok(isSelected('scale.50.ps', ['scale.50']));
  assert.ok(!isSelected('scale.500.ps', ['scale.50']));
  assert.ok(isSelected('latency.run-d', ['latency.run-d']));
  assert.ok(!isSelected('latency.run-d', ['lat']));
  assert.ok(isSelected('anything', []));
});

const measured = (samples: number[]) => ({ status: 'measured' as const, samples, summary: summarize(samples) });

function metric(partial: Partial<MetricResult>): MetricResult {
  return { id: 'x', title: 'x', unit: 'ms', scenario: 's', results: {}, ...partial };
}

test('judge: ratio of medians and verdicts for both kinds of target', () => {
  const vsDocker = judge(metric({ target: { kind: 'vs-docker', max: 0.6, text: '' }, results: { strata: measured([50, 60, 70]), docker: measured([100, 100, 100]) } }));
  assert.equal(vsDocker.ratioToDocker, 0.6);
  assert.equal(vsDocker.verdict, 'met');
  const absolute = judge(metric({ unit: 'MiB', target: { kind: 'absolute', max: 80, text: '' }, results: { strata: measured([81]) } }));
  assert.equal(absolute.verdict, 'not met');
  const skipped = judge(metric({ target: { kind: 'vs-docker', max: 0.5, text: '' }, results: { strata: { status: 'skipped', kind: 'unsupported', reason: 'no build' }, docker: measured([1]) } }));
  assert.equal(skipped.verdict, 'not measured');
  assert.equal(skipped.ratioToDocker, undefined);
});

test('markdown and SVG: every metric is a row, skip reasons become footnotes, the SVG is well formed', () => {
  const report: BenchReport = {
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z', durationS: 60, command: 'npm run bench',
    options: { quick: true, reps: 3, scaleCounts: [10], only: [], engines: ['strata', 'docker'] },
    machine: { nproc: 2, cpuModel: 'cpu', memoryGiB: 4, kernel: '6.1', node: 'v20', os: 'Debian', dockerCli: '28' },
    engines: [{ name: 'strata', version: '0.1', daemon: 'stratad', monitor: 'conmon' }, { name: 'docker', version: '20.10', daemon: 'dockerd', monitor: 'shim' }],
    missingEngines: [],
    metrics: [
      judge(metric({ id: 'a', title: 'run <fast> | slow', results: { strata: measured([10, 12]), docker: measured([20, 22]) } })),
      judge(metric({ id: 'b', title: 'build', results: { strata: { status: 'skipped', kind: 'unsupported', reason: 'page not found' }, docker: measured([5]) } })),
      judge(metric({ id: 'c', title: 'push', results: { strata: { status: 'skipped', kind: 'not-available-yet', reason: 'page not found' }, docker: measured([5]) } })),
    ],
    notes: ['a note'],
  };
  const md = renderMarkdown(report);
  assert.match(md, /\| run <fast> \\\| slow \| ms \| 11\.0 \(10\.0–12\.0\) \| 21\.0 \(20\.0–22\.0\) \| 0\.52× \|/);
  assert.equal(md.match(/skipped \[1\]/g)?.length, 2, 'one footnote for one reason');
  assert.match(md, /^\[1\] page not found/m);
  const svg = renderRatioChart(report);
  assert.match(svg, /^<svg /);
  assert.match(svg, /run &lt;fast&gt; \| slow/);
  assert.equal((svg.match(/<rect /g) ?? []).length, 2, 'background and one bar (only metrics measured on both)');
});
