import { NET, withContainers, type Scenario, type ScenarioContext } from '../scenario.js';
import { diskBytes } from '../disk-usage.js';
import { median } from '../stats.js';
import { sleep } from '../process.js';

const IDLE_CONTAINERS = 5;

/**
 * Disk cost of containers: an idle one, and one that appended a byte to a 10 MiB file from its
 * image (overlay copies the whole file up on the first write). Measured two ways: the growth
 * of the engine's whole root (everything the engine writes per container), and the container's
 * writable layer alone (GraphDriver.Data.UpperDir from inspect).
 */
export const storageScenario: Scenario = {
  id: 'storage',
  title: 'Disk per container',
  repeat: 'once',
  metrics: [
    { id: 'storage.idle-root', title: 'idle container: engine root growth per container', unit: 'KiB', target: { kind: 'absolute', max: 64, text: '≤ 64 KiB on disk' } },
    { id: 'storage.idle-upper', title: 'idle container: writable layer', unit: 'KiB' },
    { id: 'storage.append-root', title: '1 byte appended to a 10 MiB image file: engine root growth', unit: 'MiB' },
    { id: 'storage.append-upper', title: '1 byte appended to a 10 MiB image file: writable layer', unit: 'MiB' },
  ],
  async run(ctx) {
    const { client } = ctx.engine;
    const busybox = await ctx.setup.image('busybox');
    const big = await ctx.setup.image('file-10m');
    await withContainers(ctx, async (set) => {
      const before = await settledDiskBytes(ctx);
      for (let i = 0; i < IDLE_CONTAINERS; i++) set.add((await client.firstLine(['run', '-d', ...NET, busybox, 'sleep', '3600'])).line);
      const after = await settledDiskBytes(ctx);
      ctx.record('storage.idle-root', (after - before) / IDLE_CONTAINERS / 1024);
      const uppers: number[] = [];
      for (const id of set.ids) {
        const upper = await upperDir(ctx, id);
        if (upper === undefined) break;
        uppers.push(await diskBytes(upper));
      }
      if (uppers.length === set.ids.length) ctx.record('storage.idle-upper', median(uppers) / 1024);
      else ctx.skip('storage.idle-upper', 'inspect reports no GraphDriver.Data.UpperDir');
    });
    await withContainers(ctx, async (set) => {
      const before = await settledDiskBytes(ctx);
      const id = set.add((await client.firstLine(['run', '-d', ...NET, big, 'sleep', '3600'])).line);
      await client.run(['exec', id, 'sh', '-c', 'printf x >> /data/file-10m']);
      const after = await settledDiskBytes(ctx);
      ctx.record('storage.append-root', (after - before) / 2 ** 20);
      const upper = await upperDir(ctx, id);
      if (upper !== undefined) ctx.record('storage.append-upper', (await diskBytes(upper)) / 2 ** 20);
      else ctx.skip('storage.append-upper', 'inspect reports no GraphDriver.Data.UpperDir');
    });
  },
};

/** The engine root's size once the daemon has had a moment to finish writes it does after answering. */
async function settledDiskBytes(ctx: ScenarioContext): Promise<number> {
  await sleep(500);
  return diskBytes(ctx.engine.dataRoot);
}

async function upperDir(ctx: ScenarioContext, id: string): Promise<string | undefined> {
  const out = await ctx.engine.client.run(['inspect', '-f', '{{with .GraphDriver.Data}}{{.UpperDir}}{{end}}', id]);
  const dir = out.stdout.trim();
  return dir && dir !== '<no value>' ? dir : undefined;
}

/** The whole store beside the other engines', holding the same images and no containers. */
export const storeSizeScenario: Scenario = {
  id: 'store',
  title: 'Store size for the same images',
  repeat: 'once',
  metrics: [
    { id: 'store.size', title: 'whole store: busybox + 10 MiB + 100 MiB images (+ 50,000-file image in full runs)', unit: 'MiB' },
  ],
  async run(ctx) {
    await ctx.setup.image('busybox');
    await ctx.setup.image('file-10m');
    await ctx.setup.image('file-100m');
    if (!ctx.options.quick) await ctx.setup.image('many-50k');
    ctx.record('store.size', (await settledDiskBytes(ctx)) / 2 ** 20);
  },
};
