import type { Scenario } from '../scenario.js';
import { rssKib, sumKib } from '../proc-info.js';
import { sleep } from '../process.js';

/** Start-up time and idle memory, right after start-up and the busybox import, before any workload. */
export const daemonIdleScenario: Scenario = {
  id: 'daemon',
  title: 'Daemon start-up and idle memory',
  repeat: 'once',
  metrics: [
    { id: 'daemon.start', title: 'daemon start until /_ping answers', unit: 'ms' },
    { id: 'daemon.rss-idle', title: 'daemon RSS idle (busybox imported)', unit: 'MiB', target: { kind: 'absolute', max: 80, text: '≤ 80 MB idle' } },
  ],
  async run(ctx) {
    await ctx.setup.image('busybox');
    ctx.record('daemon.start', ctx.engine.startMs);
    await sleep(1000);
    ctx.record('daemon.rss-idle', (await sumKib(await ctx.engine.daemonPids(), rssKib)) / 1024);
  },
};

/** Idle memory again after the whole workload (no containers left): what the work left behind. */
export const daemonEndScenario: Scenario = {
  id: 'daemon-end',
  title: 'Daemon memory after the workload',
  repeat: 'once',
  metrics: [
    { id: 'daemon-end.rss-idle', title: 'daemon RSS idle after the workload', unit: 'MiB' },
  ],
  async run(ctx) {
    await sleep(1000);
    ctx.record('daemon-end.rss-idle', (await sumKib(await ctx.engine.daemonPids(), rssKib)) / 1024);
  },
};
