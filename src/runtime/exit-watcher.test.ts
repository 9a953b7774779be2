import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitWatcher, findBinary, findOciRuntime, type ExitRecord } from './index.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-exits-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What conmon's g_file_set_contents does: a dotted temp name, then a rename into place. */
async function writeLikeConmon(dir: string, id: string, code: string): Promise<void> {
  const tmp = join(dir, `${id}.AB12CD`);
  await writeFile(tmp, code);
  await rename(tmp, join(dir, id));
}

function nextExit(watcher: ExitWatcher, timeoutMs = 5000): Promise<[string, ExitRecord]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no exit event')), timeoutMs);
    watcher.once('exit', (id: string, record: ExitRecord) => { clearTimeout(timer); resolve([id, record]); });
  });
}

test('exit files appearing in the watched dir become one exit event each', async () => {
  await withDir(async (dir) => {
    const watcher = new ExitWatcher(join(dir, 'exits'));
    await watcher.start();
    try {
      const seen: string[] = [];
      watcher.on('exit', (id: string) => seen.push(id));
      const first = nextExit(watcher);
      await writeLikeConmon(join(dir, 'exits'), 'abc123', '137');
      const [id, record] = await first;
      assert.equal(id, 'abc123');
      assert.equal(record.exitCode, 137);
      assert.ok(record.exitedAt instanceof Date);
      // A rewrite of the same file is not a second exit until the id is forgotten.
      await writeFile(join(dir, 'exits', 'abc123'), '137');
      const second = nextExit(watcher);
      await writeLikeConmon(join(dir, 'exits'), 'other', '0');
      assert.equal((await second)[0], 'other');
      assert.deepEqual(seen, ['abc123', 'other']);
      assert.equal((await watcher.read('abc123'))!.exitCode, 137);
      assert.equal(await watcher.read('missing'), undefined);
    } finally {
      watcher.close();
    }
  });
});

test('onExit fires once, also for an exit recorded before subscribing, and can be cancelled', async () => {
  await withDir(async (dir) => {
    const watcher = new ExitWatcher(dir);
    await watcher.start();
    try {
      await writeLikeConmon(dir, 'early', '3');
      const early = await new Promise<ExitRecord>((resolve) => watcher.onExit('early', resolve));
      assert.equal(early.exitCode, 3);

      let calls = 0;
      const late = new Promise<ExitRecord>((resolve) => watcher.onExit('late', (r) => { calls += 1; resolve(r); }));
      let cancelledCalled = false;
      const cancel = watcher.onExit('late', () => { cancelledCalled = true; });
      cancel();
      await writeLikeConmon(dir, 'late', '0');
      assert.equal((await late).exitCode, 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(calls, 1);
      assert.equal(cancelledCalled, false);
    } finally {
      watcher.close();
    }
  });
});

test('a missing runtime binary names the Debian package to install', async () => {
  await assert.rejects(findBinary('conmon', '/nonexistent/conmon'), /^UnavailableError: conmon not found at \/nonexistent\/conmon: install the Debian package 'conmon' \(apt-get install conmon\)$/);
  await assert.rejects(findOciRuntime('crun', '/nonexistent/crun'), /install the Debian package 'crun'/);
  await assert.rejects(findBinary('tini-static', '/nonexistent/tini-static'), /install the Debian package 'tini'/);
});
