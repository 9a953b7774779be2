import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { NotImplementedError } from '../base/index.js';
import { decompressIfNeeded, gzipStream } from './compression.js';
import { readAllStream, streamOf } from './testsuite/tar-fixture.js';

async function gzip(data: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(Readable.from([data]), gzipStream(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

test('gzip input is inflated, however it is chunked', async () => {
  // Byte-sized chunks exercise the magic-byte sniffing; big ones the streaming.
  for (const [size, chunkSize] of [[2000, 1], [2000, 5], [300_000, 4096], [300_000, 65_536]] as const) {
    const data = randomBytes(size);
    const out = await readAllStream(decompressIfNeeded(streamOf(await gzip(data), chunkSize)));
    assert.ok(out.equals(data), `${size} bytes in chunks of ${chunkSize}`);
  }
});

test('uncompressed input passes through unchanged, even when tiny or empty', async () => {
  for (const data of [Buffer.alloc(0), Buffer.from([0x1f]), Buffer.from('plain tar bytes'), randomBytes(10_000)]) {
    const out = await readAllStream(decompressIfNeeded(streamOf(data, 3)));
    assert.ok(out.equals(data));
  }
});

test('gzip output is deterministic', async () => {
  const data = randomBytes(50_000);
  assert.ok((await gzip(data)).equals(await gzip(data)));
});

test('zstd, xz and bzip2 are refused by name', async () => {
  const samples: Array<[string, number[]]> = [
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0]],
    ['bzip2', [0x42, 0x5a, 0x68, 0x39, 0, 0]],
  ];
  for (const [name, magic] of samples) {
    await assert.rejects(readAllStream(decompressIfNeeded(streamOf(Buffer.from(magic)))),
      (err: Error) => err instanceof NotImplementedError && err.message.includes(name));
  }
});

test('corrupt gzip fails the stream', async () => {
  const compressed = await gzip(randomBytes(10_000));
  compressed.fill(0x55, 20, 200);
  await assert.rejects(readAllStream(decompressIfNeeded(streamOf(compressed))));
});

test('a failing input fails the output', async () => {
  const failing = new Readable({ read() { this.destroy(new Error('network dropped')); } });
  await assert.rejects(readAllStream(decompressIfNeeded(failing)), /network dropped/);
});

test('destroying the output releases the input, even before anything was read', async () => {
  const input = streamOf(Buffer.from('never read'));
  decompressIfNeeded(input).destroy();
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(input.destroyed);
});
