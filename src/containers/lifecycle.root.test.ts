import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isRoot, kernelHasFilesystem } from '../host/index.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { makeContainerEngine, type ContainerEngine } from '../../test/support/engine.js';
import { containerLogs } from './container-logs.js';
import type { CreateRequest } from './container-service.js';

// One engine for the whole file (each test makes its own containers): real overlay, runc, conmon.
let engine: ContainerEngine;
let temp: Awaited<ReturnType<typeof makeTempRoot>>;
const privileged = isRoot() && (await kernelHasFilesystem('overlay'));
if (!privileged && process.env.STRATA_TEST_PRIVILEGED === '1') throw new Error('container lifecycle tests need root and overlayfs');

before(async () => {
  if (!privileged) return;
  temp = await makeTempRoot('strata-lifecycle-');
  engine = await makeContainerEngine(temp.dir);
  await engine.images.importRootfs(createReadStream(await makeBusyboxTarball(temp.dir)), { reference: 'busybox' });
});

after(async () => {
  if (!privileged) return;
  await engine.close();
  await temp.cleanup();
});

const ptest = (name: string, fn: () => Promise<void>) => test(name, { skip: privileged ? false : 'needs root and overlayfs' }, fn);

let counter = 0;
async function run(request: Omit<CreateRequest, 'Image'> & { Image?: string }): Promise<{ id: string; code: number; stdout: string; stderr: string }> {
  const record = await engine.containers.create({ Image: 'busybox', name: `run${++counter}`, ...request });
  const exited = engine.containers.wait(record.id, 'next-exit');
  await engine.containers.start(record.id);
  const { StatusCode } = await exited;
  let stdout = '';
  let stderr = '';
  for await (const line of containerLogs(engine.containers, record.id)) {
    if (line.stream === 'stdout') stdout += line.data.toString();
    else stderr += line.data.toString();
  }
  return { id: record.id, code: StatusCode, stdout, stderr };
}

async function exec(container: string, cmd: string[], extra: { User?: string; Env?: string[]; WorkingDir?: string } = {}) {
  const id = engine.execs.create(container, { Cmd: cmd, AttachStdout: true, AttachStderr: true, ...extra });
  const session = await engine.execs.start(id);
  const [stdout, stderr, code] = await Promise.all([collect(session.stdout), collect(session.stderr), session.exited]);
  return { code, stdout, stderr, inspect: engine.execs.inspect(id) };
}

async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

async function waitForLog(id: string, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    let out = '';
    for await (const line of containerLogs(engine.containers, id)) out += line.data.toString();
    if (out.includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`container ${id} never logged ${JSON.stringify(text)}`);
}

async function detached(request: Omit<CreateRequest, 'Image'> = {}): Promise<string> {
  const record = await engine.containers.create({ Image: 'busybox', Cmd: ['sleep', '1000'], name: `d${++counter}`, ...request });
  await engine.containers.start(record.id);
  return record.id;
}

ptest('exit codes propagate and stdout/stderr stay apart', async () => {
  const r = await run({ Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(engine.containers.get(r.id).state.ExitCode, 3);
  assert.equal(engine.containers.get(r.id).state.Status, 'exited');
});

ptest('a command missing from the image fails with runc\'s words and exit code 127', async () => {
  const record = await engine.containers.create({ Image: 'busybox', Cmd: ['nosuchcmd'], name: 'missing-cmd' });
  await assert.rejects(engine.containers.start(record.id), /executable file not found in \$PATH/);
  const state = engine.containers.get(record.id).state;
  assert.equal(state.ExitCode, 127);
  assert.match(state.Error, /nosuchcmd/);
  assert.equal(state.Status, 'created');
});

ptest('env, workdir, user, hostname, labels', async () => {
  const r = await run({
    Cmd: ['sh', '-c', 'echo "$FOO|$(pwd)|$(id -u):$(id -g)|$(hostname)"'],
    Env: ['FOO=bar'], WorkingDir: '/work/dir', User: 'nobody', Hostname: 'myhost', Labels: { a: 'b' },
  });
  assert.equal(r.stdout, 'bar|/work/dir|65534:65534|myhost\n');
  assert.deepEqual(engine.containers.get(r.id).config.Labels, { a: 'b' });
  const byId = await run({ Cmd: ['id', '-u'], User: '1234:5678' });
  assert.equal(byId.stdout, '1234\n');
  await assert.rejects(engine.containers.start((await engine.containers.create({ Image: 'busybox', Cmd: ['true'], User: 'ghost' })).id), /unable to find user ghost/);
});

ptest('the default hostname is the short ID; /etc files are the container\'s own', async () => {
  const r = await run({ Cmd: ['sh', '-c', 'hostname; cat /etc/hostname; grep -c localhost /etc/hosts'] });
  const short = r.id.slice(0, 12);
  assert.equal(r.stdout, `${short}\n${short}\n2\n`);
});

ptest('network none has only loopback; host shares the host\'s interfaces', async () => {
  const none = await run({ Cmd: ['ls', '/sys/class/net'], HostConfig: { NetworkMode: 'none' } });
  assert.equal(none.stdout.trim(), 'lo');
  const host = await run({ Cmd: ['ls', '/sys/class/net'], HostConfig: { NetworkMode: 'host' } });
  assert.deepEqual(host.stdout.trim().split(/\s+/).sort(), (await readdir('/sys/class/net')).sort());
  await assert.rejects(engine.containers.create({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'bridge' } }), /bridge networking is not available yet/);
});

ptest('bind mounts (rw and ro), tmpfs, read-only rootfs', async () => {
  const hostDir = join(temp.dir, 'bind');
  await mkdir(hostDir);
  await writeFile(join(hostDir, 'in.txt'), 'from host\n');
  const r = await run({
    Cmd: ['sh', '-c', 'cat /data/in.txt; echo back > /data/out.txt; echo x > /ro/f 2>/dev/null || echo ro-refused; echo t > /scratch/t && cat /scratch/t; touch /rootfile 2>/dev/null || echo rootfs-ro'],
    HostConfig: { Binds: [`${hostDir}:/data`, `${hostDir}:/ro:ro`], Tmpfs: { '/scratch': 'size=1m' }, ReadonlyRootfs: true },
  });
  assert.equal(r.stdout, 'from host\nro-refused\nt\nrootfs-ro\n');
  assert.equal(await readFile(join(hostDir, 'out.txt'), 'utf8'), 'back\n');
  await assert.rejects(engine.containers.create({ Image: 'busybox', Cmd: ['true'], HostConfig: { Mounts: [{ Type: 'bind', Source: '/nonexistent-strata', Target: '/x' }] } }), /bind source path does not exist: \/nonexistent-strata/);
});

ptest('named volumes: created on first use, filled from the image, data survives the container', async () => {
  const first = await run({ Cmd: ['sh', '-c', 'ls /etc/passwd && echo kept > /etc/new'], HostConfig: { Binds: ['etcvol:/etc'] } });
  assert.equal(first.code, 0, first.stderr);
  assert.ok(engine.volumes.has('etcvol'));
  await engine.containers.remove(first.id);
  const second = await run({ Cmd: ['cat', '/v/new'], HostConfig: { Binds: ['etcvol:/v'] } });
  assert.equal(second.stdout, 'kept\n');
  await assert.rejects(engine.volumes.remove('etcvol'), /volume is in use/);
  await engine.containers.remove(second.id);
  await engine.volumes.remove('etcvol');
});

ptest('--init runs the process under tini; limits reach the cgroup', async () => {
  const init = await run({ Cmd: ['sh', '-c', 'cat /proc/1/comm'], HostConfig: { Init: true } });
  assert.match(init.stdout, /^(docker-init|tini)/);
  const limited = await run({ Cmd: ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'], HostConfig: { Memory: 64 * 1024 * 1024, PidsLimit: 50 } });
  assert.equal(limited.stdout, `${64 * 1024 * 1024}\n50\n`);
});

ptest('stop sends the stop signal, then SIGKILL after the timeout', async () => {
  const graceful = await detached({ Cmd: ['sh', '-c', 'trap "exit 7" TERM; echo ready; while true; do sleep 0.1; done'] });
  // PID 1 ignores signals it has no handler for: stop only once the trap is in place.
  await waitForLog(graceful, 'ready\n');
  await engine.containers.stop(graceful, { timeout: 5 });
  assert.equal(engine.containers.get(graceful).state.ExitCode, 7);
  const stubborn = await detached({ Cmd: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] });
  await engine.containers.stop(stubborn, { timeout: 1 });
  assert.equal(engine.containers.get(stubborn).state.ExitCode, 137);
  await assert.rejects(engine.containers.stop(stubborn), /is not running/);
});

ptest('kill, pause/unpause, restart, rename, remove', async () => {
  const id = await detached();
  await engine.containers.pause(id);
  assert.equal(engine.containers.get(id).state.Status, 'paused');
  await assert.rejects(engine.containers.pause(id), /is already paused/);
  await assert.rejects(engine.containers.remove(id), /You cannot remove a paused container/);
  await engine.containers.unpause(id);
  await assert.rejects(engine.containers.unpause(id), /is not paused/);
  const pid = engine.containers.get(id).state.Pid;
  await engine.containers.restart(id, { timeout: 1 });
  assert.equal(engine.containers.get(id).state.Status, 'running');
  assert.notEqual(engine.containers.get(id).state.Pid, pid);
  await engine.containers.rename(id, 'renamed-one');
  assert.equal(engine.containers.get('renamed-one').id, id);
  await assert.rejects(engine.containers.create({ Image: 'busybox', Cmd: ['true'], name: 'renamed-one' }), /The container name "\/renamed-one" is already in use/);
  await assert.rejects(engine.containers.remove(id), /You cannot remove a running container/);
  const exited = engine.containers.wait(id, 'next-exit');
  await engine.containers.kill(id, 'SIGKILL');
  assert.deepEqual(await exited, { StatusCode: 137 });
  await assert.rejects(engine.containers.kill(id), /is not running/);
  await assert.rejects(engine.containers.start(engine.containers.get(id).id).then(() => engine.containers.start(id)), /already running/);
  await engine.containers.remove(id, { force: true });
  assert.throws(() => engine.containers.get(id), /No such container/);
});

ptest('restart policy on-failure:2 restarts twice, then stops; auto-remove removes', async () => {
  const record = await engine.containers.create({ Image: 'busybox', Cmd: ['sh', '-c', 'exit 1'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } });
  await engine.containers.start(record.id);
  for (let i = 0; i < 100 && !(engine.containers.get(record.id).restartCount === 2 && engine.containers.get(record.id).state.Status === 'exited'); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(engine.containers.get(record.id).restartCount, 2);
  assert.equal(engine.containers.get(record.id).state.Status, 'exited');
  const rm = await engine.containers.create({ Image: 'busybox', Cmd: ['true'], HostConfig: { AutoRemove: true } });
  const removed = engine.containers.wait(rm.id, 'removed');
  await engine.containers.start(rm.id);
  await removed;
  assert.equal(engine.containers.store.tryGet(rm.id), undefined);
});

ptest('exec: env, user, workdir, exit code; refused in a stopped container', async () => {
  const id = await detached({ Env: ['BASE=1'] });
  const r = await exec(id, ['sh', '-c', 'echo "$BASE $EXTRA $(id -u) $(pwd)"; exit 4'], { Env: ['EXTRA=2'], User: 'nobody', WorkingDir: '/tmp' });
  assert.equal(r.stdout, '1 2 65534 /tmp\n');
  assert.equal(r.code, 4);
  assert.equal(r.inspect.ExitCode, 4);
  assert.equal(r.inspect.Running, false);
  await engine.containers.kill(id);
  await new Promise((res) => setTimeout(res, 200));
  assert.throws(() => engine.execs.create(id, { Cmd: ['true'] }), /is not running/);
});

ptest('logs: tail, timestamps, since', async () => {
  const r = await run({ Cmd: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done'] });
  const tail: string[] = [];
  for await (const l of containerLogs(engine.containers, r.id, { tail: 2 })) tail.push(l.data.toString());
  assert.deepEqual(tail, ['line4\n', 'line5\n']);
  for await (const l of containerLogs(engine.containers, r.id, { timestamps: true, tail: 1 })) {
    assert.match(l.data.toString(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line5\n$/);
  }
  const none: string[] = [];
  for await (const l of containerLogs(engine.containers, r.id, { since: Date.now() / 1000 + 60 })) none.push(l.data.toString());
  assert.deepEqual(none, []);
});

ptest('top lists the container\'s processes with ps columns', async () => {
  const { containerTop } = await import('./container-top.js');
  const id = await detached();
  const top = await containerTop(engine.containers, id);
  assert.ok(top.Titles.includes('PID') && top.Titles.includes('CMD'));
  assert.equal(top.Processes.length, 1);
  assert.equal(top.Processes[0]![top.Titles.indexOf('CMD')], 'sleep 1000');
  await engine.containers.remove(id, { force: true });
  await assert.rejects(containerTop(engine.containers, (await engine.containers.create({ Image: 'busybox', Cmd: ['true'] })).id), /is not running/);
});

ptest('a failed start leaves no mount and no runtime state behind', async () => {
  const { mountsUnder } = await import('../host/index.js');
  const record = await engine.containers.create({ Image: 'busybox', Cmd: ['/etc/passwd'] });
  await assert.rejects(engine.containers.start(record.id), /permission denied/);
  assert.equal(engine.containers.get(record.id).state.ExitCode, 126);
  assert.deepEqual(await mountsUnder(engine.containers.dir(record.id)), []);
  assert.ok(!(await engine.runtime.list()).includes(record.id));
  await engine.containers.remove(record.id);
  await assert.rejects(engine.images.snapshotter.stat(record.id), /not found/);
});
