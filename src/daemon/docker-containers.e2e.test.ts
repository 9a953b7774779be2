import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { findExecutable } from '../host/index.js';
import { needsOverlay, skipOrFail } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { startDaemon, run, type TestDaemon } from '../../test/support/daemon.js';

/** The real docker CLI against a strata daemon, with a private DOCKER_CONFIG. */
async function dockerClient(t: Parameters<typeof needsOverlay>[0], dir: string, daemon: TestDaemon) {
  const dockerBin = await findExecutable('docker');
  if (!dockerBin) {
    skipOrFail(t, 'the docker CLI is not installed');
    return undefined;
  }
  const config = join(dir, 'docker-config');
  await mkdir(config, { recursive: true });
  const env = { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false' };
  return (args: string[], input?: string) => run([dockerBin, ...args], { env, input, timeoutMs: 60_000 });
}

/** Removes every container the daemon has (force), so none outlives the test. */
async function removeAll(daemon: TestDaemon): Promise<void> {
  const docker = new Docker({ socketPath: daemon.socket });
  for (const c of await docker.listContainers({ all: true }).catch(() => [])) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  }
}

test('the seed scenario through the real docker CLI', async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-docker-ctr-');
  t.after(() => temp.cleanup());
  const daemon = await startDaemon(join(temp.dir, 'd'));
  t.after(() => daemon.stop());
  t.after(() => removeAll(daemon));
  const docker = await dockerClient(t, temp.dir, daemon);
  if (!docker) return;
  assert.equal((await docker(['import', await makeBusyboxTarball(temp.dir), 'busybox'])).code, 0);
  // The seed image: busybox plus /base_file.txt in a layer of its own.
  const seed = await docker(['run', '--name', 'seed', 'busybox', 'sh', '-c', 'echo "base content" > /base_file.txt']);
  assert.equal(seed.code, 0, seed.stderr);
  assert.match((await docker(['commit', 'seed', 'base-image'])).stdout, /^sha256:[0-9a-f]{64}\n$/);

  for (const name of ['container1', 'container2']) {
    const r = await docker(['run', '-d', '--name', name, 'base-image', 'tail', '-f', '/dev/null']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
  }
  assert.equal((await docker(['exec', 'container1', 'sh', '-c', 'echo "modified" > /base_file.txt'])).code, 0);
  assert.equal((await docker(['exec', 'container1', 'cat', '/base_file.txt'])).stdout, 'modified\n');
  assert.equal((await docker(['exec', 'container2', 'cat', '/base_file.txt'])).stdout, 'base content\n');
  assert.equal((await docker(['diff', 'container1'])).stdout, 'C /base_file.txt\n');
  assert.equal((await docker(['diff', 'container2'])).stdout, '');

  const ps = await docker(['ps']);
  assert.match(ps.stdout, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES\n/);
  assert.match(ps.stdout, /[0-9a-f]{12} +base-image +"tail -f \/dev\/null" +.+ +Up .+ +container2\n/);
  assert.equal(ps.stdout.trim().split('\n').length, 3);

  // Exit codes, --rm, stdin, logs.
  const fg = await docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(fg.code, 3);
  assert.equal(fg.stdout, 'out\n');
  assert.equal(fg.stderr, 'err\n');
  assert.equal((await docker(['ps', '-a', '-q'])).stdout.trim().split('\n').length, 3, '--rm removed its container');
  assert.equal((await docker(['exec', '-i', 'container1', 'cat'], 'piped in\n')).stdout, 'piped in\n');
  assert.equal((await docker(['exec', 'container1', 'sh', '-c', 'exit 7'])).code, 7);
  const missing = await docker(['run', 'busybox', 'nosuchcmd']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /executable file not found in \$PATH/);
  assert.equal((await docker(['run', 'no-such-image'])).code, 125);
  assert.equal((await docker(['logs', 'seed'])).stdout, '');

  // Commit container1 and run the result: the change comes along.
  assert.equal((await docker(['commit', 'container1', 'committed'])).code, 0);
  assert.equal((await docker(['run', '--rm', 'committed', 'cat', '/base_file.txt'])).stdout, 'modified\n');

  // cp both ways.
  const hostFile = join(temp.dir, 'from-host.txt');
  await writeFile(hostFile, 'host data\n');
  assert.equal((await docker(['cp', hostFile, 'container1:/tmp/in.txt'])).code, 0);
  assert.equal((await docker(['exec', 'container1', 'cat', '/tmp/in.txt'])).stdout, 'host data\n');
  const outDir = join(temp.dir, 'out');
  assert.equal((await docker(['cp', 'container1:/base_file.txt', outDir])).code, 0);
  assert.equal(await readFile(outDir, 'utf8'), 'modified\n');
  const missingPath = await docker(['cp', 'container1:/nonexistent', outDir + '2']);
  assert.equal(missingPath.code, 1);
  assert.match(missingPath.stderr, /Could not find the file \/nonexistent in container container1/);

  // stop, rm.
  const stop = await docker(['stop', '-t', '1', 'container2']);
  assert.equal(stop.stdout, 'container2\n');
  assert.match((await docker(['ps', '-a', '--filter', 'name=container2', '--format', '{{.Status}}'])).stdout, /^Exited \(137\) /);
  assert.equal((await docker(['rm', '-f', 'container1', 'container2'])).stdout, 'container1\ncontainer2\n');
  const df = await docker(['system', 'df']);
  assert.match(df.stdout, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\nImages +3 +/);
});

test('dockerode: create, start, attach, exec, logs, remove', async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-dockerode-');
  t.after(() => temp.cleanup());
  const daemon = await startDaemon(join(temp.dir, 'd'));
  t.after(() => daemon.stop());
  t.after(() => removeAll(daemon));
  const docker = new Docker({ socketPath: daemon.socket });
  const tar = await readFile(await makeBusyboxTarball(temp.dir));
  const importStream = (await docker.importImage(tar as never, { repo: 'busybox', tag: 'latest' } as never)) as unknown as NodeJS.ReadableStream;
  await new Promise((resolve, reject) => docker.modem.followProgress(importStream, (err) => (err ? reject(err) : resolve(undefined))));

  const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'read line; echo "got $line"; echo bye >&2'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  docker.modem.demuxStream(stream, { write: (c: Buffer) => out.push(c) } as never, { write: (c: Buffer) => err.push(c) } as never);
  const ended = new Promise((resolve) => stream.on('end', resolve));
  await container.start();
  stream.write('hello\n');
  stream.end();
  const waited = await container.wait();
  await ended;
  assert.equal(waited.StatusCode, 0);
  assert.equal(Buffer.concat(out).toString(), 'got hello\n');
  assert.equal(Buffer.concat(err).toString(), 'bye\n');

  const sleeper = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '1000'], name: 'sleeper' });
  await sleeper.start();
  const exec = await sleeper.exec({ Cmd: ['sh', '-c', 'echo from-exec; exit 2'], AttachStdout: true, AttachStderr: true });
  const execStream = await exec.start({ hijack: true, stdin: false });
  const execOut: Buffer[] = [];
  docker.modem.demuxStream(execStream, { write: (c: Buffer) => execOut.push(c) } as never, { write: () => {} } as never);
  await new Promise((resolve) => execStream.on('end', resolve));
  assert.equal(Buffer.concat(execOut).toString(), 'from-exec\n');
  assert.equal((await exec.inspect()).ExitCode, 2);

  const logs = await container.logs({ stdout: true, stderr: true });
  assert.ok(logs.includes('got hello'));
  const inspect = await sleeper.inspect();
  assert.equal(inspect.State.Running, true);
  assert.equal(inspect.Name, '/sleeper');
  await sleeper.remove({ force: true });
  await container.remove();
  assert.deepEqual(await docker.listContainers({ all: true }), []);
});

test('after a kill -9 of the daemon, running containers are re-adopted and exits meanwhile recorded', async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-recovery-');
  t.after(() => temp.cleanup());
  const dir = join(temp.dir, 'd');
  let daemon = await startDaemon(dir);
  const stopDaemon = () => daemon.stop();
  t.after(() => stopDaemon());
  t.after(() => removeAll(daemon));
  const docker = await dockerClient(t, temp.dir, daemon);
  if (!docker) return;
  assert.equal((await docker(['import', await makeBusyboxTarball(temp.dir), 'busybox'])).code, 0);
  const flag = join(temp.dir, 'flag');
  await mkdir(flag);
  assert.equal((await docker(['run', '-d', '--name', 'keeps', 'busybox', 'sh', '-c', 'echo before; while true; do sleep 0.2; done'])).code, 0);
  // This one exits (with 5) while the daemon is down: it waits for a file from the host.
  assert.equal((await docker(['run', '-d', '--name', 'exits', '-v', `${flag}:/flag`, 'busybox', 'sh', '-c', 'echo logged; while [ ! -e /flag/go ]; do sleep 0.1; done; exit 5'])).code, 0);

  process.kill(daemon.pid, 'SIGKILL');
  await daemon.stop();
  await writeFile(join(flag, 'go'), '');
  await new Promise((r) => setTimeout(r, 1000));
  daemon = await startDaemon(dir);

  const keeps = await docker(['inspect', '-f', '{{.State.Status}}', 'keeps']);
  assert.equal(keeps.stdout, 'running\n', keeps.stderr);
  assert.equal((await docker(['exec', 'keeps', 'echo', 'still here'])).stdout, 'still here\n');
  assert.equal((await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'exits'])).stdout, 'exited 5\n');
  assert.equal((await docker(['logs', 'exits'])).stdout, 'logged\n', 'no log line written before the kill is lost');
  assert.equal((await docker(['logs', 'keeps'])).stdout, 'before\n');
  // And it keeps watching: an exit after the restart is seen too.
  assert.equal((await docker(['kill', 'keeps'])).code, 0);
  assert.equal((await docker(['wait', 'keeps'])).stdout, '137\n');
});
