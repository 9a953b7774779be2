import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataCorruptError, InvalidArgumentError, NotImplementedError } from '../base/index.js';
import { readTarEntries, type TarEntry } from './tar-reader.js';
import { END_OF_ARCHIVE, encodeTarHeader } from './tar-encode.js';
import { BLOCK_SIZE, FIELD, headerChecksum, writeOctal, type TarHeader } from './tar-format.js';
import { listWithTarStream, streamOf, tarOf } from './testsuite/tar-fixture.js';

interface ReadEntry { header: TarHeader; content: Buffer }

async function readAll(bytes: Buffer, chunkSize = 7): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  const source = streamOf(bytes, chunkSize)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for await (const entry of readTarEntries(source)) out.push({ header: entry.header, content: await contentOf(entry) });
  return out;
}

async function contentOf(entry: TarEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function header(partial: Partial<TarHeader> & Pick<TarHeader, 'name'>): TarHeader {
  return {
    type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000, linkname: '', devmajor: 0, devminor: 0,
    xattrs: new Map(), ...partial,
  };
}

/** A raw ustar block with `typeflag`, for record types our encoder never writes. */
function rawBlock(name: string, typeflag: string, size: number, magic = 'ustar\u000000'): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  block.write(name, 0, 'latin1');
  writeOctal(block, 'mode', 0o644);
  writeOctal(block, 'uid', 0);
  writeOctal(block, 'gid', 0);
  writeOctal(block, 'size', size);
  writeOctal(block, 'mtime', 0);
  block.write(typeflag, FIELD.typeflag[0], 'latin1');
  block.write(magic, FIELD.magic[0], 'latin1');
  block.write(`${headerChecksum(block).unsigned.toString(8).padStart(6, '0')}\0 `, FIELD.checksum[0], 'latin1');
  return block;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK_SIZE;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK_SIZE - rest)]);
}

test('reads what tar-stream writes: long names through pax, links, devices, content', async () => {
  const longName = `${'d'.repeat(120)}/${'f'.repeat(200)}`;
  const longLink = `/${'t'.repeat(300)}`;
  const bytes = await tarOf([
    { name: 'dir/', type: 'directory', mode: 0o750 },
    { name: 'dir/file', content: 'hello', mode: 0o4755, uid: 1000, gid: 1001 },
    { name: longName, content: 'deep' },
    { name: 'sym', type: 'symlink', linkname: longLink },
    { name: 'hard', type: 'link', linkname: 'dir/file' },
    { name: 'tty', type: 'character-device', devmajor: 5, devminor: 0 },
    { name: 'fifo', type: 'fifo' },
    { name: 'xattr-file', content: '', pax: { 'SCHILY.xattr.user.note': 'text value' } },
  ]);
  const entries = await readAll(bytes);
  assert.deepEqual(entries.map((e) => [e.header.name, e.header.type]), [
    ['dir/', 'directory'], ['dir/file', 'file'], [longName, 'file'], ['sym', 'symlink'], ['hard', 'hardlink'],
    ['tty', 'char-device'], ['fifo', 'fifo'], ['xattr-file', 'file'],
  ]);
  assert.equal(entries[0]!.header.mode, 0o750);
  assert.equal(entries[1]!.content.toString(), 'hello');
  assert.equal(entries[1]!.header.mode, 0o4755);
  assert.equal(entries[1]!.header.uid, 1000);
  assert.equal(entries[1]!.header.gid, 1001);
  assert.equal(entries[2]!.content.toString(), 'deep');
  assert.equal(entries[3]!.header.linkname, longLink);
  assert.equal(entries[4]!.header.linkname, 'dir/file');
  assert.equal(entries[5]!.header.devmajor, 5);
  assert.equal(entries[7]!.header.xattrs.get('user.note')?.toString(), 'text value');
});

test('our encoder round-trips through our reader and through tar-stream', async () => {
  const capability = Buffer.from('0100000200200000000000000000000000000000', 'hex');
  const name = `${'ü'.repeat(60)}/${'n'.repeat(150)}`;
  const headers = [
    header({ name, size: 3, mode: 0o2755, uid: 3_000_000, gid: 65534, xattrs: new Map([['security.capability', capability], ['user.a', Buffer.from('b')]]) }),
    header({ name: 'link', type: 'symlink', linkname: 'x'.repeat(400) }),
    header({ name: 'blk', type: 'block-device', devmajor: 8, devminor: 1 }),
    header({ name: 'old', mtime: -86_400 }),
  ];
  const bytes = Buffer.concat([
    encodeTarHeader(headers[0]!), padded(Buffer.from('abc')),
    encodeTarHeader(headers[1]!), encodeTarHeader(headers[2]!), encodeTarHeader(headers[3]!), END_OF_ARCHIVE,
  ]);

  const ours = await readAll(bytes, 100);
  assert.equal(ours.length, 4);
  assert.equal(ours[0]!.header.name, name);
  assert.equal(ours[0]!.header.uid, 3_000_000);
  assert.equal(ours[0]!.header.mode, 0o2755);
  assert.deepEqual(ours[0]!.header.xattrs.get('security.capability'), capability);
  assert.equal(ours[0]!.content.toString(), 'abc');
  assert.equal(ours[1]!.header.linkname, 'x'.repeat(400));
  assert.equal(ours[2]!.header.devminor, 1);
  assert.equal(ours[3]!.header.mtime, -86_400);

  const theirs = await listWithTarStream(bytes);
  assert.deepEqual(theirs.map((e) => e.name), [name, 'link', 'blk', 'old']);
  assert.equal(theirs[1]!.linkname, 'x'.repeat(400));
  assert.equal(theirs[0]!.content.toString(), 'abc');
});

test('the same header always encodes to the same bytes, xattrs in name order', () => {
  const a = header({ name: 'f', xattrs: new Map([['user.b', Buffer.from('2')], ['user.a', Buffer.from('1')]]) });
  const b = header({ name: 'f', xattrs: new Map([['user.a', Buffer.from('1')], ['user.b', Buffer.from('2')]]) });
  assert.deepEqual(encodeTarHeader(a), encodeTarHeader(b));
  const text = encodeTarHeader(a).toString('latin1');
  assert.ok(text.indexOf('user.a=1') < text.indexOf('user.b=2'));
});

test('GNU long names, a pax global header and the ustar prefix field are honoured', async () => {
  const gnuName = `${'g'.repeat(150)}/file`;
  const gnuData = Buffer.from(`${gnuName}\0`);
  const prefixed = rawBlock('leaf', '0', 0);
  prefixed.write('some/prefix', FIELD.prefix[0], 'latin1');
  prefixed.fill(0, FIELD.checksum[0], FIELD.checksum[0] + FIELD.checksum[1]);
  prefixed.write(`${headerChecksum(prefixed).unsigned.toString(8).padStart(6, '0')}\0 `, FIELD.checksum[0], 'latin1');
  const globalData = Buffer.from('16 uid=4242\n'.replace('16', String('16 uid=4242\n'.length)));

  const bytes = Buffer.concat([
    rawBlock('././@LongLink', 'L', gnuData.length, 'ustar  \u0000'), padded(gnuData),
    rawBlock('short', '0', 0, 'ustar  \u0000'),
    rawBlock('pax_global_header', 'g', globalData.length), padded(globalData),
    prefixed,
    END_OF_ARCHIVE,
  ]);
  const entries = await readAll(bytes);
  assert.deepEqual(entries.map((e) => e.header.name), [gnuName, 'some/prefix/leaf']);
  assert.equal(entries[0]!.header.uid, 0);
  assert.equal(entries[1]!.header.uid, 4242);
});

test('a size field on a directory or link carries no data (as in Go)', async () => {
  const dir = rawBlock('d/', '5', 4096);
  const bytes = Buffer.concat([dir, encodeTarHeader(header({ name: 'after', size: 2 })), padded(Buffer.from('ok')), END_OF_ARCHIVE]);
  const entries = await readAll(bytes);
  assert.deepEqual(entries.map((e) => e.header.name), ['d/', 'after']);
  assert.equal(entries[1]!.content.toString(), 'ok');
});

test('unread content is skipped before the next entry', async () => {
  const bytes = await tarOf([{ name: 'big', content: Buffer.alloc(5000, 1) }, { name: 'next', content: 'n' }]);
  const names: string[] = [];
  const source = streamOf(bytes, 333)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for await (const entry of readTarEntries(source)) names.push(entry.header.name);
  assert.deepEqual(names, ['big', 'next']);
});

test('an archive ending without the end marker at a header boundary is accepted', async () => {
  const bytes = Buffer.concat([encodeTarHeader(header({ name: 'a', size: 1 })), padded(Buffer.from('x'))]);
  assert.deepEqual((await readAll(bytes)).map((e) => e.header.name), ['a']);
});

test('truncated archives, bad checksums and unsupported types fail clearly', async () => {
  const good = Buffer.concat([encodeTarHeader(header({ name: 'a', size: 1000 })), padded(Buffer.alloc(1000)), END_OF_ARCHIVE]);
  await assert.rejects(readAll(good.subarray(0, 700)), DataCorruptError);
  await assert.rejects(readAll(good.subarray(0, 300)), DataCorruptError);

  const corrupt = Buffer.from(good);
  corrupt[10] = 0x41;
  await assert.rejects(readAll(corrupt), (err: Error) => err instanceof DataCorruptError && /checksum/.test(err.message));

  const sparse = Buffer.concat([rawBlock('sparse', 'S', 0, 'ustar  \u0000'), END_OF_ARCHIVE]);
  await assert.rejects(readAll(sparse), (err: Error) => err instanceof NotImplementedError && /sparse/.test(err.message) && /"sparse"/.test(err.message));

  const hugeExtended = Buffer.concat([rawBlock('PaxHeader', 'x', 2 << 20), END_OF_ARCHIVE]);
  await assert.rejects(readAll(hugeExtended), InvalidArgumentError);

  const badName = rawBlock('x', '0', 0);
  badName[0] = 0xff;
  badName.fill(0, FIELD.checksum[0], FIELD.checksum[0] + FIELD.checksum[1]);
  badName.write(`${headerChecksum(badName).unsigned.toString(8).padStart(6, '0')}\0 `, FIELD.checksum[0], 'latin1');
  await assert.rejects(readAll(Buffer.concat([badName, END_OF_ARCHIVE])), InvalidArgumentError);
});
