import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { sha256Of } from '../base/index.js';
import { LocalContentStore } from './local-content-store.js';
import type { BlobInfo } from './content-store.js';
import { patternBytes } from './testdata/pattern-bytes.js';

const CHILD = fileURLToPath(new URL('./testdata/slow-ingest-child.js', import.meta.url));
const TOTAL = 1024 * 1024;
const CHUNK = 16 * 1024;

/**
 * Runs the slow writer in a child process and SIGKILLs it once it has written at least
 * `minOffset` bytes; returns the last offset it reported.
 */
async function killMidIngest(t: TestContext, root: string, ref: string, minOffset: number): Promise<number> {
  const child = spawn(process.execPath, [CHILD, root, ref, String(TOTAL), String(CHUNK)], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let last = 0;
  const reached = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child wrote too slowly')), 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^offset (\d+)$/.exec(line);
      if (!match) return;
      last = Number(match[1]);
      if (last >= minOffset) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code }) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  await reached;
  child.kill('SIGKILL');
  const { signal } = await exited;
  assert.equal(signal, 'SIGKILL');
  return last;
}

async function listAll(store: LocalContentStore): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const info of store.list()) out.push(info);
  return out;
}

async function blobFiles(root: string): Promise<string[]> {
  return readdir(join(root, 'blobs', 'sha256')).catch(() => []);
}

test('kill -9 mid-ingest: nothing visible, and the same ref resumes where it stopped', async (t) => {
  const temp = await makeTempRoot('strata-crash-');
  t.after(temp.cleanup);
  const root = join(temp.dir, 'content');
  const content = patternBytes(TOTAL);
  const expected = sha256Of(content);

  const reported = await killMidIngest(t, root, 'layer-pull', 4 * CHUNK);
  const store = new LocalContentStore(root);
  assert.deepEqual(await listAll(store), [], 'no blob is visible');
  assert.equal(await store.has(expected), false);
  assert.deepEqual(await blobFiles(root), [], 'no file in blobs/, temp or otherwise');

  const [status] = await store.ingests();
  assert.equal(status?.ref, 'layer-pull');
  assert.equal(status?.expected, expected);
  assert.equal(status?.expectedSize, TOTAL);
  assert.ok(status!.offset >= reported && status!.offset < TOTAL, `offset ${status?.offset} after reporting ${reported}`);

  const writer = await store.writer('layer-pull', { expected });
  assert.equal(writer.offset, status!.offset);
  await writer.write(content.subarray(writer.offset));
  assert.deepEqual(await writer.commit(), { digest: expected, size: TOTAL });
  assert.ok((await store.readBytes(expected)).equals(content));
  assert.deepEqual(await store.ingests(), []);
  assert.deepEqual(await blobFiles(root), [expected.slice(7)]);
});

test('kill -9 mid-ingest: pruning removes the orphan', async (t) => {
  const temp = await makeTempRoot('strata-crash-');
  t.after(temp.cleanup);
  const root = join(temp.dir, 'content');
  await killMidIngest(t, root, 'orphan', 2 * CHUNK);

  const store = new LocalContentStore(root);
  assert.equal((await store.ingests()).length, 1);
  assert.equal(await store.pruneIngests(60 * 60 * 1000), 0, 'a just-written ingest is younger than an hour');
  assert.equal(await store.pruneIngests(0), 1);
  assert.deepEqual(await store.ingests(), []);
  assert.deepEqual(await readdir(join(root, 'ingest')), []);
  assert.deepEqual(await listAll(store), []);
  assert.deepEqual(await blobFiles(root), []);
});
