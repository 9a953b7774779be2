import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageConfig } from '../oci/index.js';
import { mergeImageConfig, mergeEnvLists, processArgs } from './create-config.js';

const image = (config: ImageConfig['config']): ImageConfig => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config });

test('image Cmd is used when the request has none', () => {
  const c = mergeImageConfig({}, image({ Cmd: ['sh'] }), 'busybox');
  assert.deepEqual(processArgs(c), ['sh']);
});

test('request Cmd replaces the image Cmd, keeps the image Entrypoint', () => {
  const c = mergeImageConfig({ Cmd: ['-c', 'x'] }, image({ Entrypoint: ['sh'], Cmd: ['-i'] }), 'img');
  assert.deepEqual(processArgs(c), ['sh', '-c', 'x']);
});

test('a request Entrypoint drops the image Cmd', () => {
  const c = mergeImageConfig({ Entrypoint: ['echo'] }, image({ Entrypoint: ['sh'], Cmd: ['-i'] }), 'img');
  assert.deepEqual(processArgs(c), ['echo']);
});

test('an empty request Entrypoint clears the image one', () => {
  const c = mergeImageConfig({ Entrypoint: [''], Cmd: ['ls'] }, image({ Entrypoint: ['sh'], Cmd: ['-i'] }), 'img');
  assert.deepEqual(processArgs(c), ['ls']);
  assert.equal(c.Entrypoint, null);
});

test('nothing to run is Docker\'s "No command specified"', () => {
  assert.throws(() => mergeImageConfig({}, image({}), 'img'), /No command specified/);
});

test('env: image first, request overrides by name', () => {
  assert.deepEqual(mergeEnvLists(['PATH=/bin', 'A=1'], ['A=2', 'B=3']), ['PATH=/bin', 'A=2', 'B=3']);
  const c = mergeImageConfig({ Env: ['X=y'], Cmd: ['true'] }, image({ Env: ['PATH=/usr/bin'] }), 'img');
  assert.deepEqual(c.Env, ['PATH=/usr/bin', 'X=y']);
});

test('a relative working directory is refused', () => {
  assert.throws(() => mergeImageConfig({ WorkingDir: 'rel', Cmd: ['true'] }, image({}), 'img'), /needs to be an absolute path/);
});
