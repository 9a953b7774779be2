import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { needsRoot, skipOrFail } from '../../test/support/privileged.js';
import { memoryHeadroomBytes, pageSizeBytes } from './probes.js';

test('the page size is the kernel\'s', () => {
  const getconf = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
  assert.equal(pageSizeBytes(), Number(getconf.stdout.trim()));
});

test('memory headroom is MemAvailable at most, and a memory cgroup\'s limit lowers it', async (t) => {
  const available = Number(/^MemAvailable:\s+(\d+) kB$/m.exec(await readFile('/proc/meminfo', 'utf8'))![1]) * 1024;
  const headroom = await memoryHeadroomBytes();
  assert.ok(headroom > 0 && headroom <= available * 1.1, `${headroom} against MemAvailable ${available}`);

  if (await needsRoot(t)) return;
  const v1 = '/sys/fs/cgroup/memory';
  const v2 = (await readFile('/proc/self/mounts', 'utf8')).includes(' /sys/fs/cgroup cgroup2 ');
  const dir = v2 ? `/sys/fs/cgroup/strata-test-${randomBytes(4).toString('hex')}` : `${v1}/strata-test-${randomBytes(4).toString('hex')}`;
  if (!v2 && !existsSync(v1)) {
    skipOrFail(t, 'no memory cgroup controller');
    return;
  }
  await mkdir(dir);
  try {
    await writeFile(`${dir}/${v2 ? 'memory.max' : 'memory.limit_in_bytes'}`, String(256 << 20));
    // A child joins the cgroup, then measures from inside it.
    const probes = fileURLToPath(new URL('./probes.js', import.meta.url));
    const script = `import { memoryHeadroomBytes } from ${JSON.stringify(probes)}; console.log(await memoryHeadroomBytes());`;
    const child = spawnSync('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && exec "$0" --input-type=module -e "$1"`, process.execPath, script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const inside = Number(child.stdout.trim());
    assert.ok(inside > 0 && inside <= 256 << 20, `headroom inside a 256 MiB cgroup: ${inside}`);
  } finally {
    await rmdir(dir).catch(() => {});
  }
});
