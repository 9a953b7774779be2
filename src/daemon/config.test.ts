import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDaemonArgs } from './args.js';
import { readConfigFile, configFromFile, mergeConfig, DEFAULT_HOST } from './config.js';
import { parseListenAddress } from './host-address.js';

test('flags, config file and defaults merge; a setting in both is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'daemon.json');
  await writeFile(file, JSON.stringify({ 'data-root': '/srv/strata', 'storage-driver': 'native', 'future-key': 1 }));
  const args = parseDaemonArgs(['--exec-root', '/run/x', '-H', 'unix:///tmp/a.sock', '--log-level', 'debug']);
  const config = mergeConfig(configFromFile(await readConfigFile(file, true)), args.flags);
  assert.equal(config.root, '/srv/strata');
  assert.equal(config.execRoot, '/run/x');
  assert.equal(config.storageDriver, 'native');
  assert.deepEqual(config.hosts, ['unix:///tmp/a.sock']);
  assert.equal(config.logLevel, 'debug');
  assert.deepEqual(mergeConfig({}, {}).hosts, [DEFAULT_HOST]);
  assert.throws(() => mergeConfig(configFromFile({ root: '/a' }), parseDaemonArgs(['--root', '/b']).flags), /specified both as a flag and in the configuration file: root/);
  assert.deepEqual(await readConfigFile(join(dir, 'absent.json'), false), {});
  await assert.rejects(readConfigFile(join(dir, 'absent.json'), true), /unable to read the configuration file/);
  await writeFile(file, '{"log-level": 3}');
  await assert.rejects(readConfigFile(file, true), /invalid configuration file .*log-level/);
  assert.throws(() => parseDaemonArgs(['--bogus']), /Unknown option '--bogus'/);
  assert.throws(() => parseDaemonArgs(['--storage-driver', 'zfs']), /unknown storage driver "zfs"/);
});

test('listen addresses', () => {
  assert.deepEqual(parseListenAddress('unix:///run/strata/strata.sock'), { kind: 'unix', path: '/run/strata/strata.sock' });
  assert.deepEqual(parseListenAddress('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375 });
  assert.deepEqual(parseListenAddress('tcp://[::1]:2375'), { kind: 'tcp', host: '::1', port: 2375 });
  assert.throws(() => parseListenAddress('unix://relative.sock'), /absolute path/);
  assert.throws(() => parseListenAddress('tcp://host'), /expected tcp:\/\/HOST:PORT/);
  assert.throws(() => parseListenAddress('ssh://x'), /only unix/);
});
