import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../base/index.js';
import { runCommand } from '../host/index.js';
import { needsRoot, skipOrFail } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import {
  buildSpec, ConmonRuntime, OciRuntimeError, readLogStreams, withArgs, withCgroupsPath, withCpus, withEnv, withHostname,
  withCapabilities, withInit, withMemory, withNetwork, withNoNewPrivileges, withPidsLimit, withStopSignal, withReadonlyRootfs, withTerminal, type CreateOptions, type ExitInfo,
  type SpecOption,
} from './index.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/make-busybox-rootfs', import.meta.url));

let tarball: Promise<string> | undefined;
/** The busybox rootfs tarball, made once per test file (and removed with the process's temp root). */
function busyboxTarball(dir: string): Promise<string> {
  tarball ??= (async () => {
    const out = join(dir, 'busybox-rootfs.tar');
    await runCommand([SCRIPT, out], { timeoutMs: 60_000 });
    return out;
  })();
  return tarball;
}

const tarRoot = await makeTempRoot('strata-runtime-e2e-tar-');
after(() => tarRoot.cleanup());

interface Made {
  id: string;
  bundleDir: string;
  logPath: string;
  rootfs: string;
  cgroup: string;
}

/**
 * One test's world: a private exec root and runc root under a temp dir, busybox rootfses,
 * and a cleanup that runs even when the test failed — `runc delete -f` every container,
 * SIGKILL every conmon whose pid file is under the exec root, cgroups removed, temp dir
 * removed — and then checks that no conmon or runc process mentioning the temp dir is left.
 */
class Testbed {
  readonly tag = randomBytes(4).toString('hex');
  private readonly made: Made[] = [];
  private readonly runtimes: ConmonRuntime[] = [];

  private constructor(readonly dir: string, readonly runtime: ConmonRuntime, private readonly removeDir: () => Promise<void>) {
    this.runtimes.push(runtime);
  }

  static async open(t: TestContext): Promise<Testbed | undefined> {
    if (await needsRoot(t)) return undefined;
    for (const bin of ['runc', 'conmon']) {
      if (!(await runCommand(['sh', '-c', `command -v ${bin}`], { check: false })).stdout.trim()) {
        skipOrFail(t, `${bin} is not installed`);
        return undefined;
      }
    }
    const temp = await makeTempRoot('strata-runtime-e2e-');
    let runtime: ConmonRuntime;
    try {
      runtime = await ConmonRuntime.open({ execRoot: join(temp.dir, 'exec'), createTimeoutMs: 30_000 });
    } catch (err) {
      await temp.cleanup();
      throw err;
    }
    const bed = new Testbed(temp.dir, runtime, temp.cleanup);
    t.after(() => bed.cleanup());
    return bed;
  }

  /** Another runtime on the same exec root: what the daemon builds after a restart. */
  async reopen(): Promise<ConmonRuntime> {
    const rt = await ConmonRuntime.open({ execRoot: join(this.dir, 'exec') });
    this.runtimes.push(rt);
    return rt;
  }

  /** A bundle with its own busybox rootfs and config.json (checked against `runc features`). */
  async prepare(name: string, options: SpecOption[]): Promise<Made> {
    const id = `${name}-${this.tag}`;
    const base = join(this.dir, name);
    const rootfs = join(base, 'rootfs');
    const bundleDir = join(base, 'bundle');
    await mkdir(rootfs, { recursive: true });
    await mkdir(bundleDir, { recursive: true });
    await runCommand(['tar', '-xf', await busyboxTarball(tarRoot.dir), '-C', rootfs]);
    const cgroup = `/strata-test-${id}`;
    const spec = await buildSpec({ containerId: id, rootfs }, [withCgroupsPath(cgroup), ...options]);
    await this.runtime.writeBundle(id, bundleDir, spec);
    const made = { id, bundleDir, logPath: join(base, 'log', 'container.log'), rootfs, cgroup };
    this.made.push(made);
    return made;
  }

  async create(name: string, options: SpecOption[], createOptions: Partial<CreateOptions> = {}): Promise<Made & { pid: number; conmonPid: number | undefined }> {
    const made = await this.prepare(name, options);
    const created = await this.runtime.create(made.id, { bundleDir: made.bundleDir, logPath: made.logPath, ...createOptions });
    return { ...made, ...created };
  }

  async cleanup(): Promise<void> {
    const root = join(this.dir, 'exec', 'runc');
    for (const m of this.made) await runCommand(['runc', '--root', root, 'delete', '-f', m.id], { check: false });
    for (const pidFile of await conmonPidFiles(join(this.dir, 'exec', 'containers'))) {
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0 && (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'conmon') {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    for (const rt of this.runtimes) rt.close();
    for (const m of this.made) {
      for (const controller of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
        const dir = join('/sys/fs/cgroup', controller, m.cgroup);
        if (existsSync(dir)) await rmdir(dir).catch(() => {});
      }
    }
    await this.removeDir();
    // Nothing of ours may survive the test.
    const { stdout } = await runCommand(['ps', '-eo', 'pid=,comm=,args=']);
    const leftovers = stdout.split('\n').filter((l) => /\b(conmon|runc)\b/.test(l) && l.includes(this.dir));
    assert.deepEqual(leftovers, [], 'conmon/runc processes left behind');
  }
}

async function conmonPidFiles(containersDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const id of await readdir(containersDir).catch(() => [] as string[])) {
    out.push(join(containersDir, id, 'conmon.pid'));
    for (const execId of await readdir(join(containersDir, id, 'exec')).catch(() => [] as string[])) {
      out.push(join(containersDir, id, 'exec', execId, 'conmon.pid'));
    }
  }
  return out;
}

function waitExit(rt: ConmonRuntime, id: string, timeoutMs = 15_000): Promise<ExitInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cancel(); reject(new Error(`container ${id} did not exit within ${timeoutMs} ms`)); }, timeoutMs);
    const cancel = rt.onExit(id, (info) => { clearTimeout(timer); resolve(info); });
  });
}

/** Collects a stream until it ends (bounded). */
function collect(stream: Readable, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`stream did not end within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString())}`)), timeoutMs);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString()); });
    stream.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** Resolves when `text` has appeared on the stream (bounded). */
function waitFor(stream: Readable, text: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => { stream.off('data', onData); reject(new Error(`${JSON.stringify(text)} did not appear; got ${JSON.stringify(seen)}`)); }, timeoutMs);
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (seen.includes(text)) { clearTimeout(timer); stream.off('data', onData); resolve(seen); }
    };
    stream.on('data', onData);
  });
}

async function runToExit(bed: Testbed, name: string, options: SpecOption[]): Promise<{ exit: ExitInfo; stdout: string; stderr: string }> {
  const c = await bed.create(name, options);
  const exited = waitExit(bed.runtime, c.id);
  await bed.runtime.start(c.id);
  const exit = await exited;
  const logs = await readLogStreams(c.logPath);
  return { exit, stdout: logs.stdout.toString(), stderr: logs.stderr.toString() };
}

test('echo hello: the log keeps stdout and stderr apart', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const { exit, stdout, stderr } = await runToExit(bed, 'echo', [withArgs(['sh', '-c', 'echo hello; echo oops >&2'])]);
  assert.equal(exit.exitCode, 0);
  assert.equal(exit.oomKilled, false);
  assert.equal(stdout, 'hello\n');
  assert.equal(stderr, 'oops\n');
  const raw = await readFile(join(bed.dir, 'echo', 'log', 'container.log'), 'utf8');
  assert.match(raw, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d (stdout|stderr) F (hello|oops)\n/);
});

test('the exit code propagates and stays readable after exit', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const { exit } = await runToExit(bed, 'exit3', [withArgs(['sh', '-c', 'exit 3'])]);
  assert.equal(exit.exitCode, 3);
  const id = (await bed.runtime.list()).find((i) => i.startsWith('exit3-'))!;
  assert.equal((await bed.runtime.readExit(id))!.exitCode, 3);
  assert.equal((await bed.runtime.state(id)).status, 'stopped');
  await assert.rejects(bed.runtime.exec(id, 'late', { args: ['true'] }), (e: unknown) => (e as { kind?: string }).kind === 'conflict');
  await bed.runtime.delete(id);
  assert.equal(await bed.runtime.readExit(id), undefined);
  assert.deepEqual(await bed.runtime.list(), []);

  // Created but never started: a forced delete kills the waiting process and its conmon.
  const idle = await bed.create('idle', [withArgs(['true'])]);
  assert.equal((await bed.runtime.state(idle.id)).status, 'created');
  await bed.runtime.delete(idle.id, { force: true });
  assert.equal(await bed.runtime.conmonPid(idle.id), undefined);
  assert.deepEqual(await bed.runtime.list(), []);
});

test('the spec is checked against `runc features` and the daemon\'s capabilities', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const features = await bed.runtime.features();
  assert.ok(features.linux?.capabilities?.includes('CAP_CHOWN'));
  await assert.rejects(bed.prepare('bogus', [withArgs(['true']), withCapabilities({ add: ['CAP_BOGUS'] })]), /unknown capability "CAP_BOGUS"/);
  const bounding = await readFile('/proc/self/status', 'utf8').then((s) => /^CapBnd:\s*([0-9a-f]+)/m.exec(s)![1]!);
  if (((BigInt(`0x${bounding}`) >> 24n) & 1n) === 0n) {
    await assert.rejects(bed.prepare('sysres', [withArgs(['true']), withCapabilities({ add: ['SYS_RESOURCE'] })]), /CAP_SYS_RESOURCE is not in the daemon's own bounding set/);
  }
});

test("a missing command fails create with runc's message and leaves nothing behind", async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const made = await bed.prepare('nocmd', [withArgs(['nosuchcmd'])]);
  const err = await bed.runtime.create(made.id, { bundleDir: made.bundleDir, logPath: made.logPath }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof OciRuntimeError, `expected OciRuntimeError, got ${errorMessage(err)}`);
  assert.match(err.runtimeMessage, /exec: "nosuchcmd": executable file not found in \$PATH/);
  assert.equal(err.commandExitCode, 127);
  assert.equal(err.kind, 'invalid-argument');
  assert.equal(err.containerId, made.id);
  assert.match(err.message, /^OCI runtime create failed: .*: unknown$/);
  assert.deepEqual(await bed.runtime.list(), []);
  await assert.rejects(bed.runtime.state(made.id), /no such container/);
});

test('a long-running container lives apart from us; kill, stop and the stop signal are seen through the exit dir', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const c = await bed.create('sleeper', [withArgs(['sleep', '1000'])]);
  await bed.runtime.start(c.id);
  const state = await bed.runtime.state(c.id);
  assert.equal(state.status, 'running');
  assert.equal(state.pid, c.pid);
  // conmon is not our child: it double-forked into a session of its own.
  const stat = (await readFile(`/proc/${c.conmonPid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const [, ppid, , session] = stat.map(Number);
  assert.notEqual(ppid, process.pid);
  assert.equal(session, c.conmonPid);
  // A new runtime on the same exec root (a restarted daemon) sees it and its exit.
  const after = await bed.reopen();
  assert.equal((await after.state(c.id)).status, 'running');
  assert.equal(await after.conmonPid(c.id), c.conmonPid);
  const events: Array<[string, ExitInfo]> = [];
  after.on('exit', (id: string, info: ExitInfo) => events.push([id, info]));
  const exited = waitExit(after, c.id);
  await after.kill(c.id, 'KILL');
  assert.equal((await exited).exitCode, 137);
  assert.deepEqual(events.map(([id, info]) => [id, info.exitCode]), [[c.id, 137]]);

  // sleep as PID 1 ignores SIGTERM: stop escalates to SIGKILL after the timeout.
  const stubborn = await bed.create('stubborn', [withArgs(['sleep', '1000'])]);
  await bed.runtime.start(stubborn.id);
  const started = Date.now();
  assert.equal((await bed.runtime.stop(stubborn.id, { timeoutMs: 300 })).exitCode, 137);
  assert.ok(Date.now() - started >= 300);
  assert.equal((await bed.runtime.stop(stubborn.id)).exitCode, 137, 'stopping an exited container returns its exit');

  // The image's stop signal (an annotation in the spec) is what stop sends.
  const trap = await bed.create('trap', [withStopSignal('USR1'), withArgs(['sh', '-c', 'trap "exit 7" USR1; echo ready; while true; do sleep 0.1; done'])]);
  const attached = bed.runtime.attach(trap.id, { stderr: false });
  const ready = waitFor(attached.stdout, 'ready');
  const trapExit = waitExit(bed.runtime, trap.id);
  await bed.runtime.start(trap.id);
  await ready;
  assert.equal((await bed.runtime.stop(trap.id)).exitCode, 7);
  assert.equal((await trapExit).exitCode, 7);
  await attached.ended;
  await bed.runtime.delete(trap.id);
  await bed.runtime.delete(c.id);
});

test('exec with env, user and cwd returns its output and exit code', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const c = await bed.create('execer', [withArgs(['sleep', '1000']), withEnv(['FROM_IMAGE=1'])]);
  await bed.runtime.start(c.id);
  const session = await bed.runtime.exec(c.id, 'exec1', {
    args: ['sh', '-c', 'echo $FOO $FROM_IMAGE; id -u; id -g; pwd; echo err >&2; exit 5'],
    env: ['FOO=bar'],
    user: 'nobody',
    cwd: '/tmp',
  });
  assert.ok(session.pid > 0);
  const [stdout, stderr, code] = await Promise.all([collect(session.stdout), collect(session.stderr), session.exited]);
  assert.equal(stdout, 'bar 1\n65534\n65534\n/tmp\n');
  assert.equal(stderr, 'err\n');
  assert.equal(code, 5);
  assert.ok(!existsSync(bed.runtime.paths.execDir(c.id, 'exec1')), 'exec run state removed');

  const missing = await bed.runtime.exec(c.id, 'exec2', { args: ['nosuchcmd'] }).then(() => undefined, (e: unknown) => e);
  assert.ok(missing instanceof OciRuntimeError, errorMessage(missing));
  assert.match(missing.runtimeMessage, /executable file not found in \$PATH/);
  assert.equal(missing.commandExitCode, 127);
  await assert.rejects(bed.runtime.exec(c.id, 'exec3', { args: ['true'], user: 'ghost' }), /unable to find user ghost: no matching entries in passwd file/);
  await bed.runtime.delete(c.id, { force: true });
});

test('exec: output read after the exit is all there, close() lets the process run on, a signal gives 128+n, a background child does not hold the exec open', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const c = await bed.create('late', [withArgs(['sleep', '1000'])]);
  await bed.runtime.start(c.id);
  const quick = await bed.runtime.exec(c.id, 'quick', { args: ['sh', '-c', 'seq 1 2000; echo done >&2'] });
  const code = await quick.exited;
  const [out, err] = await Promise.all([collect(quick.stdout), collect(quick.stderr)]);
  assert.equal(code, 0);
  assert.equal(out.split('\n').length, 2001);
  assert.equal(err, 'done\n');

  // Detached from: its output is dropped, yet it neither blocks on a full pipe nor dies of SIGPIPE.
  const chatty = await bed.runtime.exec(c.id, 'chatty', { args: ['sh', '-c', 'seq 1 200000; touch /tmp/finished'] });
  chatty.close();
  assert.equal(await chatty.exited, 0);
  const check = await bed.runtime.exec(c.id, 'check', { args: ['ls', '/tmp/finished'] });
  assert.equal(await check.exited, 0);

  const killed = await bed.runtime.exec(c.id, 'killed', { args: ['sh', '-c', 'kill -9 $$'] });
  assert.equal(await killed.exited, 137);

  // A child left running in the background still holds the output pipe: the exec has ended
  // all the same when its own process exits, as Docker's does.
  const forked = await bed.runtime.exec(c.id, 'forked', { args: ['sh', '-c', 'sleep 60 & echo started'] });
  const forkedOut = collect(forked.stdout);
  const ended = await Promise.race([forked.exited, new Promise<string>((r) => setTimeout(() => r('still waiting after 20 s'), 20_000))]);
  assert.equal(ended, 0);
  assert.equal(await forkedOut, 'started\n');
  await bed.runtime.delete(c.id, { force: true });
});

test('exec stdin reaches the process, in packets conmon can take', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const c = await bed.create('stdin', [withArgs(['sleep', '1000'])]);
  await bed.runtime.start(c.id);
  const cat = await bed.runtime.exec(c.id, 'cat', { args: ['cat'], stdin: true });
  const out = collect(cat.stdout);
  cat.stdin!.write('ping\n');
  cat.stdin!.end('pong\n');
  assert.equal(await out, 'ping\npong\n');
  assert.equal(await cat.exited, 0);
  const big = Buffer.alloc(100_000, 'x');
  const wc = await bed.runtime.exec(c.id, 'wc', { args: ['wc', '-c'], stdin: true });
  const counted = collect(wc.stdout);
  wc.stdin!.end(big);
  assert.equal((await counted).trim(), '100000');
  assert.equal(await wc.exited, 0);
  await bed.runtime.delete(c.id, { force: true });
});

test('attach: output of a running container, everything when attached before start, stdin', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const ticker = await bed.create('ticker', [withArgs(['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done'])]);
  await bed.runtime.start(ticker.id);
  const late = bed.runtime.attach(ticker.id);
  await waitFor(late.stdout, 'tick');
  late.close();
  await bed.runtime.delete(ticker.id, { force: true });

  const early = await bed.create('early', [withArgs(['sh', '-c', 'echo one; echo two >&2'])]);
  const session = bed.runtime.attach(early.id);
  await bed.runtime.start(early.id);
  assert.deepEqual(await Promise.all([collect(session.stdout), collect(session.stderr)]), ['one\n', 'two\n']);

  const reader = await bed.create('reader', [withArgs(['sh', '-c', 'read line; echo got $line; read rest || echo eof'])], { stdin: true });
  const io = bed.runtime.attach(reader.id, { stdin: true });
  const exited = waitExit(bed.runtime, reader.id);
  await bed.runtime.start(reader.id);
  const out = collect(io.stdout);
  io.stdin!.end('hello\n');
  assert.equal(await out, 'got hello\neof\n');
  assert.equal((await exited).exitCode, 0);
});

test('a tty container takes its size from resize', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const c = await bed.create('tty', [withTerminal(true), withArgs(['sh', '-c', 'sleep 0.3; stty size; echo term=$TERM'])]);
  const attached = bed.runtime.attach(c.id);
  await bed.runtime.resize(c.id, { height: 40, width: 100 });
  const exited = waitExit(bed.runtime, c.id);
  await bed.runtime.start(c.id);
  const out = await collect(attached.stdout);
  assert.equal((await exited).exitCode, 0);
  assert.match(out, /40 100\r?\n/);
  assert.match(out, /term=xterm/);

  const host = await bed.create('ttyexec', [withArgs(['sleep', '1000'])]);
  await bed.runtime.start(host.id);
  const session = await bed.runtime.exec(host.id, 'tty1', { args: ['sh', '-c', 'tty; stty size'], tty: true, consoleSize: { height: 30, width: 90 } });
  const [ttyOut, code] = await Promise.all([collect(session.stdout), session.exited]);
  assert.equal(code, 0);
  assert.match(ttyOut, /^\/dev\/pts\/\d+\r?\n30 90\r?\n$/);
  await bed.runtime.delete(host.id, { force: true });
});

test('pause and resume', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const c = await bed.create('pauser', [withArgs(['sleep', '1000'])]);
  await bed.runtime.start(c.id);
  await bed.runtime.pause(c.id);
  assert.equal((await bed.runtime.state(c.id)).status, 'paused');
  assert.equal((await readFile(`/sys/fs/cgroup/freezer${c.cgroup}/freezer.state`, 'utf8')).trim(), 'FROZEN');
  await assert.rejects(bed.runtime.pause(c.id), /cannot pause/);
  await bed.runtime.resume(c.id);
  assert.equal((await bed.runtime.state(c.id)).status, 'running');
  await bed.runtime.delete(c.id, { force: true });
  assert.equal(existsSync(`/sys/fs/cgroup/freezer${c.cgroup}`), false);
});

test('memory, pids and cpu limits are in the container cgroup', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const c = await bed.create('limits', [withArgs(['sleep', '1000']), withMemory({ limit: 64 * 1024 * 1024 }), withPidsLimit(50), withCpus(0.5)]);
  await bed.runtime.start(c.id);
  const read = (path: string) => readFile(path, 'utf8').then((s) => s.trim());
  assert.equal(await read(`/sys/fs/cgroup/memory${c.cgroup}/memory.limit_in_bytes`), String(64 * 1024 * 1024));
  assert.equal(await read(`/sys/fs/cgroup/pids${c.cgroup}/pids.max`), '50');
  assert.equal(await read(`/sys/fs/cgroup/cpu${c.cgroup}/cpu.cfs_quota_us`), '50000');
  assert.equal(await read(`/sys/fs/cgroup/cpu${c.cgroup}/cpu.cfs_period_us`), '100000');
  assert.ok((await read(`/sys/fs/cgroup/pids${c.cgroup}/cgroup.procs`)).split('\n').includes(String(c.pid)));
  await bed.runtime.delete(c.id, { force: true });
});

test('--network none has only lo; the hostname is set; seccomp and init are in place', async (t) => {
  const bed = await Testbed.open(t);
  if (!bed) return;
  const { exit, stdout } = await runToExit(bed, 'isolated', [
    withNetwork('none'),
    withHostname('box-1'),
    withInit(),
    withReadonlyRootfs(true),
    withNoNewPrivileges(),
    withArgs(['sh', '-c', 'ls /sys/class/net; hostname; echo $HOSTNAME; grep ^Seccomp: /proc/self/status; tr "\\0" " " < /proc/1/cmdline; echo; touch /x 2>/dev/null || echo readonly; cat /proc/sys/net/ipv4/ping_group_range; grep ^CapBnd: /proc/self/status; grep ^NoNewPrivs: /proc/self/status']),
  ]);
  assert.equal(exit.exitCode, 0, stdout);
  const lines = stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), ['lo', 'box-1', 'box-1']);
  assert.match(lines[3]!, /^Seccomp:\s+2$/);
  assert.match(lines[4]!, /^\/sbin\/docker-init -- sh -c /);
  assert.equal(lines[5], 'readonly');
  // No CAP_NET_RAW (bit 13); unprivileged ICMP sockets open to every group instead. (Busybox's
  // ping does not use them, so the sysctl is checked rather than a ping.)
  assert.match(lines[6]!, /^0\s+2147483647$/);
  const capBnd = BigInt(`0x${lines[7]!.split(/\s+/)[1]}`);
  assert.equal((capBnd >> 13n) & 1n, 0n);
  assert.equal((capBnd >> 0n) & 1n, 1n, 'CAP_CHOWN kept');
  assert.match(lines[8]!, /^NoNewPrivs:\s+1$/);
});
