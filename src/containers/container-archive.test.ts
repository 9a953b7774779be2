import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BigIntStats } from 'node:fs';
import { GO_MODE, goBase, goFileMode, preserveTrailingDotOrSeparator, rfc3339Nano } from './container-archive.js';

test('goFileMode: Go os.FileMode bits from st_mode, as moby puts them in PathStat', () => {
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o040755), 2147484141); // ModeDir | 0755, what `docker cp` sends for a directory
  assert.equal(goFileMode(0o120777), GO_MODE.symlink + 0o777);
  assert.equal(goFileMode(0o104755), GO_MODE.setuid + 0o755);
  assert.equal(goFileMode(0o102755), GO_MODE.setgid + 0o755);
  assert.equal(goFileMode(0o041777), GO_MODE.dir + GO_MODE.sticky + 0o777);
  assert.equal(goFileMode(0o020666), GO_MODE.device + GO_MODE.charDevice + 0o666);
  assert.equal(goFileMode(0o060660), GO_MODE.device + 0o660);
  assert.equal(goFileMode(0o010644), GO_MODE.namedPipe + 0o644);
  assert.equal(goFileMode(0o140755), GO_MODE.socket + 0o755);
});

test('rfc3339Nano: Go\'s time.Time JSON, trailing zeros of the fraction dropped', () => {
  const at = (ns: bigint) => rfc3339Nano({ mtimeNs: ns } as BigIntStats);
  assert.equal(at(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
  assert.equal(at(1_700_000_000_120_000_000n), '2023-11-14T22:13:20.12Z');
  assert.equal(at(1_700_000_000_000_000_001n), '2023-11-14T22:13:20.000000001Z');
  assert.equal(at(-1n), '1969-12-31T23:59:59.999999999Z');
});

test('Docker\'s path rules: filepath.Base and PreserveTrailingDotOrSeparator', () => {
  assert.equal(goBase('/etc/passwd'), 'passwd');
  assert.equal(goBase('/etc/'), 'etc');
  assert.equal(goBase('/'), '/');
  assert.equal(goBase('//'), '/');
  assert.equal(goBase('dir/.'), '.');
  assert.equal(goBase(''), '.');
  assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/'), '/a/b/');
  assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/.'), '/a/b/.');
  assert.equal(preserveTrailingDotOrSeparator('/', '.'), '/.');
  assert.equal(preserveTrailingDotOrSeparator('/', '/'), '/');
  assert.equal(preserveTrailingDotOrSeparator('/a', '/a'), '/a');
});
