import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Scenario } from '../scenario.js';
import { CommandError } from '../process.js';
import { lastLine } from '../engine-setup.js';

/** docker save / load of busybox, where the engine has them (tried once). */
export const saveLoadScenario: Scenario = {
  id: 'image-io',
  title: 'save and load',
  repeat: 'reps',
  metrics: [
    { id: 'image-io.save', title: 'save busybox to a tar file', unit: 'ms' },
    { id: 'image-io.load', title: 'load that tar file', unit: 'ms' },
  ],
  async probe(ctx) {
    const image = await ctx.setup.image('busybox');
    const out = join(ctx.fixtures.dir, `probe-save-${ctx.engine.name}.tar`);
    try {
      await ctx.engine.client.run(['save', '-o', out, image]);
      return undefined;
    } catch (err) {
      return { kind: 'not-available-yet', reason: `not available yet: ${err instanceof CommandError ? lastLine(err.result.stderr || err.message) : (err as Error).message}` };
    } finally {
      await rm(out, { force: true });
    }
  },
  async run(ctx) {
    const { client } = ctx.engine;
    const image = await ctx.setup.image('busybox');
    const out = join(ctx.fixtures.dir, `save-${ctx.engine.name}.tar`);
    try {
      ctx.record('image-io.save', await client.time(['save', '-o', out, image]));
      ctx.record('image-io.load', await client.time(['load', '-q', '-i', out]));
    } finally {
      await rm(out, { force: true });
    }
  },
};

/** push / pull need a registry on 127.0.0.1, which this bench does not start yet, and strata has neither verb yet. */
export const pushPullScenario: Scenario = {
  id: 'registry',
  title: 'push and pull',
  repeat: 'once',
  metrics: [
    { id: 'registry.push', title: 'push busybox to a local registry', unit: 'ms' },
    { id: 'registry.pull', title: 'pull busybox from a local registry', unit: 'ms' },
  ],
  async probe(ctx) {
    return {
      kind: 'not-available-yet',
      reason: ctx.engine.name === 'strata'
        ? 'not available yet: strata has no push/pull yet'
        : 'not available yet: the bench does not start a local registry yet',
    };
  },
  async run() { /* never reached: the probe says why */ },
};
