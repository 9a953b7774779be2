import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cleanup } from './cleanup.js';
import { launchStrata } from './engines/strata-engine.js';
import { findDockerd, installDocker, launchDocker } from './engines/docker-engine.js';
import { findPodman, launchPodman } from './engines/podman-engine.js';
import type { Engine, EngineName } from './engines/engine.js';
import type { LaunchContext } from './engines/launch-common.js';
import { EngineSetup } from './engine-setup.js';
import { Fixtures } from './fixtures.js';
import { allScenarios } from './metrics/index.js';
import type { BenchReport } from './model.js';
import { isSelected, parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { machineInfo } from './proc-info.js';
import { runCommand } from './process.js';
import { Runner, type EngineUnderTest } from './runner.js';
import { judge } from './report/judge.js';
import { renderMarkdown } from './report/markdown.js';
import { renderRatioChart } from './report/svg-chart.js';

const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dockerCli = await runCommand(['docker', '--version']).catch(() => undefined);
  if (!dockerCli || dockerCli.code !== 0) {
    process.stderr.write('bench: the docker CLI (the client every engine is driven with) is not on PATH\n');
    return 1;
  }
  const startedAt = new Date();
  const cleanup = new Cleanup();
  const removeSignalHandlers = cleanup.onSignals(log);
  const tmp = await mkdtemp(join(tmpdir(), 'strata-bench-'));
  cleanup.add('temp directory', async () => {
    if (options.keepTemp) log(`bench: kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  });
  try {
    const fixtures = new Fixtures(join(tmp, 'fixtures'));
    const { engines, missing } = await launchEngines(options, tmp, cleanup);
    const underTest: EngineUnderTest[] = engines.map((engine) => ({ engine, setup: new EngineSetup(engine, fixtures) }));
    for (const { engine, setup } of underTest) {
      log(`bench: ${engine.name} ${engine.version} up in ${engine.startMs.toFixed(0)} ms; importing busybox`);
      await setup.image('busybox');
    }

    const notes: string[] = [];
    const seedImageMode = await decideSeedImageMode(underTest, options, notes);
    const runner = new Runner(underTest, fixtures, options, log, () => cleanup.aborted);
    for (const scenario of allScenarios(options.scaleCounts, seedImageMode)) await runner.run(scenario);

    const finishedAt = new Date();
    const report: BenchReport = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      command: ['npm', 'run', 'bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
      options: { quick: options.quick, reps: options.reps, scaleCounts: options.scaleCounts, only: options.only, engines: engines.map((e) => e.name) },
      machine: { ...(await machineInfo()), dockerCli: dockerCli.stdout.trim().replace(/^Docker version /, '') },
      engines: engines.map((e) => ({ name: e.name, version: e.version, daemon: e.daemonDescription, monitor: e.monitorDescription })),
      missingEngines: missing,
      metrics: runner.metrics.map(judge),
      notes: [...notes, ...runner.collectedNotes()],
    };
    const resultsDir = options.resultsDir ?? DEFAULT_RESULTS_DIR;
    await mkdir(resultsDir, { recursive: true });
    const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
    const jsonPath = join(resultsDir, `${stamp}.json`);
    const svgPath = join(resultsDir, `${stamp}.svg`);
    await writeFile(jsonPath, JSON.stringify(report, null, 2) + '\n');
    await writeFile(svgPath, renderRatioChart(report));
    process.stdout.write(renderMarkdown(report));
    process.stdout.write(`\nJSON: ${jsonPath}\nchart: ${svgPath}\n`);
    return 0;
  } catch (err) {
    log(cleanup.aborted ? 'bench: interrupted' : `bench: ${(err as Error).stack ?? err}`);
    return 1;
  } finally {
    log('bench: stopping engines and removing what the bench made');
    await cleanup.runAll(log);
    removeSignalHandlers();
  }
}

/** strata always; Docker and Podman when asked for and present, else recorded as missing with why. */
async function launchEngines(options: BenchOptions, tmp: string, cleanup: Cleanup): Promise<{ engines: Engine[]; missing: { name: EngineName; reason: string }[] }> {
  const engines: Engine[] = [];
  const missing: { name: EngineName; reason: string }[] = [];
  const context = (name: EngineName): LaunchContext => ({ dir: join(tmp, name), dockerBin: 'docker', cleanup, log });
  engines.push(await launchStrata(context('strata')));
  if (options.withDocker) {
    let dockerd = await findDockerd();
    if (!dockerd && options.installDocker) {
      await installDocker(log);
      dockerd = await findDockerd();
    }
    if (dockerd) engines.push(await launchDocker(context('docker'), dockerd));
    else missing.push({ name: 'docker', reason: "Debian's docker.io is not installed; --install-docker installs it" });
  }
  if (options.withPodman) {
    const podman = await findPodman();
    if (podman) engines.push(await launchPodman(context('podman'), podman));
    else missing.push({ name: 'podman', reason: 'podman is not installed (the bench does not install it)' });
  }
  return { engines, missing };
}

/**
 * The seed scenario makes its image with `docker build` only when every engine can build
 * (found by trying once), so its first step compares the same work; otherwise all import.
 */
async function decideSeedImageMode(engines: EngineUnderTest[], options: BenchOptions, notes: string[]): Promise<'build' | 'import'> {
  if (!isSelected('seed.image', options.only)) return 'import';
  const cannot: string[] = [];
  for (const { engine, setup } of engines) {
    const reason = await setup.cannotBuild();
    if (reason) cannot.push(`${engine.name} (${reason})`);
  }
  if (cannot.length === 0) return 'build';
  notes.push(`seed image made by import on every engine, because these cannot build yet: ${cannot.join('; ')}`);
  return 'import';
}

process.exitCode = await main(process.argv.slice(2));
