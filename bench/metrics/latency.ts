import { NET, withContainers, type Scenario, type ScenarioContext } from '../scenario.js';
import { sleep } from '../process.js';
import { CommandError, runCommand } from '../process.js';

/** The everyday verbs, one container at a time, each timed end to end through the CLI. */
export const latencyScenario: Scenario = {
  id: 'latency',
  title: 'Latency of single commands',
  repeat: 'reps',
  metrics: [
    { id: 'latency.run-d', title: 'run -d (busybox sleep)', unit: 'ms', target: { kind: 'vs-docker', max: 0.6, text: '≤ 0.6× Docker' } },
    { id: 'latency.run-rm-true', title: 'run --rm true', unit: 'ms' },
    { id: 'latency.create', title: 'create', unit: 'ms' },
    { id: 'latency.start', title: 'start', unit: 'ms' },
    { id: 'latency.exec-true', title: 'exec true', unit: 'ms', target: { kind: 'vs-docker', max: 0.6, text: '≤ 0.6× Docker' } },
    { id: 'latency.runc-exec-true', title: 'runc exec true alone (the runtime\'s share of an exec)', unit: 'ms' },
    { id: 'latency.inspect', title: 'inspect (running container)', unit: 'ms' },
    { id: 'latency.ps', title: 'ps (one running)', unit: 'ms' },
    { id: 'latency.kill-rm', title: 'kill + rm', unit: 'ms' },
  ],
  async run(ctx) {
    const { client } = ctx.engine;
    const image = await ctx.setup.image('busybox');
    await withContainers(ctx, async (set) => {
      const created = await client.firstLine(['create', ...NET, image, 'sleep', '3600']);
      const id = set.add(created.line);
      ctx.record('latency.create', created.ms);
      ctx.record('latency.start', await client.time(['start', id]));
      ctx.record('latency.exec-true', await client.time(['exec', id, 'true']));
      await recordRuncExec(ctx, id);
      ctx.record('latency.inspect', await client.time(['inspect', id]));
      ctx.record('latency.ps', await client.time(['ps']));
      ctx.record('latency.kill-rm', await killThenRemove(ctx, id));

      const ran = await client.firstLine(['run', '-d', ...NET, image, 'sleep', '3600']);
      set.add(ran.line);
      ctx.record('latency.run-d', ran.ms);
      ctx.record('latency.run-rm-true', await client.time(['run', '--rm', ...NET, image, 'true']));
    });
  },
};

/**
 * `runc exec` of the same container run directly, the floor any engine built on runc pays per
 * exec (its seccomp filter is compiled anew for every process): beside `exec true`, it shows
 * how much of an exec is the engine's own.
 */
async function recordRuncExec(ctx: ScenarioContext, id: string): Promise<void> {
  const root = ctx.engine.runcRoot;
  if (!root) return ctx.skip('latency.runc-exec-true', `${ctx.engine.name} does not run its containers with runc here`);
  const result = await runCommand(['runc', '--root', root, 'exec', id, 'true'], { timeoutMs: 30_000 });
  if (result.code !== 0) throw new CommandError(['runc', '--root', root, 'exec', id, 'true'], result);
  ctx.record('latency.runc-exec-true', result.ms);
}

/**
 * `kill` then `rm`, timed together. Docker's kill returns once the container has stopped; an
 * engine whose kill returns earlier makes rm fail with "running", so rm is retried (the wait
 * counts in the time) and the retry is noted: it is a behaviour difference, not only a cost.
 */
async function killThenRemove(ctx: ScenarioContext, id: string): Promise<number> {
  const { client } = ctx.engine;
  const kill = await client.run(['kill', id]);
  let total = kill.ms;
  let retries = 0;
  for (const deadline = Date.now() + 10_000; ;) {
    const rm = await client.tryRun(['rm', id]);
    total += rm.ms;
    if (rm.code === 0) break;
    if (!/running/i.test(rm.stderr) || Date.now() > deadline) throw new CommandError(['docker', 'rm', id], rm);
    retries++;
    await sleep(5);
    total += 5;
  }
  if (retries > 0 && ctx.rep >= 0) ctx.note(`kill returned before the container had stopped: rm right after it failed with "running" and had to be retried (Docker's kill waits for the exit)`);
  return total;
}
