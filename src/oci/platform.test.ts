import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlatform, normalizePlatform, parsePlatform, type Platform } from './platform.js';
import { compatiblePlatforms, currentPlatform, pickBestPlatform, platformMatcher } from './platform-match.js';
import { InvalidArgumentError } from '../base/index.js';

const amd64Host: Platform = { os: 'linux', architecture: 'amd64' };
const arm64Host: Platform = { os: 'linux', architecture: 'arm64' };

test('currentPlatform maps process.arch to the OCI name', () => {
  const p = currentPlatform();
  assert.equal(p.os, 'linux');
  const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
  if (expected[process.arch]) assert.equal(p.architecture, expected[process.arch]);
  assert.equal(p.variant, undefined);
});

test('parsePlatform', () => {
  const cases: Array<[string, Platform, Platform]> = [
    ['linux/amd64', amd64Host, { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64', amd64Host, { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64/v8', amd64Host, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/aarch64', amd64Host, { os: 'linux', architecture: 'arm64' }],
    ['linux/x86_64', arm64Host, { os: 'linux', architecture: 'amd64' }],
    ['linux/arm', amd64Host, { os: 'linux', architecture: 'arm' }],
    ['linux/arm/v6', amd64Host, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/arm/7', amd64Host, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/armhf', amd64Host, { os: 'linux', architecture: 'arm' }], // v7 is arm's default, left unsaid
    ['linux/i386', amd64Host, { os: 'linux', architecture: '386' }],
    ['Linux/AMD64', arm64Host, { os: 'linux', architecture: 'amd64' }],
    ['linux', arm64Host, { os: 'linux', architecture: 'arm64' }],
    ['arm64', amd64Host, { os: 'linux', architecture: 'arm64' }],
    ['amd64', arm64Host, { os: 'linux', architecture: 'amd64' }],
    ['windows/amd64', amd64Host, { os: 'windows', architecture: 'amd64' }],
    ['macos/arm64', amd64Host, { os: 'darwin', architecture: 'arm64' }],
  ];
  for (const [spec, host, expected] of cases) assert.deepEqual(parsePlatform(spec, host), expected, spec);
  for (const bad of ['', 'linux/', 'linux/amd64/v1/x', 'linux/*', 'nosuchthing', 'linux/am d64']) {
    assert.throws(() => parsePlatform(bad, amd64Host), InvalidArgumentError, bad);
  }
});

test('normalizePlatform and formatPlatform', () => {
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'aarch64', variant: 'v8' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'x86_64' }), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(
    normalizePlatform({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1', 'os.features': ['win32k', 'a', 'win32k'] }),
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1', 'os.features': ['a', 'win32k'] },
  );
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
  assert.equal(formatPlatform({ os: '', architecture: '' }), 'unknown');
});

test('matching: exact after normalisation, then compatible fallbacks', () => {
  const amd = platformMatcher(amd64Host);
  assert.ok(amd.matches({ os: 'linux', architecture: 'amd64' }));
  assert.ok(amd.matches({ os: 'linux', architecture: 'x86_64' }));
  assert.ok(amd.matches({ os: 'linux', architecture: '386' }));
  assert.ok(!amd.matches({ os: 'linux', architecture: 'arm64' }));
  assert.ok(!amd.matches({ os: 'windows', architecture: 'amd64' }));
  assert.ok(amd.rank({ os: 'linux', architecture: 'amd64' }) < amd.rank({ os: 'linux', architecture: '386' }));

  const arm = platformMatcher(arm64Host);
  assert.ok(arm.matches({ os: 'linux', architecture: 'arm64', variant: 'v8' }));
  assert.ok(arm.matches({ os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(!arm.matches({ os: 'linux', architecture: 'amd64' }));
  assert.equal(arm.rank({ os: 'linux', architecture: 'arm64' }), 0);

  const strict = platformMatcher(amd64Host, { strict: true });
  assert.ok(!strict.matches({ os: 'linux', architecture: '386' }));
  assert.ok(strict.matches({ os: 'linux', architecture: 'x86_64' }));

  const armv7 = platformMatcher({ os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.ok(armv7.matches({ os: 'linux', architecture: 'arm', variant: 'v6' }));
  assert.ok(!armv7.matches({ os: 'linux', architecture: 'arm', variant: 'v8' }));

  assert.deepEqual(compatiblePlatforms({ os: 'linux', architecture: 'amd64', variant: 'v3' }).map(formatPlatform), [
    'linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386',
  ]);
});

test('a candidate requiring OS features the host lacks does not match', () => {
  const m = platformMatcher({ os: 'windows', architecture: 'amd64' });
  assert.ok(!m.matches({ os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] }));
  assert.ok(platformMatcher({ os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] }).matches({ os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] }));
});

test('pickBestPlatform chooses the best entry of an index', () => {
  const entries = [
    { name: '386', platform: { os: 'linux', architecture: '386' } },
    { name: 'arm', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { name: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
    { name: 'none' },
  ] as Array<{ name: string; platform?: Platform }>;
  assert.equal(pickBestPlatform(entries, (e) => e.platform, amd64Host)?.name, 'amd64');
  assert.equal(pickBestPlatform(entries.slice(0, 2), (e) => e.platform, amd64Host)?.name, '386');
  assert.equal(pickBestPlatform(entries, (e) => e.platform, arm64Host)?.name, 'arm');
  assert.equal(pickBestPlatform(entries, (e) => e.platform, { os: 'linux', architecture: 's390x' }), undefined);
});
