import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, FlagError, type FlagSpec } from './flags.js';

const specs: FlagSpec[] = [
  { name: 'all', short: 'a', type: 'bool', description: '' },
  { name: 'quiet', short: 'q', type: 'bool', description: '' },
  { name: 'format', type: 'string', description: '' },
  { name: 'filter', short: 'f', type: 'stringArray', description: '' },
  { name: 'human', short: 'H', type: 'bool', default: true, description: '' },
  { name: 'tail', short: 'n', type: 'int', description: '' },
];

test('pflag forms: long, =value, combined shorts, attached values', () => {
  const p = parseFlags(['-aq', 'busybox', '--format={{.ID}}', '-fdangling=true', '-f', 'label=x', '--filter', 'reference=b*', '-H=false', '-n5'], specs);
  assert.equal(p.values.get('all'), true);
  assert.equal(p.values.get('quiet'), true);
  assert.equal(p.values.get('format'), '{{.ID}}');
  assert.deepEqual(p.values.get('filter'), ['dangling=true', 'label=x', 'reference=b*']);
  assert.equal(p.values.get('human'), false);
  assert.equal(p.values.get('tail'), 5);
  assert.deepEqual(p.args, ['busybox'], 'flags may follow arguments');
  assert.ok(p.given.has('all') && !p.given.has('nothing'));
});

test('defaults, -- and a lone dash', () => {
  const p = parseFlags(['-', '--', '-a', '--format'], specs);
  assert.equal(p.values.get('human'), true);
  assert.equal(p.values.get('all'), false);
  assert.deepEqual(p.args, ['-', '-a', '--format']);
});

test('without interspersing, flags stop at the first argument (run/exec rule)', () => {
  const p = parseFlags(['-a', 'busybox', 'ls', '-la', '--format', 'x'], specs, { interspersed: false });
  assert.equal(p.values.get('all'), true);
  assert.deepEqual(p.args, ['busybox', 'ls', '-la', '--format', 'x']);
});

test('errors say what pflag says', () => {
  assert.throws(() => parseFlags(['--foo'], specs), (e: Error) => e instanceof FlagError && e.message === 'unknown flag: --foo');
  assert.throws(() => parseFlags(['-ax'], specs), /unknown shorthand flag: 'x' in -ax/);
  assert.throws(() => parseFlags(['--format'], specs), /flag needs an argument: --format/);
  assert.throws(() => parseFlags(['--all=maybe'], specs), /invalid argument "maybe" for "-a, --all" flag: strconv.ParseBool/);
  assert.throws(() => parseFlags(['-n', 'x'], specs), /strconv.ParseInt: parsing "x": invalid syntax/);
  assert.equal(parseFlags(['--help'], specs).help, true);
  assert.equal(parseFlags(['-h'], specs).help, true);
});
