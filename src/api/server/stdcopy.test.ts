import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrames, frameHeader, FrameWriter, STDOUT, STDERR } from './stdcopy.js';
import { FrameDemuxer } from '../client/stdcopy.js';

test('frame header: stream id, three zero bytes, big-endian length', () => {
  assert.deepEqual([...frameHeader(STDERR, 0x01020304)], [2, 0, 0, 0, 1, 2, 3, 4]);
  assert.deepEqual([...encodeFrames(STDOUT, Buffer.from('hi'))], [1, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]);
});

test('frames written by the server split back into stdout and stderr, across any chunking', async () => {
  const chunks: Buffer[] = [];
  const sink = { write: (b: Uint8Array) => { chunks.push(Buffer.from(b)); return true; } };
  new FrameWriter(sink, STDOUT).write(Buffer.from('hello '));
  new FrameWriter(sink, STDERR).write(Buffer.from('oops'));
  new FrameWriter(sink, STDOUT).write(Buffer.from('world'));
  new FrameWriter(sink, STDOUT).write(Buffer.alloc(0));
  const all = Buffer.concat(chunks);
  let out = '';
  let err = '';
  const demux = new FrameDemuxer({ stdout: (b) => { out += b; }, stderr: (b) => { err += b; } });
  for (let i = 0; i < all.length; i += 3) demux.write(all.subarray(i, i + 3));
  await new Promise<void>((resolve) => demux.end(resolve));
  assert.equal(out, 'hello world');
  assert.equal(err, 'oops');
  assert.equal(demux.buffered, 0);
});
