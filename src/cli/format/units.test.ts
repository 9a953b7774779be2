import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatG, humanSize, humanSizeWithPrecision, bytesSize, humanDuration, createdSince } from './units.js';

test('formatG follows Go %g: shortest form, exponent when digits run out', () => {
  assert.equal(formatG(4.262912, 3), '4.26');
  assert.equal(formatG(123.456, 3), '123');
  assert.equal(formatG(1.5, 3), '1.5');
  assert.equal(formatG(2, 3), '2');
  assert.equal(formatG(999.9, 3), '1e+03');
  assert.equal(formatG(0.0001234, 3), '0.000123');
  assert.equal(formatG(0.00001234, 3), '1.23e-05');
  assert.equal(formatG(0, 3), '0');
});

test('sizes as docker prints them', () => {
  assert.equal(humanSizeWithPrecision(1984241, 3), '1.98MB');
  assert.equal(humanSize(1984241), '1.984MB');
  assert.equal(humanSizeWithPrecision(0, 3), '0B');
  assert.equal(humanSizeWithPrecision(999, 3), '999B');
  assert.equal(humanSizeWithPrecision(1000, 3), '1kB');
  assert.equal(humanSizeWithPrecision(1200, 3), '1.2kB');
  assert.equal(humanSizeWithPrecision(999_999, 3), '1e+03kB');
  assert.equal(humanSizeWithPrecision(4_262_912, 3), '4.26MB');
  assert.equal(humanSizeWithPrecision(123_400_000, 3), '123MB');
  assert.equal(humanSize(1.5e12), '1.5TB');
  assert.equal(bytesSize(25_275_637_760), '23.54GiB');
  assert.equal(bytesSize(1024), '1KiB');
  assert.equal(bytesSize(512), '512B');
});

test('durations as go-units HumanDuration', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1 * s), '1 second');
  assert.equal(humanDuration(45 * s), '45 seconds');
  assert.equal(humanDuration(90 * s), 'About a minute');
  assert.equal(humanDuration(2 * m), '2 minutes');
  assert.equal(humanDuration(59 * m), '59 minutes');
  assert.equal(humanDuration(60 * m), 'About an hour');
  assert.equal(humanDuration(89 * m), 'About an hour');
  assert.equal(humanDuration(91 * m), '2 hours');
  assert.equal(humanDuration(47 * h), '47 hours');
  assert.equal(humanDuration(48 * h), '2 days');
  assert.equal(humanDuration(14 * 24 * h), '2 weeks');
  assert.equal(humanDuration(60 * 24 * h), '2 months');
  assert.equal(humanDuration(800 * 24 * h), '2 years');
  assert.equal(createdSince(1000, 1000 * 1000 + 120_000), '2 minutes ago');
});
