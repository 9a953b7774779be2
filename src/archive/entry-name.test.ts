import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../base/index.js';
import { cleanEntryName, splitEntryName } from './entry-name.js';

test('entry names are cleaned as if joined to / and come back relative', () => {
  const cases: Array<[string, string]> = [
    ['a/b/c', 'a/b/c'],
    ['./a/b/', 'a/b'],
    ['/etc/passwd', 'etc/passwd'],
    ['../../x', 'x'],
    ['/../victim/slash-dotdot', 'victim/slash-dotdot'],
    ['a/../../b', 'b'],
    ['a//b///c', 'a/b/c'],
    ['a/./b/.', 'a/b'],
    ['..', ''],
    ['.', ''],
    ['./', ''],
    ['/', ''],
    ['', ''],
    ['dne/../.wh.etc', '.wh.etc'],
    ['...', '...'],
    ['a/..b', 'a/..b'],
  ];
  for (const [name, cleaned] of cases) assert.equal(cleanEntryName(name), cleaned, JSON.stringify(name));
});

test('a NUL byte in a name is refused', () => {
  assert.throws(() => cleanEntryName('a\0b'), InvalidArgumentError);
});

test('split gives the parent and the last component', () => {
  assert.deepEqual(splitEntryName('a/b/c'), { parent: 'a/b', base: 'c' });
  assert.deepEqual(splitEntryName('c'), { parent: '', base: 'c' });
  assert.deepEqual(splitEntryName(''), { parent: '', base: '' });
});
