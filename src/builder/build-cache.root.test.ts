import assert from 'node:assert/strict';
import { chmod, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImageBuilder } from './image-builder.js';
import { withBuildKit, type BuildOutcome } from './testsuite/build-kit.js';

const DOCKERFILE = 'FROM busybox\nRUN echo one > /one\nCOPY a.txt /a\nRUN cat /a > /copy\n';

/** For each step after FROM: was it a cache hit? */
function hits(out: BuildOutcome): boolean[] {
  const result: boolean[] = [];
  for (const event of out.events) {
    if (event.type === 'step' && event.index > 1) result.push(false);
    if (event.type === 'cache-hit') result[result.length - 1] = true;
  }
  return result;
}

test('cache: reused when parent, instruction and source content are the same; invalidated from the changed COPY on', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ 'a.txt': 'A1', 'b.txt': 'B1', Dockerfile: DOCKERFILE });
  const first = await kit.build({ context: { dir } });
  assert.equal(first.error, undefined, first.text);
  assert.deepEqual(hits(first), [false, false, false]);

  const second = await kit.build({ context: { dir } });
  assert.deepEqual(hits(second), [true, true, true]);
  assert.equal(second.imageId, first.imageId, 'a full cache hit gives the same image');
  assert.match(second.text, /Step 2\/4 : RUN echo one > \/one\n ---> Using cache\n ---> [0-9a-f]{12}\n/);

  // mtimes are not part of the key; files nobody copies are not either.
  await utimes(join(dir, 'a.txt'), new Date(5000), new Date(5000));
  await writeFile(join(dir, 'b.txt'), 'B2');
  assert.deepEqual(hits(await kit.build({ context: { dir } })), [true, true, true]);

  // Changing the copied file invalidates its COPY and every step after it.
  await writeFile(join(dir, 'a.txt'), 'A2');
  const changed = await kit.build({ context: { dir } });
  assert.deepEqual(hits(changed), [true, false, false]);
  assert.notEqual(changed.imageId, first.imageId);
  // Metadata (the mode) counts as content.
  await chmod(join(dir, 'a.txt'), 0o600);
  assert.deepEqual(hits(await kit.build({ context: { dir } })), [true, false, false]);

  // --no-cache builds every step again.
  const fresh = await kit.build({ context: { dir }, noCache: true });
  assert.deepEqual(hits(fresh), [false, false, false]);

  // The cache is on disk: a new builder on the same store finds it.
  const other = new ImageBuilder({ images: kit.images, root: join(kit.dir, 'root'), execRoot: kit.execRoot });
  const events = [];
  for await (const event of other.build({ context: { dir } })) events.push(event);
  assert.ok(events.filter((e) => e.type === 'cache-hit').length === 3);
  assert.deepEqual(await kit.leftovers(), []);
}));

test('cache: an image removed with rmi is not reused, and build args are part of RUN\'s key', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ Dockerfile: 'FROM busybox\nARG V=1\nRUN echo $V > /v\n' });
  const first = await kit.build({ context: { dir }, tags: ['cached'] });
  assert.equal(first.error, undefined, first.text);
  assert.deepEqual(hits(await kit.build({ context: { dir }, buildArgs: { V: '2' } })), [true, false]);
  await kit.images.remove('cached');
  assert.equal(kit.images.store.has(first.imageId!), false);
  const rebuilt = await kit.build({ context: { dir } });
  assert.deepEqual(hits(rebuilt), [true, false], 'the RUN image is gone; the ARG image stays as the parent of the V=2 build');
  assert.deepEqual(await kit.leftovers(), []);
}));
