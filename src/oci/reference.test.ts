import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseReference,
  parseNormalizedNamed,
  parseNamed,
  parseDockerRef,
  parseAnyReference,
  withDefaultTag,
  familiarName,
  familiarString,
  isImageIdHex,
  Reference,
} from './reference.js';
import { InvalidArgumentError } from '../base/index.js';

const F64 = 'f'.repeat(64);
const HEX = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

function expectError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

// Cases of distribution/reference's TestReferenceParse: Parse without normalisation.
const parseCases: Array<{ input: string; err?: string; name?: string; domain?: string; tag?: string; digest?: string }> = [
  { input: 'test_com', name: 'test_com', domain: '' },
  { input: 'test.com:tag', name: 'test.com', domain: '', tag: 'tag' },
  { input: 'test.com:5000', name: 'test.com', domain: '', tag: '5000' },
  { input: 'test.com/repo:tag', domain: 'test.com', name: 'test.com/repo', tag: 'tag' },
  { input: 'test:5000/repo', domain: 'test:5000', name: 'test:5000/repo' },
  { input: 'test:5000/repo:tag', domain: 'test:5000', name: 'test:5000/repo', tag: 'tag' },
  { input: `test:5000/repo@sha256:${F64}`, domain: 'test:5000', name: 'test:5000/repo', digest: `sha256:${F64}` },
  { input: `test:5000/repo:tag@sha256:${F64}`, domain: 'test:5000', name: 'test:5000/repo', tag: 'tag', digest: `sha256:${F64}` },
  { input: '', err: 'repository name must have at least one component' },
  { input: ':justtag', err: 'invalid reference format' },
  { input: `@sha256:${F64}`, err: 'invalid reference format' },
  { input: 'repo@sha256:ffffffffffffffffffffffffffffffffff', err: 'invalid checksum digest length' },
  { input: `validname@invaliddigest:${F64}`, err: 'unsupported digest algorithm' },
  { input: `validname@sha512:${'f'.repeat(128)}`, err: 'unsupported digest algorithm' },
  { input: `validname@sha256:${'F'.repeat(64)}`, err: 'invalid checksum digest format' },
  { input: 'Uppercase:tag', err: 'repository name must be lowercase' },
  { input: 'test:5000/Uppercase/lowercase:tag', err: 'repository name must be lowercase' },
  { input: 'lowercase:Uppercase', name: 'lowercase', domain: '', tag: 'Uppercase' },
  { input: `domain/${'a'.repeat(256)}:tag`, err: 'repository name must not be more than 255 characters' },
  { input: `${'a/'.repeat(127)}a:tag-puts-this-over-max`, domain: 'a', name: `${'a/'.repeat(127)}a`, tag: 'tag-puts-this-over-max' },
  { input: 'aa/asdf$$^/aa', err: 'invalid reference format' },
  { input: 'sub-dom1.foo.com/bar/baz/quux', domain: 'sub-dom1.foo.com', name: 'sub-dom1.foo.com/bar/baz/quux' },
  { input: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', domain: 'sub-dom1.foo.com', name: 'sub-dom1.foo.com/bar/baz/quux', tag: 'some-long-tag' },
  { input: 'b.gcr.io/test.example.com/my-app:test.example.com', domain: 'b.gcr.io', name: 'b.gcr.io/test.example.com/my-app', tag: 'test.example.com' },
  { input: 'xn--n3h.com/myimage:xn--n3h.com', domain: 'xn--n3h.com', name: 'xn--n3h.com/myimage', tag: 'xn--n3h.com' },
  { input: `xn--7o8h.com/myimage:xn--7o8h.com@sha256:${F64}`, domain: 'xn--7o8h.com', name: 'xn--7o8h.com/myimage', tag: 'xn--7o8h.com', digest: `sha256:${F64}` },
  { input: 'foo_bar.com:8080', name: 'foo_bar.com', domain: '', tag: '8080' },
  { input: 'foo/foo_bar.com:8080', domain: 'foo', name: 'foo/foo_bar.com', tag: '8080' },
  { input: '192.168.1.1', name: '192.168.1.1', domain: '' },
  { input: '192.168.1.1:tag', name: '192.168.1.1', domain: '', tag: 'tag' },
  { input: '192.168.1.1:5000', name: '192.168.1.1', domain: '', tag: '5000' },
  { input: '192.168.1.1/repo', domain: '192.168.1.1', name: '192.168.1.1/repo' },
  { input: '192.168.1.1:5000/repo', domain: '192.168.1.1:5000', name: '192.168.1.1:5000/repo' },
  { input: '192.168.1.1:5000/repo:5050', domain: '192.168.1.1:5000', name: '192.168.1.1:5000/repo', tag: '5050' },
  { input: '[2001:db8::1]', err: 'invalid reference format' },
  { input: '[2001:db8::1]:5000', err: 'invalid reference format' },
  { input: '[2001:db8::1]:tag', err: 'invalid reference format' },
  { input: '[2001:db8::1]/repo', domain: '[2001:db8::1]', name: '[2001:db8::1]/repo' },
  { input: '[2001:db8:1:2:3:4:5:6]/repo:tag', domain: '[2001:db8:1:2:3:4:5:6]', name: '[2001:db8:1:2:3:4:5:6]/repo', tag: 'tag' },
  { input: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo' },
  { input: '[2001:db8::1]:5000/repo:tag', domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo', tag: 'tag' },
  { input: `[2001:db8::1]:5000/repo@sha256:${F64}`, domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo', digest: `sha256:${F64}` },
  { input: `[2001:db8::1]:5000/repo:tag@sha256:${F64}`, domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo', tag: 'tag', digest: `sha256:${F64}` },
  { input: '[2001:db8::]:5000/repo', domain: '[2001:db8::]:5000', name: '[2001:db8::]:5000/repo' },
  { input: '[::1]:5000/repo', domain: '[::1]:5000', name: '[::1]:5000/repo' },
  { input: '[fe80::1%eth0]:5000/repo', err: 'invalid reference format' },
  { input: '[fe80::1%@invalidzone]:5000/repo', err: 'invalid reference format' },
  { input: `example.com/${'a'.repeat(255)}:tag`, domain: 'example.com', name: `example.com/${'a'.repeat(255)}`, tag: 'tag' },
];

test('parseReference: the grammar of distribution/reference, without normalisation', async (t) => {
  for (const c of parseCases) {
    await t.test(c.input.slice(0, 60) || '(empty)', () => {
      if (c.err) {
        expectError(() => parseReference(c.input), c.err);
        return;
      }
      const ref = parseReference(c.input);
      assert.equal(ref.toString(), c.input);
      assert.equal(ref.name, c.name);
      assert.equal(ref.domain, c.domain);
      assert.equal(ref.tag, c.tag);
      assert.equal(ref.digest, c.digest);
    });
  }
});

// TestValidateReferenceName and TestValidateRemoteName.
const validNames = [
  'docker/docker', 'library/debian', 'debian', 'localhost/library/debian', 'localhost/debian',
  'LOCALDOMAIN/library/debian', 'LOCALDOMAIN/debian', 'docker.io/docker/docker', 'docker.io/library/debian',
  'docker.io/debian', 'index.docker.io/docker/docker', 'index.docker.io/library/debian', 'index.docker.io/debian',
  '127.0.0.1:5000/docker/docker', '127.0.0.1:5000/library/debian', '127.0.0.1:5000/debian', '192.168.0.1',
  '192.168.0.1:80', '192.168.0.1:8/debian', '192.168.0.2:25000/debian',
  'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
  '[fc00::1]:5000/docker', '[fc00::1]:5000/docker/docker', '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
  'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'Docker/docker', 'DOCKER/docker',
  'docker-rules/docker', 'docker---rules/docker', 'doc/docker', 'd/docker', 'jess/t', 'dock__er/docker',
];
const invalidNames = [
  'https://github.com/docker/docker', 'docker/Docker', '-docker', '-docker/docker', '-docker.io/docker/docker',
  'docker///docker', 'docker.io/docker/Docker', 'docker.io/docker///docker', '[fc00::1]', '[fc00::1]:5000',
  'fc00::1:5000/debian', '[fe80::1%eth0]:5000/debian', '[2001:db8:3:4::192.0.2.33]:5000/debian',
  '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'docker-/docker', '-docker-/docker', '____/____', '_docker/_docker', 'dock..er/docker', 'dock_.er/docker',
  'dock-.er/docker', 'docker/',
  `${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4)}/docker`,
];

test('parseNormalizedNamed accepts the names Docker accepts', () => {
  for (const name of validNames) assert.doesNotThrow(() => parseNormalizedNamed(name), name);
});

test('parseNormalizedNamed refuses the names Docker refuses', () => {
  for (const name of invalidNames) assert.throws(() => parseNormalizedNamed(name), InvalidArgumentError, name);
});

// TestParseRepositoryInfo: every spelling of a repository normalises to one full name.
const repositoryInfo: Array<{ remote: string; familiar: string; full: string; ambiguous?: string; domain: string }> = [
  { remote: 'fooo', familiar: 'localhost/fooo', full: 'localhost/fooo', ambiguous: 'localhost/fooo', domain: 'localhost' },
  { remote: 'fooo/bar', familiar: 'localhost/fooo/bar', full: 'localhost/fooo/bar', ambiguous: 'localhost/fooo/bar', domain: 'localhost' },
  { remote: 'fooo', familiar: 'LOCALDOMAIN/fooo', full: 'LOCALDOMAIN/fooo', ambiguous: 'LOCALDOMAIN/fooo', domain: 'LOCALDOMAIN' },
  { remote: 'fooo/bar', familiar: 'LOCALDOMAIN/fooo/bar', full: 'LOCALDOMAIN/fooo/bar', ambiguous: 'LOCALDOMAIN/fooo/bar', domain: 'LOCALDOMAIN' },
  { remote: 'fooo/bar', familiar: 'fooo/bar', full: 'docker.io/fooo/bar', ambiguous: 'index.docker.io/fooo/bar', domain: 'docker.io' },
  { remote: 'library/ubuntu', familiar: 'ubuntu', full: 'docker.io/library/ubuntu', ambiguous: 'library/ubuntu', domain: 'docker.io' },
  { remote: 'nonlibrary/ubuntu', familiar: 'nonlibrary/ubuntu', full: 'docker.io/nonlibrary/ubuntu', domain: 'docker.io' },
  { remote: 'other/library', familiar: 'other/library', full: 'docker.io/other/library', domain: 'docker.io' },
  { remote: 'private/moonbase', familiar: '127.0.0.1:8000/private/moonbase', full: '127.0.0.1:8000/private/moonbase', domain: '127.0.0.1:8000' },
  { remote: 'privatebase', familiar: '127.0.0.1:8000/privatebase', full: '127.0.0.1:8000/privatebase', domain: '127.0.0.1:8000' },
  { remote: 'private/moonbase', familiar: 'example.com/private/moonbase', full: 'example.com/private/moonbase', domain: 'example.com' },
  { remote: 'privatebase', familiar: 'example.com/privatebase', full: 'example.com/privatebase', domain: 'example.com' },
  { remote: 'private/moonbase', familiar: 'example.com:8000/private/moonbase', full: 'example.com:8000/private/moonbase', domain: 'example.com:8000' },
  { remote: 'privatebasee', familiar: 'example.com:8000/privatebasee', full: 'example.com:8000/privatebasee', domain: 'example.com:8000' },
  { remote: 'library/ubuntu-12.04-base', familiar: 'ubuntu-12.04-base', full: 'docker.io/library/ubuntu-12.04-base', ambiguous: 'index.docker.io/library/ubuntu-12.04-base', domain: 'docker.io' },
  { remote: 'library/foo', familiar: 'foo', full: 'docker.io/library/foo', ambiguous: 'docker.io/foo', domain: 'docker.io' },
  { remote: 'library/foo/bar', familiar: 'library/foo/bar', full: 'docker.io/library/foo/bar', domain: 'docker.io' },
  { remote: 'store/foo/bar', familiar: 'store/foo/bar', full: 'docker.io/store/foo/bar', domain: 'docker.io' },
  { remote: 'bar', familiar: 'Foo/bar', full: 'Foo/bar', domain: 'Foo' },
  { remote: 'bar', familiar: 'FOO/bar', full: 'FOO/bar', domain: 'FOO' },
];

test('parseNormalizedNamed: familiar, full and ambiguous spellings agree', () => {
  for (const c of repositoryInfo) {
    for (const spelling of [c.familiar, c.full, ...(c.ambiguous ? [c.ambiguous] : [])]) {
      const ref = parseNormalizedNamed(spelling);
      assert.equal(familiarName(ref), c.familiar, spelling);
      assert.equal(ref.toString(), c.full, spelling);
      assert.equal(ref.domain, c.domain, spelling);
      assert.equal(ref.path, c.remote, spelling);
    }
  }
});

test('the examples of the brief normalise like docker', () => {
  const cases: Array<[string, string, string]> = [
    // input, normalised with default tag, familiar string
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['user/repo', 'docker.io/user/repo:latest', 'user/repo:latest'],
    ['localhost:5000/x', 'localhost:5000/x:latest', 'localhost:5000/x:latest'],
    ['127.0.0.1:5000/x:tag', '127.0.0.1:5000/x:tag', '127.0.0.1:5000/x:tag'],
    ['registry.example.com/a/b/c:t', 'registry.example.com/a/b/c:t', 'registry.example.com/a/b/c:t'],
    [`busybox@sha256:${HEX}`, `docker.io/library/busybox@sha256:${HEX}`, `busybox@sha256:${HEX}`],
    [`busybox:1.36@sha256:${HEX}`, `docker.io/library/busybox:1.36@sha256:${HEX}`, `busybox:1.36@sha256:${HEX}`],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/busybox:1', 'docker.io/library/busybox:1', 'busybox:1'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
  ];
  for (const [input, normalized, familiar] of cases) {
    const ref = withDefaultTag(parseNormalizedNamed(input));
    assert.equal(ref.toString(), normalized, input);
    assert.equal(familiarString(ref), familiar, input);
  }
});

test('errors carry docker\'s messages', () => {
  expectError(() => parseNormalizedNamed('Busybox'), 'invalid reference format: repository name (library/Busybox) must be lowercase');
  expectError(() => parseNormalizedNamed('docker/Docker:tag'), 'invalid reference format: repository name (docker/Docker) must be lowercase');
  expectError(() => parseNormalizedNamed('-foo'), 'invalid reference format');
  expectError(() => parseNormalizedNamed('busybox:'), 'invalid reference format');
  expectError(() => parseNormalizedNamed('busybox:-tag'), 'invalid reference format');
  expectError(() => parseNormalizedNamed(`busybox:${'t'.repeat(129)}`), 'invalid reference format');
  expectError(() => parseNormalizedNamed('a b'), 'invalid reference format');
  expectError(() => parseNormalizedNamed(`example.com/${'a'.repeat(256)}`), 'repository name must not be more than 255 characters');
  expectError(() => parseReference(''), 'repository name must have at least one component');
  expectError(() => parseNormalizedNamed(HEX), `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`);
});

test('tags follow [\\w][\\w.-]{0,127}', () => {
  const ref = parseNormalizedNamed('busybox');
  for (const tag of ['latest', '1.36.1', 'v1_2-rc.3', '_x', 'A', 't'.repeat(128)]) {
    assert.equal(ref.withTag(tag).tag, tag);
  }
  for (const tag of ['', '-x', '.x', 'a:b', 'a/b', 't'.repeat(129)]) {
    expectError(() => ref.withTag(tag), /^invalid tag format/);
  }
  expectError(() => ref.withDigest('foo'), 'invalid digest format');
  assert.equal(ref.withDigest(`sha256:${HEX}`).toString(), `docker.io/library/busybox@sha256:${HEX}`);
});

test('tag and digest together (TestParseReferenceWithTagAndDigest)', () => {
  const short = 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
  const ref = parseNormalizedNamed(short);
  assert.equal(ref.toString(), `docker.io/library/${short}`);
  assert.equal(ref.tag, 'latest');
  assert.equal(ref.digest, 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa');
  assert.equal(familiarString(ref), short);
});

test('parseAnyReference: IDs, digests and names (TestParseAnyReference)', () => {
  const named: Array<[string, string]> = [
    ['redis', 'docker.io/library/redis'],
    ['redis:latest', 'docker.io/library/redis:latest'],
    ['docker.io/library/redis:latest', 'docker.io/library/redis:latest'],
    [`redis@sha256:${HEX}`, `docker.io/library/redis@sha256:${HEX}`],
    [`docker.io/library/redis@sha256:${HEX}`, `docker.io/library/redis@sha256:${HEX}`],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp'],
    ['dmcgowan/myapp:latest', 'docker.io/dmcgowan/myapp:latest'],
    ['docker.io/mcgowan/myapp:latest', 'docker.io/mcgowan/myapp:latest'],
    [`dmcgowan/myapp@sha256:${HEX}`, `docker.io/dmcgowan/myapp@sha256:${HEX}`],
    [HEX.slice(0, 63), `docker.io/library/${HEX.slice(0, 63)}`],
    ['dbcc1', 'docker.io/library/dbcc1'],
  ];
  for (const [input, expected] of named) {
    const any = parseAnyReference(input);
    assert.equal(any.kind, 'named', input);
    if (any.kind === 'named') assert.equal(any.ref.toString(), expected, input);
  }
  assert.deepEqual(parseAnyReference(HEX), { kind: 'id', id: `sha256:${HEX}` });
  assert.deepEqual(parseAnyReference(`sha256:${HEX}`), { kind: 'id', id: `sha256:${HEX}` });
  assert.ok(isImageIdHex(HEX));
  assert.ok(!isImageIdHex(HEX.toUpperCase()));
});

test('domain splitting (TestNormalizedSplitHostname)', () => {
  const cases: Array<[string, string, string]> = [
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['docker/migrator', 'docker.io', 'docker/migrator'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['foo', 'docker.io', 'library/foo'],
    ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['docker.io/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
  ];
  for (const [input, domain, path] of cases) {
    const ref = parseNormalizedNamed(input);
    assert.equal(ref.domain, domain, input);
    assert.equal(ref.path, path, input);
  }
});

test('parseDockerRef: default tag, digest wins over tag (TestParseDockerRef)', () => {
  const d = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
  const cases: Array<[string, string]> = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    [`busybox@${d}`, `docker.io/library/busybox@${d}`],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox:latest', 'docker.io/library/busybox:latest'],
    ['library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
    [`gcr.io/library/busybox:latest@${d}`, `gcr.io/library/busybox@${d}`],
  ];
  for (const [input, expected] of cases) {
    const ref = parseDockerRef(input);
    assert.equal(ref.toString(), expected, input);
    assert.equal(parseReference(ref.toString()).toString(), expected);
  }
});

test('parseNamed insists on the canonical form', () => {
  assert.equal(parseNamed('docker.io/library/busybox:latest').toString(), 'docker.io/library/busybox:latest');
  expectError(() => parseNamed('busybox'), 'repository name must be canonical');
});

test('Reference helpers', () => {
  const ref = parseNormalizedNamed(`busybox:1@sha256:${HEX}`);
  assert.equal(ref.nameOnly().toString(), 'docker.io/library/busybox');
  assert.equal(ref.name, 'docker.io/library/busybox');
  assert.equal(JSON.stringify({ ref }), JSON.stringify({ ref: ref.toString() }));
  assert.ok(ref.equals(new Reference('docker.io', 'library/busybox', '1', `sha256:${HEX}`)));
  assert.ok(!ref.isNameOnly);
  assert.ok(parseNormalizedNamed('busybox').isNameOnly);
  // withTag keeps a digest, as Go's WithTag does.
  assert.equal(ref.withTag('2').toString(), `docker.io/library/busybox:2@sha256:${HEX}`);
});

test('hostile input is rejected quickly (no regex backtracking blow-up)', () => {
  const started = process.hrtime.bigint();
  const hostile = [
    `${'a-'.repeat(50_000)}!`,
    `${'a.'.repeat(50_000)}A/`,
    `${'a'.repeat(100_000)}${'-'.repeat(100_000)}!`,
    `${'a__'.repeat(30_000)}_/x`,
    `${'[::'.repeat(30_000)}`,
    `x/${'a/'.repeat(50_000)}:`,
  ];
  for (const input of hostile) assert.throws(() => parseNormalizedNamed(input), InvalidArgumentError);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 2000, `took ${ms} ms`);
});
