import { NET, withContainers, type Scenario, type ScenarioContext } from '../scenario.js';

const SEED_IMAGE = 'bench-seed:latest';

/**
 * The seed scenario, step by step: make the seed image (build when every engine can build,
 * else import the same tree, so the step compares like with like), two containers, modify in
 * one, read in both (the other must not see the change), diff, remove.
 */
export function seedScenario(imageMode: 'build' | 'import'): Scenario {
  return {
    id: 'seed',
    title: `Seed scenario (seed image by ${imageMode})`,
    repeat: 'reps',
    metrics: [
      { id: 'seed.image', title: imageMode === 'build' ? 'seed: build FROM busybox + RUN echo' : 'seed: import seed image (build not available on every engine)', unit: 'ms' },
      { id: 'seed.run-d-1', title: 'seed: run -d (1st)', unit: 'ms' },
      { id: 'seed.run-d-2', title: 'seed: run -d (2nd)', unit: 'ms' },
      { id: 'seed.exec-modify', title: 'seed: exec modify file', unit: 'ms' },
      { id: 'seed.exec-cat-1', title: 'seed: exec cat (modified)', unit: 'ms' },
      { id: 'seed.exec-cat-2', title: 'seed: exec cat (untouched)', unit: 'ms' },
      { id: 'seed.diff', title: 'seed: diff', unit: 'ms' },
      { id: 'seed.rm-f', title: 'seed: rm -f both', unit: 'ms' },
    ],
    async run(ctx) {
      const { client } = ctx.engine;
      await ctx.setup.image('busybox');
      try {
        ctx.record('seed.image', await makeSeedImage(ctx, imageMode));
        await withContainers(ctx, async (set) => {
          const c1 = await client.firstLine(['run', '-d', ...NET, SEED_IMAGE, 'sleep', '3600']);
          set.add(c1.line);
          ctx.record('seed.run-d-1', c1.ms);
          const c2 = await client.firstLine(['run', '-d', ...NET, SEED_IMAGE, 'sleep', '3600']);
          set.add(c2.line);
          ctx.record('seed.run-d-2', c2.ms);
          ctx.record('seed.exec-modify', await client.time(['exec', c1.line, 'sh', '-c', 'echo modified >> /base_file.txt']));
          const cat1 = await client.run(['exec', c1.line, 'cat', '/base_file.txt']);
          const cat2 = await client.run(['exec', c2.line, 'cat', '/base_file.txt']);
          // A wrong answer is not a timing: the engine would be failing the scenario itself.
          if (cat1.stdout !== 'base\nmodified\n' || cat2.stdout !== 'base\n') {
            throw new Error(`seed: containers do not see their own files: ${JSON.stringify(cat1.stdout)} / ${JSON.stringify(cat2.stdout)}`);
          }
          ctx.record('seed.exec-cat-1', cat1.ms);
          ctx.record('seed.exec-cat-2', cat2.ms);
          ctx.record('seed.diff', await client.time(['diff', c1.line]));
          ctx.record('seed.rm-f', await client.time(['rm', '-f', c1.line, c2.line]));
        });
      } finally {
        await client.tryRun(['rmi', '-f', SEED_IMAGE]);
      }
    },
  };
}

async function makeSeedImage(ctx: ScenarioContext, mode: 'build' | 'import'): Promise<number> {
  const { client } = ctx.engine;
  if (mode === 'build') return client.time(['build', '-q', '-t', SEED_IMAGE, await ctx.fixtures.seedContext()], { timeoutMs: 300_000 });
  return client.time(['import', await ctx.fixtures.seedTar(), SEED_IMAGE]);
}
