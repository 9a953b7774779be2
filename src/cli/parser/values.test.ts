import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ramInBytes, parseCpus, validateEnv, validateExtraHost, validateLabel, validateAttach, parseRestartPolicy, parseCsvRecord,
  parseMount, parseVolumeSpec, parseKvFile, parseUlimit, parsePortSpecs, validateIPAddress,
} from './values.js';
import { parseFlags } from './flags.js';
import { detachKeyBytes, EscapeProxy } from '../streams/escape-proxy.js';

test('sizes as units.RAMInBytes reads them', () => {
  assert.equal(ramInBytes('512'), 512);
  assert.equal(ramInBytes('512b'), 512);
  assert.equal(ramInBytes('64m'), 64 * 1024 * 1024);
  assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('10 MiB'), 10 * 1024 * 1024);
  assert.equal(ramInBytes('2KB'), 2048);
  assert.throws(() => ramInBytes('1q'), /^Error: invalid suffix: 'q'$/);
  assert.throws(() => ramInBytes('12mbb'), /invalid suffix: 'mbb'/);
  assert.throws(() => ramInBytes('abc'), /invalid size: 'abc'/);
  assert.throws(() => ramInBytes('1.2.3m'), /strconv.ParseFloat: parsing "1.2.3": invalid syntax/);
});

test('CPUs as rational numbers', () => {
  assert.equal(parseCpus('1.5'), 1_500_000_000);
  assert.equal(parseCpus('3/2'), 1_500_000_000);
  assert.equal(parseCpus('0.000000001'), 1);
  assert.equal(parseCpus('2'), 2_000_000_000);
  assert.throws(() => parseCpus('1.0000000001'), /value is too precise/);
  assert.throws(() => parseCpus('abc'), /failed to parse abc as a rational number/);
});

test('validators with docker\'s messages', () => {
  assert.equal(validateEnv('A=1'), 'A=1');
  assert.equal(validateEnv('HOMEY', { HOMEY: '/x' }), 'HOMEY=/x');
  assert.equal(validateEnv('UNSET', {}), 'UNSET');
  assert.throws(() => validateEnv('=x'), /invalid environment variable: =x/);
  assert.equal(validateExtraHost('foo:1.2.3.4'), 'foo:1.2.3.4');
  assert.equal(validateExtraHost('foo=::1'), 'foo:::1');
  assert.equal(validateExtraHost('foo=[::1]'), 'foo:::1');
  assert.equal(validateExtraHost('gw:host-gateway'), 'gw:host-gateway');
  assert.throws(() => validateExtraHost('foo'), /bad format for add-host: "foo"/);
  assert.throws(() => validateExtraHost('foo:bar'), /invalid IP address in add-host: "bar"/);
  assert.throws(() => validateLabel('=x'), /invalid label '=x': empty name/);
  assert.throws(() => validateLabel('a b=c'), /label 'a b' contains whitespaces/);
  assert.equal(validateAttach('STDIN'), 'stdin');
  assert.throws(() => validateAttach('foo'), /valid streams are STDIN, STDOUT and STDERR/);
  assert.equal(validateIPAddress('8.8.8.8'), '8.8.8.8');
  assert.equal(validateIPAddress('0:0:0:0:0:0:0:1'), '::1');
  assert.throws(() => validateIPAddress('foo'), /IP address is not correctly formatted: foo/);
});

test('restart policies', () => {
  assert.deepEqual(parseRestartPolicy('no'), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.throws(() => parseRestartPolicy(':3'), /no policy provided before colon/);
  assert.throws(() => parseRestartPolicy('on-failure:x'), /maximum retry count must be an integer/);
});

test('--mount CSV', () => {
  assert.deepEqual(parseCsvRecord('a,"b,c",d'), ['a', 'b,c', 'd']);
  assert.deepEqual(parseCsvRecord('"x""y"'), ['x"y']);
  assert.deepEqual(parseMount('type=bind,source=/src,target=/dst,readonly,bind-propagation=rshared'), {
    Type: 'bind', Source: '/src', Target: '/dst', ReadOnly: true, BindOptions: { Propagation: 'rshared' },
  });
  assert.deepEqual(parseMount('src=./rel,dst=/d', '/base'), { Type: 'volume', Source: '/base/rel', Target: '/d' });
  assert.deepEqual(parseMount('type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770'), { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } });
  assert.deepEqual(parseMount('type=volume,src=v,dst=/v,volume-nocopy,volume-label=a=b'), {
    Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: {} },
  });
  assert.throws(() => parseMount('type=bind'), /target is required/);
  assert.throws(() => parseMount('type=bind,dst=/x,bogus=1'), /unexpected key 'bogus' in 'bogus=1'/);
  assert.throws(() => parseMount('type=tmpfs,dst=/x,volume-nocopy'), /cannot mix 'volume-\*' options with mount type 'tmpfs'/);
  assert.throws(() => parseMount('dst=/x,foo'), /invalid field 'foo' must be a key=value pair/);
});

test('-v specs: binds, named and anonymous volumes', () => {
  assert.deepEqual(parseVolumeSpec('/host:/c:ro'), { type: 'bind', source: '/host', target: '/c' });
  assert.deepEqual(parseVolumeSpec('./rel:/c'), { type: 'bind', source: './rel', target: '/c' });
  assert.deepEqual(parseVolumeSpec('name:/data'), { type: 'volume', source: 'name', target: '/data' });
  assert.deepEqual(parseVolumeSpec('/anon'), { type: 'volume', source: '', target: '/anon' });
  assert.throws(() => parseVolumeSpec(':::'), /invalid spec: :::: empty section between colons/);
  assert.throws(() => parseVolumeSpec('/a:/b:ro:x'), /too many colons/);
});

test('env and label files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-kv-'));
  try {
    const file = join(dir, 'env');
    writeFileSync(file, '\uFEFFA=1\n  # comment\n\nB\nC=x y\nMISSING\n');
    assert.deepEqual(parseKvFile(file, (k) => (k === 'B' ? 'from-env' : undefined)), ['A=1', 'B=from-env', 'C=x y']);
    writeFileSync(file, 'BAD KEY=1\n');
    assert.throws(() => parseKvFile(file), new RegExp(`invalid env file \\(${file}\\): variable 'BAD KEY' contains whitespaces`));
    assert.throws(() => parseKvFile(join(dir, 'none')), /open .*none: no such file or directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ulimits and ports', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  assert.deepEqual(parseUlimit('nproc=10'), { Name: 'nproc', Soft: 10, Hard: 10 });
  assert.throws(() => parseUlimit('bogus=1'), /invalid ulimit type: bogus/);
  assert.deepEqual(parsePortSpecs(['127.0.0.1:8080:80/udp', '443']), {
    exposed: { '80/udp': {}, '443/tcp': {} },
    bindings: { '80/udp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '443/tcp': [{ HostIp: '', HostPort: '' }] },
  });
});

test('flag values are checked while parsing, with pflag\'s message', () => {
  const specs = [{ name: 'memory', short: 'm', type: 'string' as const, description: '', validate: (v: string) => (ramInBytes(v), v) }];
  assert.throws(() => parseFlags(['-m', '1q'], specs), /^Error: invalid argument "1q" for "-m, --memory" flag: invalid suffix: 'q'$/);
  assert.equal(parseFlags(['--memory=1g'], specs).values.get('memory'), '1g');
});

test('detach keys', () => {
  assert.deepEqual(detachKeyBytes('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(detachKeyBytes('a,ctrl-@,ctrl-\\,DEL'), [97, 0, 28, 127]);
  assert.throws(() => detachKeyBytes('ctrl-1'), /Unknown character: 'ctrl-1'/);
  const proxy = new EscapeProxy([16, 17]);
  assert.deepEqual(proxy.filter(Buffer.from('ab')), { data: Buffer.from('ab'), detached: false });
  assert.deepEqual(proxy.filter(Buffer.from([16])), { data: Buffer.alloc(0), detached: false }, 'a partial sequence is held back');
  assert.deepEqual(proxy.filter(Buffer.from('x')), { data: Buffer.from([16, 120]), detached: false }, 'and released when the next key does not complete it');
  assert.deepEqual(proxy.filter(Buffer.from([99, 16, 17, 100])), { data: Buffer.from([99]), detached: true });
  assert.deepEqual(new EscapeProxy([16, 17]).filter(Buffer.from([16, 16, 17])), { data: Buffer.from([16]), detached: true });
});
