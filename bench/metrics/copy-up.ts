import { NET, withContainers, type Scenario } from '../scenario.js';

/**
 * Timed inside the container, so only the write is measured, not the exec around it. Debian's
 * static busybox has no `date +%N`, so the clock is read with `adjtimex` (microseconds, a
 * read-only call); the reading costs an awk process, the same on every engine.
 */
const SCRIPT = `
now() { adjtimex | awk '/tv_sec/ {s=$2} /tv_usec/ {u=$2} END {print s, u}'; }
write1() { dd if=/dev/zero of=/data/file-100m bs=1 count=1 conv=notrunc 2>/dev/null; }
now; write1; now; write1; now
`;

/** The first write to a 100 MiB file from the image copies it up whole; the second should be instant. */
export const copyUpScenario: Scenario = {
  id: 'copyup',
  title: 'Copy-up of a 100 MiB file',
  repeat: 'reps',
  metrics: [
    { id: 'copyup.first-write', title: 'copy-up: first 1-byte write to a 100 MiB file', unit: 'ms' },
    { id: 'copyup.second-write', title: 'copy-up: second 1-byte write', unit: 'ms' },
  ],
  async run(ctx) {
    const { client } = ctx.engine;
    const image = await ctx.setup.image('file-100m');
    await withContainers(ctx, async (set) => {
      const id = set.add((await client.firstLine(['run', '-d', ...NET, image, 'sleep', '3600'])).line);
      const out = (await client.run(['exec', id, 'sh', '-c', SCRIPT])).stdout.trim().split('\n');
      const micros = out.map((line) => {
        const [s, u] = line.trim().split(/\s+/).map(Number);
        return s! * 1e6 + u!;
      });
      if (micros.length !== 3 || micros.some((m) => !Number.isFinite(m))) throw new Error(`copy-up: unexpected clock output ${JSON.stringify(out)}`);
      ctx.record('copyup.first-write', (micros[1]! - micros[0]!) / 1000);
      ctx.record('copyup.second-write', (micros[2]! - micros[1]!) / 1000);
    });
  },
};
