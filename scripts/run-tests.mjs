#!/usr/bin/env node
// Builds the project, then runs every compiled *.test.js under node's built-in test runner.
// Node 20 does not expand globs for --test, so the file list is gathered here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const top = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (!args.includes('--no-build')) {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: top, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const filter = args.filter((a) => !a.startsWith('--'));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js') && (filter.length === 0 || filter.some((f) => path.includes(f)))) files.push(path);
  }
};
walk(join(top, 'dist'));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  cwd: top,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
