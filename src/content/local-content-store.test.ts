import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeTempRoot } from '../../test/support/temp-root.js';
import {
  ConflictError,
  DataCorruptError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  readAll,
  sha256Of,
  type Digest,
} from '../base/index.js';
import { LocalContentStore } from './local-content-store.js';
import type { BlobInfo } from './content-store.js';
import { patternBytes } from './testdata/pattern-bytes.js';

async function storeFor(t: TestContext): Promise<{ store: LocalContentStore; root: string }> {
  const temp = await makeTempRoot('strata-content-');
  t.after(temp.cleanup);
  const root = join(temp.dir, 'content');
  return { store: new LocalContentStore(root), root };
}

async function listAll(store: LocalContentStore): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const info of store.list()) out.push(info);
  return out;
}

/** Everything in blobs/sha256 must be a published blob: 64-hex names, no temp files. */
async function assertOnlyBlobsIn(root: string): Promise<string[]> {
  let names: string[] = [];
  try {
    names = await readdir(join(root, 'blobs', 'sha256'));
  } catch {
    return [];
  }
  for (const name of names) assert.match(name, /^[a-f0-9]{64}$/, `unexpected file in blobs/: ${name}`);
  return names;
}

function rejectsWith(kind: new (...args: never[]) => Error, pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof kind, `expected ${kind.name}, got ${String(err)}`);
    assert.match((err as Error).message, pattern);
    return true;
  };
}

const MISSING = `sha256:${'0'.repeat(64)}` as Digest;

test('round trip: writeBlob, info, has, read, readBytes, list', async (t) => {
  const { store, root } = await storeFor(t);
  const data = 'hello, layers\n';
  const digest = sha256Of(data);
  const info = await store.writeBlob(data);
  assert.deepEqual(info, { digest, size: Buffer.byteLength(data) });
  assert.deepEqual(await store.info(digest), info);
  assert.ok(await store.has(digest));
  assert.equal((await store.readBytes(digest)).toString(), data);
  assert.equal((await readAll(store.read(digest))).toString(), data);
  assert.deepEqual(await listAll(store), [info]);
  assert.equal(store.blobPath(digest), join(root, 'blobs', 'sha256', digest.slice(7)));
  const st = await stat(store.blobPath(digest));
  assert.equal(st.mode & 0o777, 0o444, 'published blobs are read-only');

  // Writing it again leaves the first file alone.
  assert.deepEqual(await store.writeBlob(Buffer.from(data), digest), info);
  assert.equal((await stat(store.blobPath(digest))).ino, st.ino);
  assert.deepEqual(await store.ingests(), []);
  await assertOnlyBlobsIn(root);
});

test('ingest streams a large blob and verifies it', async (t) => {
  const { store } = await storeFor(t);
  const content = patternBytes(5 * 1024 * 1024 + 17);
  const expected = sha256Of(content);
  const chunks = async function* () {
    for (let i = 0; i < content.length; i += 64 * 1024) yield content.subarray(i, i + 64 * 1024);
  };
  const info = await store.ingest('layer-1', Readable.from(chunks()), { expected, expectedSize: content.length });
  assert.deepEqual(info, { digest: expected, size: content.length });
  assert.ok((await store.readBytes(expected)).equals(content));
  assert.deepEqual(await store.ingests(), []);
});

test('a digest mismatch is refused, named, and leaves nothing behind', async (t) => {
  const { store, root } = await storeFor(t);
  const w = await store.writer('bad-digest');
  await w.write(Buffer.from('actual bytes'));
  const actual = sha256Of('actual bytes');
  const claimed = sha256Of('claimed bytes');
  await assert.rejects(w.commit(claimed), rejectsWith(DataCorruptError, new RegExp(`expected ${claimed}, got ${actual}`)));
  assert.equal(await store.has(actual), false);
  assert.equal(await store.has(claimed), false);
  assert.deepEqual(await listAll(store), []);
  assert.deepEqual(await store.ingests(), [], 'the partial data is discarded');
  assert.deepEqual(await assertOnlyBlobsIn(root), []);

  await assert.rejects(store.ingest('bad-stream', Readable.from([Buffer.from('abc')]), { expected: claimed }), DataCorruptError);
  await assert.rejects(store.writeBlob('abc', claimed), rejectsWith(DataCorruptError, /expected .* got /));
  assert.deepEqual(await listAll(store), []);
  assert.deepEqual(await store.ingests(), []);
});

test('a size mismatch is refused at commit and while writing', async (t) => {
  const { store } = await storeFor(t);
  const data = Buffer.from('twelve bytes');
  const digest = sha256Of(data);

  const short = await store.writer('short', { expectedSize: 13 });
  await short.write(data);
  await assert.rejects(short.commit(), rejectsWith(DataCorruptError, /expected 13 bytes, got 12 bytes/));

  const long = await store.writer('long', { expected: digest, expectedSize: 5 });
  await assert.rejects(long.write(data), rejectsWith(DataCorruptError, /more than the expected 5 bytes/));
  await assert.rejects(long.write(data), FailedPreconditionError, 'the writer is finished');

  const atCommit = await store.writer('at-commit');
  await atCommit.write(data);
  await assert.rejects(atCommit.commit(digest, 11), DataCorruptError);

  assert.equal(await store.has(digest), false);
  assert.deepEqual(await listAll(store), []);
  assert.deepEqual(await store.ingests(), []);
});

test('resume after close: a new writer of the ref continues at its offset', async (t) => {
  const { store } = await storeFor(t);
  const content = patternBytes(300_000);
  const expected = sha256Of(content);
  const first = await store.writer('resumable', { expected });
  assert.equal(first.offset, 0);
  await first.write(content.subarray(0, 100_000));
  await first.write(content.subarray(100_000, 123_456));
  await first.close();
  await first.close(); // idempotent

  const [status] = await store.ingests();
  assert.equal(status?.ref, 'resumable');
  assert.equal(status?.offset, 123_456);
  assert.equal(status?.expected, expected);
  assert.ok(!Number.isNaN(Date.parse(status!.startedAt)));
  assert.ok(!Number.isNaN(Date.parse(status!.updatedAt)));
  assert.equal(await store.has(expected), false, 'nothing visible before commit');

  const second = await store.writer('resumable');
  assert.equal(second.offset, 123_456);
  await second.write(content.subarray(second.offset));
  assert.deepEqual(await second.commit(), { digest: expected, size: content.length }, 'the expected digest was remembered');
  assert.ok((await store.readBytes(expected)).equals(content));
  assert.deepEqual(await store.ingests(), []);
  await assert.rejects(second.write(Buffer.from('x')), FailedPreconditionError);
});

test('partial data that cannot belong to the new ingest is started over', async (t) => {
  const { store } = await storeFor(t);
  const w = await store.writer('ref', { expected: sha256Of('one') });
  await w.write(Buffer.from('on'));
  await w.close();
  const other = await store.writer('ref', { expected: sha256Of('two') });
  assert.equal(other.offset, 0, 'another expected digest restarts');
  await other.write(Buffer.from('tw'));
  await other.close();
  const sized = await store.writer('ref', { expectedSize: 1 });
  assert.equal(sized.offset, 0, 'more bytes than expected restarts');
  await sized.abort();
});

test('ingest without an expected digest discards stale partial data', async (t) => {
  const { store } = await storeFor(t);
  const stale = await store.writer('import');
  await stale.write(Buffer.from('stale garbage'));
  await stale.close();
  const info = await store.ingest('import', Readable.from([Buffer.from('fresh '), Buffer.from('content')]));
  assert.equal(info.digest, sha256Of('fresh content'));
});

test('ingest with an expected digest resumes, skipping what is already there', async (t) => {
  const { store } = await storeFor(t);
  const content = patternBytes(200_000, 3);
  const expected = sha256Of(content);
  const partial = await store.writer('pull', { expected });
  await partial.write(content.subarray(0, 77_777));
  await partial.close();
  const chunks = [content.subarray(0, 50_000), content.subarray(50_000, 150_000), content.subarray(150_000)];
  assert.deepEqual(await store.ingest('pull', Readable.from(chunks), { expected }), { digest: expected, size: content.length });
});

test('a failing source keeps the partial data for a resume', async (t) => {
  const { store } = await storeFor(t);
  const failing = async function* () {
    yield Buffer.from('first part, ');
    throw new Error('connection reset');
  };
  await assert.rejects(store.ingest('flaky', failing(), { expected: sha256Of('first part, second part') }), /connection reset/);
  const [status] = await store.ingests();
  assert.equal(status?.offset, 'first part, '.length);
  const info = await store.ingest('flaky', Readable.from([Buffer.from('first part, second part')]), { expected: sha256Of('first part, second part') });
  assert.equal(info.size, 'first part, second part'.length);
});

test('the same blob written concurrently under two refs: both succeed, one file', async (t) => {
  const { store, root } = await storeFor(t);
  const content = patternBytes(256 * 1024, 11);
  const expected = sha256Of(content);
  const a = await store.writer('pull-a', { expected });
  const b = await store.writer('pull-b', { expected });
  for (let i = 0; i < content.length; i += 32 * 1024) {
    await Promise.all([a.write(content.subarray(i, i + 32 * 1024)), b.write(content.subarray(i, i + 32 * 1024))]);
  }
  const [ra, rb] = await Promise.all([a.commit(), b.commit()]);
  assert.deepEqual(ra, { digest: expected, size: content.length });
  assert.deepEqual(rb, ra);
  assert.deepEqual(await assertOnlyBlobsIn(root), [expected.slice(7)]);
  assert.deepEqual(await store.ingests(), []);

  const many = await Promise.all(Array.from({ length: 8 }, () => store.writeBlob('same bytes')));
  assert.ok(many.every((info) => info.digest === sha256Of('same bytes')));
  assert.equal((await listAll(store)).length, 2);
  assert.deepEqual(await store.ingests(), []);
});

test('a second writer on the same ref is refused while the first is open', async (t) => {
  const { store } = await storeFor(t);
  const first = await store.writer('busy');
  await assert.rejects(store.writer('busy'), rejectsWith(ConflictError, /^ref busy is locked/));
  // Another store object on the same root sees the lock too.
  await assert.rejects(new LocalContentStore(store.root).writer('busy'), ConflictError);
  await assert.rejects(store.abortIngest('busy'), ConflictError);
  await assert.rejects(store.ingest('busy', Readable.from([Buffer.from('x')])), ConflictError);
  await first.write(Buffer.from('x'));
  assert.equal(await store.pruneIngests(0), 0, 'an active ingest is not pruned');
  await first.close();
  const again = await store.writer('busy');
  assert.equal(again.offset, 1);
  await again.abort();
  assert.deepEqual(await store.ingests(), []);
});

test('missing blobs are NotFoundError naming the digest', async (t) => {
  const { store } = await storeFor(t);
  const notFound = rejectsWith(NotFoundError, new RegExp(`^blob ${MISSING} not found$`));
  await assert.rejects(store.info(MISSING), notFound);
  await assert.rejects(store.readBytes(MISSING), notFound);
  await assert.rejects(readAll(store.read(MISSING)), notFound);
  await assert.rejects(store.delete(MISSING), notFound);
  assert.equal(await store.has(MISSING), false);
  assert.deepEqual(await listAll(store), []);
});

test('delete removes a blob', async (t) => {
  const { store } = await storeFor(t);
  const { digest } = await store.writeBlob('to be deleted');
  await store.delete(digest);
  assert.equal(await store.has(digest), false);
  assert.deepEqual(await listAll(store), []);
  // And it can be written again.
  await store.writeBlob('to be deleted');
  assert.ok(await store.has(digest));
});

test('abortIngest and pruneIngests', async (t) => {
  const { store } = await storeFor(t);
  for (const ref of ['a', 'b', 'c']) {
    const w = await store.writer(ref);
    await w.write(Buffer.from(ref));
    await w.close();
  }
  await store.abortIngest('a');
  await assert.rejects(store.abortIngest('a'), rejectsWith(NotFoundError, /^ingest a not found$/));
  assert.deepEqual((await store.ingests()).map((s) => s.ref), ['b', 'c']);
  assert.equal(await store.pruneIngests(60 * 60 * 1000), 0, 'recent ingests are kept');
  assert.equal(await store.pruneIngests(), 2);
  assert.deepEqual(await store.ingests(), []);
});

test('digests and refs are validated', async (t) => {
  const { store } = await storeFor(t);
  assert.throws(() => store.blobPath('sha256:../../etc/passwd' as Digest), InvalidArgumentError);
  await assert.rejects(store.info('sha512:abc' as Digest), InvalidArgumentError);
  await assert.rejects(store.writer(''), InvalidArgumentError);
  await assert.rejects(store.writer('x', { expected: 'nope' as Digest }), InvalidArgumentError);
  await assert.rejects(store.writer('x', { expectedSize: -1 }), InvalidArgumentError);
  // Any ref string is safe as a name: it is hashed.
  const w = await store.writer('../../../../tmp/evil ref/with:odd@chars');
  await w.write(Buffer.from('ok'));
  assert.equal((await w.commit()).digest, sha256Of('ok'));
});
