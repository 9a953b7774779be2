import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarMatch, pathMatch } from './familiar-match.js';
import { parseNormalizedNamed } from './reference.js';
import { InvalidArgumentError } from '../base/index.js';

test('familiarMatch (distribution/reference TestMatch)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['foo', 'foo/**/ba[rz]', false],
    ['foo/any/bat', 'foo/**/ba[rz]', false],
    ['foo/a/bar', 'foo/**/ba[rz]', true],
    ['foo/b/baz', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/*/baz:tag', true],
    ['foo/c/baz:tag', 'foo/c/baz:tag', true],
    ['example.com/foo/c/baz:tag', '*/foo/c/baz', true],
    ['example.com/foo/c/baz:tag', 'example.com/foo/c/baz', true],
    ['busybox:latest', 'busybox', true],
    ['busybox:latest', 'busy*', true],
    ['busybox:1.36', 'busybox:1.*', true],
    ['busybox:1.36', 'busybox:2*', false],
  ];
  for (const [reference, pattern, expected] of cases) {
    assert.equal(familiarMatch(pattern, parseNormalizedNamed(reference)), expected, `${reference} ~ ${pattern}`);
  }
});

test('a malformed pattern is an error (TestMatchError)', () => {
  assert.throws(() => familiarMatch('[-x]', parseNormalizedNamed('foo')), InvalidArgumentError);
  for (const bad of ['[', '[]', 'a\\', '[a-', '[^]']) {
    assert.throws(() => pathMatch(bad, 'a'), /syntax error in pattern/, bad);
  }
});

test('pathMatch follows Go path.Match', () => {
  const cases: Array<[string, string, boolean]> = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[abc]', 'b', true],
    ['[^abc]', 'b', false],
    ['[a-c]', 'b', true],
    ['[^a-c]', 'd', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['[\\]a]', ']', true],
    ['[x\\-]', '-', true],
    ['a.b', 'axb', false],
    ['a+b', 'a+b', true],
    ['[z-a]x', 'bx', false],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(pathMatch(pattern, name), expected, `${pattern} ~ ${name}`);
});
