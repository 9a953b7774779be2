import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable } from '../host/index.js';
import { needsOverlay, skipOrFail } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { startDaemon, run } from '../../test/support/daemon.js';

test('the real docker CLI works against stratad', async (t) => {
  if (await needsOverlay(t)) return;
  const dockerBin = await findExecutable('docker');
  if (!dockerBin) {
    skipOrFail(t, 'the docker CLI is not installed');
    return;
  }
  const temp = await makeTempRoot('strata-docker-cli-');
  t.after(() => temp.cleanup());
  const tarball = await makeBusyboxTarball(temp.dir);
  const daemon = await startDaemon(join(temp.dir, 'd'));
  t.after(() => daemon.stop());
  const dockerConfig = join(temp.dir, 'docker-config');
  await mkdir(dockerConfig);
  // A private DOCKER_CONFIG so root's ~/.docker (contexts, credentials) plays no part.
  const env = { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: dockerConfig, DOCKER_CLI_HINTS: 'false' };
  const docker = (...args: string[]) => run([dockerBin, ...args], { env, timeoutMs: 60_000 });

  await t.test('docker version and info', async () => {
    const version = await docker('version');
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /\nServer: strata\n Engine:\n  Version: +\d+\.\d+\.\d+\n  API version: +1\.47 \(minimum version 1\.24\)\n/);
    assert.match(version.stdout, / API version: +1\.47 \(downgraded from 1\.\d+\)\n/, 'the client negotiated down to 1.47');
    const info = await docker('info');
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /\n Server Version: \d+\.\d+\.\d+\n Storage Driver: overlay\n  Backing Filesystem: /);
    assert.ok(info.stdout.includes(` Docker Root Dir: ${daemon.root}\n`));
    assert.equal((await docker('info', '--format', '{{.OSType}}/{{.Driver}}')).stdout, 'linux/overlay\n');
  });

  let id = '';
  await t.test('docker import, images, image inspect, history', async () => {
    const imported = await docker('import', '--message', 'base image', tarball, 'busybox:latest');
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/);
    id = imported.stdout.trim();
    const images = await docker('images');
    assert.match(images.stdout, new RegExp(`^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\nbusybox +latest +${id.slice(7, 19)} +.+ ago +[\\d.]+MB\n$`));
    const inspect = await docker('image', 'inspect', 'busybox');
    assert.equal(inspect.code, 0, inspect.stderr);
    const [element] = JSON.parse(inspect.stdout) as { Id: string; Comment: string; RepoTags: string[]; Config: { Cmd: unknown } }[];
    assert.equal(element!.Id, id);
    assert.equal(element!.Comment, 'base image');
    assert.deepEqual(element!.RepoTags, ['busybox:latest']);
    assert.equal((await docker('image', 'inspect', '-f', '{{.Os}}/{{.Architecture}} {{.Config.Cmd}}', 'busybox')).stdout.split(' ')[1], '[]\n');
    const history = await docker('history', 'busybox');
    assert.match(history.stdout, new RegExp(`^IMAGE +CREATED +CREATED BY +SIZE +COMMENT\n${id.slice(7, 19)} +.+ ago +[\\d.]+MB +base image\n$`));
  });

  await t.test('docker tag and rmi, with docker\'s errors and exit codes', async () => {
    assert.equal((await docker('tag', 'busybox', 'example/bb:1')).code, 0);
    assert.match((await docker('images', 'example/bb')).stdout, /\nexample\/bb +1 +/);
    const missing = await docker('rmi', 'nosuch');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'Error response from daemon: No such image: nosuch:latest');
    const badTag = await docker('tag', 'nosuch', 'x');
    assert.equal(badTag.code, 1);
    assert.match(badTag.stderr, /Error response from daemon: No such image: nosuch:latest/);
    assert.equal((await docker('rmi', 'example/bb:1')).stdout, 'Untagged: example/bb:1\n');
  });

  await t.test('docker system df', async () => {
    const df = await docker('system', 'df');
    assert.equal(df.code, 0, df.stderr);
    assert.match(df.stdout, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\nImages +1 +0 +[\d.]+MB +[\d.]+MB \(100%\)\nContainers +0 +0 +0B +0B\nLocal Volumes +0 +0 +0B +0B\nBuild Cache +0 +0 +0B +0B\n$/);
    const verbose = await docker('system', 'df', '-v');
    assert.match(verbose.stdout, new RegExp(`\nbusybox +latest +${id.slice(7, 19)} +.+ ago +[\\d.]+MB +0B +[\\d.]+MB +0\n`));
  });

  await t.test('docker pull fails with a clear message (no registry client yet)', async () => {
    const pull = await docker('pull', 'alpine:3');
    assert.equal(pull.code, 1);
    assert.match(pull.stderr, /cannot reach registries/);
  });

  await t.test('docker rmi deletes the image and its layer', async () => {
    const rmi = await docker('rmi', 'busybox');
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.match(rmi.stdout, new RegExp(`^Untagged: busybox:latest\nDeleted: ${id}\nDeleted: sha256:[0-9a-f]{64}\n$`));
    assert.equal((await docker('images', '-q')).stdout, '');
  });
});
