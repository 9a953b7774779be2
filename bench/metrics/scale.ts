import { NET, withContainers, type Scenario } from '../scenario.js';
import { headAndTail, median } from '../stats.js';
import { pssKib, rssKib, sumKib } from '../proc-info.js';
import { sleep } from '../process.js';

/**
 * N containers started one after another, all left running: does the Nth start as fast as the
 * 1st, what do `ps` and the daemon cost with N running, and what does one container's monitor
 * cost in memory.
 */
export function scaleScenario(n: number): Scenario {
  const id = (m: string): string => `scale.${n}.${m}`;
  const ends = Math.max(3, Math.round(n / 10));
  return {
    id: `scale.${n}`,
    title: `${n} containers started one after another`,
    repeat: 'once',
    metrics: [
      { id: id('run-d-first'), title: `${n} containers: run -d, first ${ends}`, unit: 'ms' },
      { id: id('run-d-last'), title: `${n} containers: run -d, last ${ends}`, unit: 'ms' },
      { id: id('last-over-first'), title: `${n} containers: last / first run -d`, unit: '×', ...(n >= 200 ? { target: { kind: 'absolute' as const, max: 1.2, text: `${n}th start ≤ 1.2× the 1st` } } : {}) },
      { id: id('ps'), title: `${n} containers: ps with all running`, unit: 'ms' },
      { id: id('daemon-rss'), title: `${n} containers: daemon RSS with all running`, unit: 'MiB' },
      { id: id('monitor-rss'), title: `${n} containers: monitor RSS per container`, unit: 'MiB', target: { kind: 'absolute', max: 2, text: '≤ 2 MB per container' } },
      { id: id('monitor-pss'), title: `${n} containers: monitor PSS per container`, unit: 'MiB' },
      { id: id('rm-f-all'), title: `${n} containers: rm -f all (one command)`, unit: 's' },
    ],
    async run(ctx) {
      const { engine } = ctx;
      const image = await ctx.setup.image('busybox');
      await withContainers(ctx, async (set) => {
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const ran = await engine.client.firstLine(['run', '-d', ...NET, image, 'sleep', '3600']);
          set.add(ran.line);
          times.push(ran.ms);
        }
        const { head, tail } = headAndTail(times, ends);
        ctx.record(id('run-d-first'), head);
        ctx.record(id('run-d-last'), tail);
        ctx.record(id('last-over-first'), tail / head);
        const ps: number[] = [];
        for (let i = 0; i < 5; i++) ps.push(await engine.client.time(['ps']));
        ctx.record(id('ps'), median(ps));
        await sleep(500); // let the daemon finish any work it does after answering
        ctx.record(id('daemon-rss'), (await sumKib(await engine.daemonPids(), rssKib)) / 1024);
        const monitors = await engine.monitorPids();
        if (monitors.length < n) ctx.note(`${n} containers running but ${monitors.length} ${engine.monitorDescription} processes found`);
        ctx.record(id('monitor-rss'), (await sumKib(monitors, rssKib)) / 1024 / n);
        ctx.record(id('monitor-pss'), (await sumKib(monitors, pssKib)) / 1024 / n);
        ctx.record(id('rm-f-all'), (await engine.client.time(['rm', '-f', ...set.ids], { timeoutMs: 600_000 })) / 1000);
      });
    },
  };
}
