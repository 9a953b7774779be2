import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterArgs } from './filters.js';
import { parseTimestamp, parseUnixTimestamp, formatUnixTimestamp, parseGoDuration } from './timestamps.js';

test('filters: both wire forms, validation and Docker messages', () => {
  const a = FilterArgs.fromJSON('{"dangling":{"true":true},"label":{"a=b":true}}');
  assert.equal(a.getBool('dangling', false), true);
  assert.deepEqual(a.get('label'), ['a=b']);
  const legacy = FilterArgs.fromJSON('{"reference":["busy*"]}');
  assert.deepEqual(legacy.get('reference'), ['busy*']);
  assert.throws(() => FilterArgs.fromJSON('{nope'), /^InvalidArgumentError: invalid filter$|invalid filter/);
  assert.throws(() => a.validate(['dangling']), /invalid filter 'label'/);
  assert.throws(() => FilterArgs.fromJSON('{"dangling":["maybe"]}').getBool('dangling', false), /invalid filter 'dangling=\[maybe\]'/);
  assert.equal(a.matchKVList('label', { a: 'b' }), true);
  assert.equal(a.matchKVList('label', { a: 'c' }), false);
  assert.equal(new FilterArgs().add('k', 'v').toQuery(), '{"k":{"v":true}}');
  assert.equal(FilterArgs.fromFlags(['dangling=true']).toQuery(), '{"dangling":{"true":true}}');
  assert.throws(() => FilterArgs.fromFlags(['nonsense']), /bad format of filter/);
});

test('timestamps: durations, RFC 3339, unix seconds with nanoseconds', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400_000_000_000n);
  assert.equal(parseGoDuration('1.5s'), 1_500_000_000n);
  assert.equal(parseGoDuration('x'), undefined);
  const now = 1_700_000_000_000_000_000n;
  assert.equal(parseTimestamp('10m', now), now - 600_000_000_000n);
  assert.equal(parseTimestamp('2024-01-02T03:04:05Z', now), 1_704_164_645_000_000_000n);
  assert.equal(parseTimestamp('2024-01-02T03:04:05.5+01:00', now), 1_704_161_045_500_000_000n);
  assert.equal(parseTimestamp('1700000000.000000001', now), 1_700_000_000_000_000_001n);
  assert.equal(parseUnixTimestamp('12.5'), 12_500_000_000n);
  assert.equal(parseUnixTimestamp(''), undefined);
  assert.throws(() => parseUnixTimestamp('abc'), /invalid timestamp "abc"/);
  assert.equal(formatUnixTimestamp(1_700_000_000_000_000_001n), '1700000000.000000001');
});
