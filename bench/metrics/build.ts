import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scenario, ScenarioContext } from '../scenario.js';

const HALF = { kind: 'vs-docker' as const, max: 0.5, text: '≤ 0.5× Docker' };
const TEN_STEP_IMAGE = 'bench-ten-step:latest';

/** Whether the engine can build, found by trying the seed build once. */
async function probeBuild(ctx: ScenarioContext): Promise<{ kind: 'unsupported'; reason: string } | undefined> {
  const reason = await ctx.setup.cannotBuild();
  return reason === undefined ? undefined : { kind: 'unsupported', reason };
}

/** Builds through the classic /build endpoint (DOCKER_BUILDKIT=0 for every engine). */
export const buildScenario: Scenario = {
  id: 'build',
  title: 'Builds',
  repeat: 'reps',
  metrics: [
    { id: 'build.seed-cold', title: 'build seed Dockerfile, cold (--no-cache)', unit: 'ms', target: HALF },
    { id: 'build.seed-cached', title: 'build seed Dockerfile, cached', unit: 'ms', target: HALF },
    { id: 'build.ten-step-last-changed', title: 'build 10-step Dockerfile after changing its last step', unit: 'ms' },
  ],
  probe: probeBuild,
  async run(ctx) {
    const { client } = ctx.engine;
    await ctx.setup.image('busybox');
    const images = ['bench-build-seed:latest', TEN_STEP_IMAGE];
    try {
      const seed = await ctx.fixtures.seedContext();
      if (ctx.wants('build.seed-cold') || ctx.wants('build.seed-cached')) {
        ctx.record('build.seed-cold', await client.time(['build', '-q', '--no-cache', '-t', images[0]!, seed], { timeoutMs: 300_000 }));
        ctx.record('build.seed-cached', await client.time(['build', '-q', '-t', images[0]!, seed], { timeoutMs: 300_000 }));
      }
      if (ctx.wants('build.ten-step-last-changed')) ctx.record('build.ten-step-last-changed', await tenStepRebuild(ctx));
    } finally {
      for (const image of images) await client.tryRun(['rmi', '-f', image]);
    }
  },
};

/**
 * A build whose context has 10,000 files: sending, checksumming and copying the context. Slow
 * on Docker's classic builder (tens of seconds here), so full runs only and at most 3 times.
 */
export const buildContextScenario: Scenario = {
  id: 'build-context',
  title: 'Build with a large context',
  repeat: 'reps',
  maxReps: 3,
  metrics: [
    { id: 'build-context.10k-files', title: 'build with a 10,000-file context (COPY, --no-cache)', unit: 'ms', fullOnly: true },
  ],
  warmUp: false,
  probe: probeBuild,
  async run(ctx) {
    const { client } = ctx.engine;
    await ctx.setup.image('busybox');
    const image = 'bench-build-context:latest';
    try {
      const context = await ctx.fixtures.manyFilesContext(10_000);
      ctx.record('build-context.10k-files', await client.time(['build', '-q', '--no-cache', '-t', image, context], { timeoutMs: 600_000 }));
    } finally {
      await client.tryRun(['rmi', '-f', image]);
    }
  },
};

/** Builds the 10-step Dockerfile once untimed (steps 1–9 then cached), changes its last step, builds again timed. */
async function tenStepRebuild(ctx: ScenarioContext): Promise<number> {
  const { client } = ctx.engine;
  const dir = await ctx.fixtures.scratchContext(`ten-step-${ctx.engine.name}`);
  const dockerfile = (last: string): string => ['FROM busybox', ...Array.from({ length: 9 }, (_, i) => `RUN echo step ${i + 1} > /step${i + 1}`), `RUN echo ${last} > /step10`, ''].join('\n');
  await writeFile(join(dir, 'Dockerfile'), dockerfile(`first-${ctx.rep}`));
  await client.run(['build', '-q', '-t', TEN_STEP_IMAGE, dir], { timeoutMs: 300_000 });
  await writeFile(join(dir, 'Dockerfile'), dockerfile(`changed-${ctx.rep}`));
  return client.time(['build', '-q', '-t', TEN_STEP_IMAGE, dir], { timeoutMs: 300_000 });
}
