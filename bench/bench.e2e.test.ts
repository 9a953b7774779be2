import test from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needsOverlay, skipOrFail } from '../test/support/privileged.js';
import { makeTempRoot } from '../test/support/temp-root.js';
import { run } from '../test/support/daemon.js';
import { metricCatalogue } from './metrics/index.js';
import type { BenchReport } from './model.js';

const benchJs = fileURLToPath(new URL('./bench.js', import.meta.url));

/**
 * Runs the harness once, --quick, against strata alone (no Docker: the suite stays fast and
 * does not depend on docker.io), and checks the bookkeeping, never a timing: every metric of
 * the quick set is in the report, either measured (finite samples) or skipped with a reason.
 */
test('bench --quick on strata alone measures every quick metric or says why not', { timeout: 600_000 }, async (t) => {
  if (await needsOverlay(t)) return;
  const docker = await run(['docker', '--version']).catch(() => undefined);
  if (!docker || docker.code !== 0) {
    skipOrFail(t, 'the docker CLI (the bench drives engines with it) is not installed');
    return;
  }
  const { dir, cleanup } = await makeTempRoot('strata-bench-test-');
  t.after(cleanup);

  const result = await run([process.execPath, benchJs, '--quick', '--no-docker', '--results-dir', dir], { timeoutMs: 540_000 });
  assert.equal(result.code, 0, `bench failed:\n${result.stderr.slice(-4000)}`);

  const files = await readdir(dir);
  const json = files.filter((f) => f.endsWith('.json'));
  assert.equal(json.length, 1, `one JSON result expected, found ${files.join(', ')}`);
  assert.ok(files.includes(json[0]!.replace(/\.json$/, '.svg')), 'the SVG chart sits beside the JSON');
  const svg = await readFile(join(dir, json[0]!.replace(/\.json$/, '.svg')), 'utf8');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

  const report = JSON.parse(await readFile(join(dir, json[0]!), 'utf8')) as BenchReport;
  assert.deepEqual(report.engines.map((e) => e.name), ['strata']);
  const expected = metricCatalogue(true, report.options.scaleCounts).map((m) => m.id).sort();
  assert.deepEqual(report.metrics.map((m) => m.id).sort(), expected, 'the report lists exactly the quick set');
  for (const metric of report.metrics) {
    const r = metric.results.strata;
    assert.ok(r, `${metric.id}: no result for strata`);
    if (r.status === 'measured') {
      assert.ok(r.samples.length > 0 && r.samples.every(Number.isFinite), `${metric.id}: samples ${JSON.stringify(r.samples)}`);
    } else {
      assert.equal(r.status, 'skipped');
      assert.ok(r.reason.trim().length > 0, `${metric.id}: skipped without a reason`);
    }
  }
  assert.match(result.stdout, /^\| Metric \| Unit \| strata median/m, 'the markdown table is printed');
});
