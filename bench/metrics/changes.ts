import { NET, withContainers, type Scenario, type ScenarioContext } from '../scenario.js';
import type { FixtureImage } from '../engine-setup.js';
import type { MetricSpec } from '../model.js';

/** Ten changes: a new directory with six files, one file modified, one deleted, one touched. */
const TEN_CHANGES = 'mkdir /chg && for i in 1 2 3 4 5 6; do echo $i > /chg/f$i; done && echo bench >> /etc/passwd && rm /bin/vi && touch /tmp/t';

const INDEPENDENT = { kind: 'absolute' as const, max: 1.5, text: 'independent of image size (≤ 1.5×)' };

/**
 * diff and commit of the same ten changes on top of a small image (busybox) and of a
 * 50,000-file image: both should cost what the changes cost, not what the image holds.
 */
export const changesScenario: Scenario = {
  id: 'changes',
  title: 'diff and commit of 10 changes vs image size',
  repeat: 'reps',
  metrics: [
    { id: 'changes.diff-small', title: 'diff of 10 changes on busybox', unit: 'ms' },
    { id: 'changes.commit-small', title: 'commit of 10 changes on busybox', unit: 'ms' },
    { id: 'changes.diff-large', title: 'diff of 10 changes on a 50,000-file image', unit: 'ms', fullOnly: true },
    { id: 'changes.commit-large', title: 'commit of 10 changes on a 50,000-file image', unit: 'ms', fullOnly: true },
    { id: 'changes.diff-large-over-small', title: 'diff: 50,000-file image / busybox', unit: '×', fullOnly: true, target: INDEPENDENT, derived: { numerator: 'changes.diff-large', denominator: 'changes.diff-small' } },
    { id: 'changes.commit-large-over-small', title: 'commit: 50,000-file image / busybox', unit: '×', fullOnly: true, target: INDEPENDENT, derived: { numerator: 'changes.commit-large', denominator: 'changes.commit-small' } },
  ] satisfies MetricSpec[],
  async run(ctx) {
    if (ctx.wants('changes.diff-small') || ctx.wants('changes.commit-small')) await diffAndCommit(ctx, 'busybox', 'small');
    if (ctx.wants('changes.diff-large') || ctx.wants('changes.commit-large')) await diffAndCommit(ctx, 'many-50k', 'large');
  },
};

async function diffAndCommit(ctx: ScenarioContext, fixture: FixtureImage, size: 'small' | 'large'): Promise<void> {
  const { client } = ctx.engine;
  const image = await ctx.setup.image(fixture);
  const committed = `bench-commit-${size}:latest`;
  try {
    await withContainers(ctx, async (set) => {
      const id = set.add((await client.firstLine(['run', '-d', ...NET, image, 'sleep', '3600'])).line);
      await client.run(['exec', id, 'sh', '-c', TEN_CHANGES]);
      const diff = await client.run(['diff', id]);
      if (!/\/chg\/f6/.test(diff.stdout)) throw new Error(`diff does not list the changes: ${diff.stdout.slice(0, 200)}`);
      ctx.record(`changes.diff-${size}`, diff.ms);
      ctx.record(`changes.commit-${size}`, await client.time(['commit', id, committed], { timeoutMs: 600_000 }));
    });
  } finally {
    await client.tryRun(['rmi', '-f', committed]);
  }
}
