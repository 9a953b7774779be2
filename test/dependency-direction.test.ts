import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const top = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('imports follow the dependency direction of DESIGN.md', () => {
  const cli = join(top, 'node_modules', '.bin', 'depcruise');
  const run = spawnSync(cli, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    cwd: top,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `dependency-cruiser reported violations:\n${run.stdout}\n${run.stderr}`);
});
