import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataCorruptError, InvalidArgumentError } from '../base/index.js';
import { decodePaxRecords, decodeUtf8, encodePaxRecord, parseNumericField } from './tar-format.js';

test('a pax record counts its own length, including across a digit boundary', () => {
  for (const valueLength of [0, 1, 80, 88, 89, 90, 91, 92, 93, 990, 991, 992, 993, 994, 995, 996]) {
    const record = encodePaxRecord('path', Buffer.alloc(valueLength, 0x61));
    const declared = parseInt(record.toString('latin1').split(' ')[0]!, 10);
    assert.equal(declared, record.length, `value of ${valueLength} bytes`);
    assert.equal(record[record.length - 1], 0x0a);
  }
});

test('pax records keep binary values byte for byte', () => {
  const capability = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0xff, 0xfe, 0x0a, 0x3d, 0x20, 0x00]);
  const data = Buffer.concat([
    encodePaxRecord('SCHILY.xattr.security.capability', capability),
    encodePaxRecord('path', Buffer.from('ünïcode/név')),
  ]);
  const records = decodePaxRecords(data);
  assert.deepEqual(records.get('SCHILY.xattr.security.capability'), capability);
  assert.equal(records.get('path')?.toString('utf8'), 'ünïcode/név');
});

test('malformed pax records are refused as corrupt data', () => {
  for (const bad of ['12 path=abc', 'x path=abc\n', '5 a\n', '100 path=short\n', '9 =value\n']) {
    assert.throws(() => decodePaxRecords(Buffer.from(bad)), DataCorruptError, JSON.stringify(bad));
  }
});

test('trailing NUL padding after pax records is tolerated', () => {
  const data = Buffer.concat([encodePaxRecord('uid', Buffer.from('5')), Buffer.alloc(20)]);
  assert.equal(decodePaxRecords(data).get('uid')?.toString(), '5');
});

test('numeric fields: octal with NUL or space padding, empty, and GNU base-256', () => {
  assert.equal(parseNumericField(Buffer.from('0000644\0'), 'mode'), 0o644);
  assert.equal(parseNumericField(Buffer.from('   644 \0'), 'mode'), 0o644);
  assert.equal(parseNumericField(Buffer.alloc(8), 'uid'), 0);
  const big = Buffer.alloc(12);
  big[0] = 0x80;
  big.writeUIntBE(2 ** 40 + 5, 6, 6);
  assert.equal(parseNumericField(big, 'size'), 2 ** 40 + 5);
  const minusOne = Buffer.alloc(12, 0xff);
  assert.equal(parseNumericField(minusOne, 'mtime'), -1);
  assert.throws(() => parseNumericField(Buffer.from('12x4\0\0\0\0'), 'mode'), DataCorruptError);
});

test('names that are not UTF-8 are refused rather than decoded lossily', () => {
  assert.equal(decodeUtf8(Buffer.from('\ufeffbom', 'utf8'), 'name'), '\ufeffbom');
  assert.throws(() => decodeUtf8(Buffer.from([0x61, 0xff, 0x62]), 'entry name'), InvalidArgumentError);
});
