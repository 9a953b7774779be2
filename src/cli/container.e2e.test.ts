/**
 * The container, exec and volume commands of the strata CLI against a real daemon (runc under
 * conmon, overlay), compared with what the real docker CLI prints against the same daemon
 * where docker is installed. Everything a test makes is removed even when it fails: the
 * containers (`rm -f`), the daemon (stopped by PID) and the temp directories.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { startDaemon, run, STRATA_BIN, type TestDaemon, type RunResult } from '../../test/support/daemon.js';

const hasDocker = spawnSync('docker', ['--version'], { stdio: 'ignore' }).status === 0;
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * `node -- bin/strata --host … args`: the `--` keeps node from reading a `--env-file` among
 * the CLI's own arguments (bin/strata's shebang passes it too).
 */
function strata(daemon: TestDaemon, args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return run([process.execPath, '--', STRATA_BIN, '--host', daemon.host, ...args], { ...options, timeoutMs: 60_000 });
}

function dockerCli(daemon: TestDaemon, configDir: string) {
  const env = { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: configDir, DOCKER_CLI_HINTS: 'false' };
  return (args: string[], options: { input?: string | Buffer } = {}) => run(['docker', ...args], { env, input: options.input, timeoutMs: 60_000 });
}

/** docker's words for what strata says as itself, and IDs that differ between two runs. */
function normalize(text: string): string {
  return text.replace(/\bdocker\b/g, 'strata').replace(/[0-9a-f]{64}/g, '<id>');
}

/** Runs the same arguments through docker and strata and asserts the same result. */
async function same(t: TestContext, docker: ReturnType<typeof dockerCli> | undefined, s: (a: string[], o?: { input?: string }) => Promise<RunResult>, args: string[], input?: string): Promise<RunResult> {
  const ours = await s(args, { input });
  if (!docker) return ours;
  const theirs = await docker(args, { input });
  assert.deepEqual(
    { code: ours.code, stdout: normalize(ours.stdout), stderr: normalize(ours.stderr) },
    { code: theirs.code, stdout: normalize(theirs.stdout), stderr: normalize(theirs.stderr) },
    `strata ${args.join(' ')} prints what docker prints`,
  );
  void t;
  return ours;
}

/** Force-removes every container of the daemon, then stops it by PID (even if removal failed). */
async function removeAllAndStop(daemon: TestDaemon): Promise<void> {
  try {
    const ids = (await strata(daemon, ['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await strata(daemon, ['rm', '-f', ...ids]);
  } finally {
    await daemon.stop();
  }
}

/** conmon processes still running for this test's exec root. */
function conmonsUnder(dir: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,comm,args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => /\bconmon\b/.test(line) && line.includes(dir));
}

test('container, exec and volume commands: docker\'s output and exit codes', { timeout: 600_000 }, async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-cli-containers-');
  let daemon: TestDaemon | undefined;
  // One hook, in order (node runs `after` hooks first-registered first): the containers (so
  // their monitors go), the daemon by PID, then the temp directory.
  t.after(async () => {
    try {
      if (daemon) await removeAllAndStop(daemon);
      assert.deepEqual(conmonsUnder(temp.dir), [], 'no conmon is left behind');
    } finally {
      await temp.cleanup();
    }
  });
  const tarball = await makeBusyboxTarball(temp.dir);
  daemon = await startDaemon(join(temp.dir, 'd'));
  const configDir = join(temp.dir, 'docker-config');
  await mkdir(configDir, { recursive: true });
  const docker = hasDocker ? dockerCli(daemon, configDir) : undefined;
  if (!docker) t.diagnostic('docker CLI not installed: strata checked on its own, without the side-by-side comparison');
  const s = (args: string[], o: { input?: string } = {}) => strata(daemon, args, o);

  const imported = await s(['import', tarball, 'busybox']);
  assert.equal(imported.code, 0, imported.stderr);

  await t.test('the seed scenario: two containers, a change in one, exec and diff', async () => {
    for (const name of ['container1', 'container2']) {
      const r = await s(['run', '-d', '--name', name, 'busybox', 'tail', '-f', '/dev/null']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    }
    const changed = await s(['exec', 'container1', 'sh', '-c', 'echo changed > /etc/motd']);
    assert.deepEqual([changed.code, changed.stdout, changed.stderr], [0, '', '']);
    const cat1 = await same(t, docker, s, ['exec', 'container1', 'cat', '/etc/motd']);
    assert.deepEqual([cat1.code, cat1.stdout], [0, 'changed\n']);
    const cat2 = await same(t, docker, s, ['exec', 'container2', 'cat', '/etc/motd']);
    assert.equal(cat2.code, 1, 'the other container does not see the change');
    assert.equal(cat2.stdout, '');
    assert.match(cat2.stderr, /can't open '\/etc\/motd': No such file or directory/);
    const diff = await same(t, docker, s, ['diff', 'container1']);
    assert.equal(diff.stdout, 'C /etc\nA /etc/motd\n');
    assert.equal((await same(t, docker, s, ['diff', 'container2'])).stdout, '');
    assert.equal((await same(t, docker, s, ['exec', 'container1', 'sh', '-c', 'exit 7'])).code, 7);
    const missing = await same(t, docker, s, ['exec', 'container1', 'nosuchcommand']);
    assert.match(missing.stderr, /executable file not found in \$PATH/);
    assert.ok(missing.code === 127 || missing.code === 126, `exec of a missing command: ${missing.code}`);
    const env = await same(t, docker, s, ['exec', '-e', 'A=1', '-w', '/tmp', '-u', 'nobody', 'container1', 'sh', '-c', 'echo $A; pwd; id -u']);
    assert.equal(env.stdout, '1\n/tmp\n65534\n');
    assert.equal((await same(t, docker, s, ['exec', 'nosuch', 'true'])).stderr, 'Error response from daemon: No such container: nosuch\n');
  });

  await t.test('exec -i and run -i pass stdin through and close it at its end', async () => {
    const input = 'line one\nline two\n';
    const exec = await same(t, docker, s, ['exec', '-i', 'container1', 'sh', '-c', 'cat; echo end'], input);
    assert.equal(exec.stdout, `${input}end\n`);
    const runI = await same(t, docker, s, ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'wc -l; exit 4'], input);
    assert.deepEqual([runI.code, runI.stdout], [4, '2\n']);
    const noI = await same(t, docker, s, ['run', '--rm', 'busybox', 'cat'], input);
    assert.deepEqual([noI.code, noI.stdout], [0, ''], 'without -i the container\'s stdin is closed');
  });

  await t.test('foreground run: stdout and stderr apart, the container\'s exit code; --rm removes it', async () => {
    const r = await same(t, docker, s, ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [3, 'out\n', 'err\n']);
    const named = await s(['run', '--name', 'fg', 'busybox', 'sh', '-c', 'echo hello']);
    assert.deepEqual([named.code, named.stdout], [0, 'hello\n']);
    assert.equal((await s(['ps', '-a', '--filter', 'name=fg', '--format', '{{.Names}} {{.Status}}'])).stdout.split(' ').slice(0, 3).join(' '), 'fg Exited (0)');
    await s(['run', '--rm', '--name', 'gone', 'busybox', 'true']);
    assert.equal((await s(['ps', '-a', '--filter', 'name=gone', '-q'])).stdout, '', '--rm leaves nothing');
    const opts = await same(t, docker, s, ['run', '--rm', '-e', 'A=b', '-w', '/tmp', '-u', 'nobody', '-h', 'box', '--entrypoint', 'sh', '-l', 'k=v', 'busybox', '-c', 'echo $A; pwd; id -u; hostname']);
    assert.equal(opts.stdout, 'b\n/tmp\n65534\nbox\n');
    const envFile = join(temp.dir, 'env.list');
    await writeFile(envFile, '# comment\nX=1\nY=two words\n');
    assert.equal((await same(t, docker, s, ['run', '--rm', '--env-file', envFile, 'busybox', 'sh', '-c', 'echo $X $Y'])).stdout, '1 two words\n');
    const attachOnly = await same(t, docker, s, ['run', '--rm', '-a', 'stderr', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.deepEqual([attachOnly.stdout, attachOnly.stderr], ['', 'err\n']);
    assert.equal((await same(t, docker, s, ['run', '--rm', '--read-only', 'busybox', 'touch', '/x'])).code, 1);
    assert.equal((await same(t, docker, s, ['run', '--rm', '--network', 'host', '--add-host', 'db:10.1.2.3', 'busybox', 'grep', 'db', '/etc/hosts'])).code, 0);
    const tmpfs = await same(t, docker, s, ['run', '--rm', '--tmpfs', '/data', 'busybox', 'sh', '-c', 'grep -c " /data tmpfs" /proc/mounts']);
    assert.equal(tmpfs.stdout, '1\n');
  });

  await t.test('run errors: 125 from the daemon, 126 not executable, 127 not found; flag errors', async () => {
    const notFound = await same(t, docker, s, ['run', 'busybox', 'nosuchcommand']);
    assert.equal(notFound.code, 127);
    assert.match(notFound.stderr, /^strata: Error response from daemon: .*executable file not found in \$PATH.*\n\nRun 'strata run --help' for more information\n$/);
    const notExec = await same(t, docker, s, ['run', 'busybox', '/etc/passwd']);
    assert.equal(notExec.code, 126);
    assert.match(notExec.stderr, /permission denied/);
    const noImage = await same(t, docker, s, ['run', 'nosuchimage']);
    assert.equal(noImage.code, 125);
    assert.match(noImage.stderr, /^Unable to find image 'nosuchimage:latest' locally\n/);
    assert.equal((await same(t, docker, s, ['run', '--network', 'bridge', 'busybox', 'true'])).code, 125);
    const badFlag = await same(t, docker, s, ['run', '-m', '12q', 'busybox']);
    assert.equal(badFlag.code, 125);
    assert.equal(badFlag.stderr, "invalid argument \"12q\" for \"-m, --memory\" flag: invalid suffix: 'q'\n\nUsage:  strata run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'strata run --help' for more information\n");
    assert.equal((await same(t, docker, s, ['run', '--rm', '--restart', 'always', 'busybox'])).code, 125);
    assert.equal((await same(t, docker, s, ['run', '-it', 'busybox', 'true'])).stderr, 'the input device is not a TTY\n');
    // --rm with a start that fails: the container is gone afterwards.
    const rmFailed = await s(['run', '--rm', '--name', 'rmfail', 'busybox', 'nosuchcommand']);
    assert.equal(rmFailed.code, 127);
    assert.equal((await s(['ps', '-a', '--filter', 'name=rmfail', '-q'])).stdout, '');
    // The containers those failed runs created (docker's and ours), as docker leaves them.
    const created = (await s(['ps', '-aq', '--filter', 'status=created'])).stdout.split('\n').filter(Boolean);
    if (created.length > 0) assert.equal((await s(['rm', ...created])).code, 0);
  });

  await t.test('logs: stdout to stdout, stderr to stderr; --tail, -t', async () => {
    // stderr first and apart: stdout and stderr are separate pipes, their order in the log is the daemon's.
    assert.equal((await s(['run', '--name', 'talker', 'busybox', 'sh', '-c', 'echo e1 >&2; sleep 0.3; echo o1; echo o2'])).code, 0);
    const logs = await same(t, docker, s, ['logs', 'talker']);
    assert.deepEqual([logs.stdout, logs.stderr], ['o1\no2\n', 'e1\n']);
    assert.equal((await same(t, docker, s, ['logs', '--tail', '1', 'talker'])).stdout, 'o2\n');
    const stamped = await same(t, docker, s, ['logs', '-t', 'talker']);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z o1\n/);
    assert.equal((await same(t, docker, s, ['logs', '--since', '1h', 'talker'])).stdout, 'o1\no2\n');
    assert.equal((await same(t, docker, s, ['logs', '--until', '1h', 'talker'])).stdout, '');
    assert.equal((await same(t, docker, s, ['logs', 'nosuch'])).code, 1);
  });

  await t.test('ps: docker\'s columns, quoting and truncation, filters and formats', async () => {
    const table = await s(['ps']);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    assert.match(header!, /^CONTAINER ID {3}IMAGE {5}COMMAND {15}CREATED {8,}STATUS {8,}PORTS {5}NAMES$/);
    assert.ok(rows.some((r) => /^[0-9a-f]{12} {3}busybox {3}"tail -f \/dev\/null" {3}.* ago {3,}Up .* {3,}container1$/.test(r)), table.stdout);
    const fmt = ['{{.Names}}|{{.Image}}|{{.Command}}|{{.State}}|{{.Ports}}|{{.Labels}}|{{.Networks}}'];
    await same(t, docker, s, ['ps', '-a', '--format', fmt[0]!]);
    await same(t, docker, s, ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}']);
    await same(t, docker, s, ['ps', '-q']);
    await same(t, docker, s, ['ps', '-aq', '--filter', 'status=exited', '--filter', 'name=talker']);
    await same(t, docker, s, ['ps', '-n', '2', '--format', '{{.Names}}']);
    await same(t, docker, s, ['ps', '-l', '--format', '{{.Names}}']);
    await same(t, docker, s, ['ps', '--filter', 'bogus']);
    const sized = await s(['ps', '-s', '--filter', 'name=container1', '--format', '{{.Size}}']);
    assert.match(sized.stdout, /^\d+(\.\d+)?k?B \(virtual \d+(\.\d+)?MB\)\n$/);
  });

  await t.test('inspect: containers before images, formats, errors', async () => {
    const both = await s(['inspect', '--format', '{{.Id}}', 'container1', 'busybox']);
    const [containerId, imageId] = both.stdout.split('\n');
    assert.match(containerId!, /^[0-9a-f]{64}$/, 'a container answers first');
    assert.match(imageId!, /^sha256:[0-9a-f]{64}$/);
    await same(t, docker, s, ['inspect', '--format', '{{.Name}}{{.RepoTags}}', 'container1']);
    await same(t, docker, s, ['inspect', '--format', '{{.State.Status}} {{.Config.Cmd}} {{.Name}}', 'container1']);
    await same(t, docker, s, ['container', 'inspect', '-f', '{{.Config.Image}}', 'container1', 'nosuch']);
    await same(t, docker, s, ['inspect', '--type', 'container', 'busybox']);
    await same(t, docker, s, ['inspect', 'nosuch']);
    const parsed = JSON.parse((await s(['container', 'inspect', 'container1'])).stdout) as { Name: string; State: { Running: boolean } }[];
    assert.deepEqual([parsed[0]!.Name, parsed[0]!.State.Running], ['/container1', true]);
  });

  await t.test('lifecycle verbs: stop, start, restart, pause, kill, wait, rename, top', async () => {
    assert.equal((await s(['create', '--name', 'life', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'])).code, 0);
    assert.deepEqual(await s(['start', 'life']).then((r) => [r.code, r.stdout]), [0, 'life\n']);
    assert.equal((await s(['pause', 'life'])).stdout, 'life\n');
    assert.match((await s(['ps', '--filter', 'name=life', '--format', '{{.Status}}'])).stdout, /\(Paused\)\n$/);
    assert.equal((await s(['unpause', 'life'])).stdout, 'life\n');
    const top = await s(['top', 'life']);
    assert.match(top.stdout, /^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD\n/);
    assert.equal((await s(['restart', '-t', '5', 'life'])).stdout, 'life\n');
    assert.equal((await s(['stop', 'life', 'nosuch'])).stderr, 'Error response from daemon: No such container: nosuch\n');
    assert.equal((await s(['wait', 'life'])).stdout, '0\n');
    assert.equal((await s(['rename', 'life', 'life2'])).code, 0);
    await same(t, docker, s, ['rename', 'life2', 'container1']);
    await same(t, docker, s, ['kill', 'life2']);
    const killed = await s(['run', '-d', '--name', 'victim', 'busybox', 'sleep', '60']);
    assert.equal(killed.code, 0);
    assert.equal((await s(['kill', '-s', 'KILL', 'victim'])).stdout, 'victim\n');
    assert.equal((await s(['wait', 'victim'])).stdout, '137\n');
    assert.deepEqual(await s(['start', '-a', 'talker']).then((r) => [r.code, r.stdout, r.stderr]), [0, 'o1\no2\n', 'e1\n']);
    assert.equal((await s(['rm', 'life2', 'victim', 'talker', 'fg'])).stdout, 'life2\nvictim\ntalker\nfg\n');
  });

  await t.test('commit: prints the image ID; the image has the change', async () => {
    const commit = await s(['commit', '-a', 'tester', '-m', 'with motd', 'container1', 'committed:v1']);
    assert.equal(commit.code, 0, commit.stderr);
    assert.match(commit.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal((await s(['image', 'inspect', '--format', '{{.Author}}', 'committed:v1'])).stdout, 'tester\n');
    assert.equal((await s(['history', '--format', '{{.Comment}}', 'committed:v1'])).stdout.split('\n')[0], 'with motd');
    assert.equal((await s(['run', '--rm', 'committed:v1', 'cat', '/etc/motd'])).stdout, 'changed\n');
    const changed = await s(['commit', '-c', 'ENV FOO=bar', '--change', 'CMD ["cat", "/etc/motd"]', 'container1', 'committed:v2']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match((await s(['image', 'inspect', '--format', '{{.Config.Env}} {{.Config.Cmd}}', 'committed:v2'])).stdout, /FOO=bar.* \[cat \/etc\/motd\]\n$/);
    assert.equal((await s(['run', '--rm', 'committed:v2'])).stdout, 'changed\n');
    const untagged = await s(['commit', '--pause=false', 'container2']);
    assert.match(untagged.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal((await same(t, docker, s, ['commit', 'nosuch'])).code, 1);
  });

  await t.test('export: a tar of the container, to stdout or -o', async () => {
    const out = join(temp.dir, 'c1.tar');
    assert.equal((await s(['export', '-o', out, 'container1'])).code, 0);
    const list = spawnSync('tar', ['-tf', out], { encoding: 'utf8' });
    assert.ok(list.stdout.split('\n').includes('etc/motd'), 'the change is in the export');
  });

  await t.test('cp both ways: into directories, renamed into new paths, `-` streams, errors as docker', async () => {
    const local = join(temp.dir, 'cp');
    await mkdir(join(local, 'src', 'dir', 'sub'), { recursive: true });
    await writeFile(join(local, 'src', 'a.txt'), 'alpha\n');
    await writeFile(join(local, 'src', 'dir', 'x'), 'x\n', { mode: 0o640 });
    await writeFile(join(local, 'src', 'dir', 'sub', 'y'), 'y\n');
    assert.equal((await s(['run', '-d', '--name', 'cpbox', 'busybox', 'sleep', '600'])).code, 0);
    const into = async (args: string[]) => {
      const r = await s(args);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], `${args.join(' ')}: ${r.stderr}`);
    };
    await into(['cp', join(local, 'src', 'a.txt'), 'cpbox:/tmp/']);
    await into(['cp', join(local, 'src', 'a.txt'), 'cpbox:/tmp/renamed.txt']);
    await into(['cp', join(local, 'src', 'dir'), 'cpbox:/tmp/']);
    await into(['cp', join(local, 'src', 'dir'), 'cpbox:/tmp/newdir']);
    await into(['cp', join(local, 'src', 'dir') + '/.', 'cpbox:/tmp/dotdir']);
    const listing = await s(['exec', 'cpbox', 'sh', '-c', 'cd /tmp && find . | sort && cat a.txt renamed.txt && stat -c %a dir/x']);
    assert.equal(listing.stdout, ['.', './a.txt', './dir', './dir/sub', './dir/sub/y', './dir/x', './dotdir', './dotdir/sub', './dotdir/sub/y', './dotdir/x',
      './newdir', './newdir/sub', './newdir/sub/y', './newdir/x', './renamed.txt', 'alpha', 'alpha', '640', ''].join('\n'));
    await s(['exec', 'cpbox', 'sh', '-c', 'echo changed > /etc/motd; ln -s motd /etc/motd-link']);
    const out = join(local, 'out');
    await mkdir(out);
    await into(['cp', 'cpbox:/etc/motd', out]);
    await into(['cp', 'cpbox:/etc/motd', join(out, 'renamed')]);
    await into(['cp', 'cpbox:/tmp/dir', join(out, 'tree')]);
    await into(['cp', 'cpbox:/etc/motd-link', out]);
    await into(['cp', '-L', 'cpbox:/etc/motd-link', join(out, 'followed')]);
    assert.equal(await readFile(join(out, 'motd'), 'utf8'), 'changed\n');
    assert.equal(await readFile(join(out, 'renamed'), 'utf8'), 'changed\n');
    assert.equal(await readFile(join(out, 'tree', 'sub', 'y'), 'utf8'), 'y\n');
    assert.equal(await readFile(join(out, 'followed'), 'utf8'), 'changed\n');
    assert.equal(spawnSync('readlink', [join(out, 'motd-link')], { encoding: 'utf8' }).stdout, 'motd\n');
    const tarOut = await s(['cp', 'cpbox:/tmp/dir', '-']);
    assert.deepEqual(spawnSync('tar', ['-t'], { input: Buffer.from(tarOut.stdout, 'latin1') }).status, 0);
    const piped = spawnSync('sh', ['-c', `tar -C '${join(local, 'src')}' -cf - a.txt | '${process.execPath}' -- '${STRATA_BIN}' --host '${daemon.host}' cp - cpbox:/root`], { encoding: 'utf8' });
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal((await s(['exec', 'cpbox', 'cat', '/root/a.txt'])).stdout, 'alpha\n');
    if (docker) {
      // The same copies through docker's CLI land the same way; errors read the same.
      assert.equal((await s(['run', '-d', '--name', 'cpdocker', 'busybox', 'sleep', '600'])).code, 0);
      await docker(['cp', join(local, 'src', 'a.txt'), 'cpdocker:/tmp/']);
      await docker(['cp', join(local, 'src', 'dir'), 'cpdocker:/tmp/newdir']);
      await docker(['cp', join(local, 'src', 'dir') + '/.', 'cpdocker:/tmp/dotdir']);
      const theirs = await s(['exec', 'cpdocker', 'sh', '-c', 'cd /tmp && find newdir dotdir | sort']);
      const ours = await s(['exec', 'cpbox', 'sh', '-c', 'cd /tmp && find newdir dotdir | sort']);
      assert.equal(ours.stdout, theirs.stdout);
      const swap = (a: string[]) => a.map((x) => x.replace('cpbox', 'cpdocker'));
      for (const args of [
        ['cp', join(local, 'src', 'missing'), 'cpbox:/tmp'], ['cp', join(local, 'src', 'dir'), 'cpbox:/tmp/a.txt'],
        ['cp', join(local, 'src', 'a.txt'), 'cpbox:/nonexistent/dir/'], ['cp', 'cpbox:/nonexistent', out], ['cp', 'cpbox:/tmp/newdir', join(out, 'motd')],
        ['cp', 'a', 'b'], ['cp', 'cpbox:/a', 'cpbox:/b'], ['cp', join(local, 'src', 'a.txt'), 'nosuch:/tmp'],
      ]) {
        const o = await s(args);
        const d = await docker(swap(args));
        assert.deepEqual([o.code, normalize(o.stderr).replace(/cpbox/g, 'C')], [d.code, normalize(d.stderr.split('\n').filter((l) => !l.startsWith('time=')).join('\n')).replace(/cpdocker/g, 'C')], args.join(' '));
      }
      assert.equal((await s(['rm', '-f', 'cpdocker'])).code, 0);
    }
    assert.equal((await s(['rm', '-f', 'cpbox'])).stdout, 'cpbox\n');
  });

  await t.test('volumes: create, ls, inspect, use, rm, prune', async () => {
    assert.equal((await s(['volume', 'create', 'data'])).stdout, 'data\n');
    assert.equal((await s(['volume', 'create', '--label', 'team=a', 'labelled'])).stdout, 'labelled\n');
    await same(t, docker, s, ['volume', 'ls']);
    await same(t, docker, s, ['volume', 'ls', '-q', '--filter', 'label=team=a']);
    await same(t, docker, s, ['volume', 'inspect', 'data', 'labelled']);
    await same(t, docker, s, ['volume', 'inspect', '--format', '{{.Name}} {{.Driver}} {{.Labels}}', 'labelled']);
    await same(t, docker, s, ['volume', 'inspect', 'nosuch']);
    assert.equal((await s(['run', '--rm', '-v', 'data:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f'])).code, 0);
    assert.equal((await s(['run', '--rm', '--mount', 'type=volume,src=data,dst=/d,readonly', 'busybox', 'cat', '/d/f'])).stdout, 'kept\n');
    const holder = await s(['run', '-d', '--name', 'holder', '-v', 'data:/data', 'busybox', 'sleep', '60']);
    assert.equal(holder.code, 0);
    const inUse = await s(['volume', 'rm', 'data']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /^Error response from daemon: .*in use/);
    assert.equal((await s(['rm', '-f', 'holder'])).stdout, 'holder\n');
    assert.equal((await s(['volume', 'rm', 'data', 'labelled'])).stdout, 'data\nlabelled\n');
    await same(t, docker, s, ['volume', 'rm', 'nosuch']);
    assert.equal((await s(['run', '--rm', '-v', '/anon', 'busybox', 'true'])).code, 0);
    const prune = await s(['volume', 'prune', '-f']);
    assert.match(prune.stdout, /Total reclaimed space: /);
    assert.equal((await same(t, docker, s, ['volume', 'ls', '-q'])).stdout, '');
  });

  await t.test('a TTY: run -it and exec -it through a pseudo-terminal; detach keys', { skip: !hasScript && 'script(1) not installed' }, async () => {
    // Keys are typed once the output shows `when` (or after `after` ms).
    const viaPty = (args: string[], keys: { after?: number; when?: RegExp; data: string }[], timeoutMs = 30_000) => new Promise<{ code: number | null; output: string }>((resolve) => {
      const command = [process.execPath, '--', STRATA_BIN, '--host', daemon.host, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
      const child = spawn('script', ['-q', '-e', '-c', `stty cols 91 rows 27; exec ${command}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      const waiting = keys.filter((k) => k.when);
      const onOutput = (c: Buffer) => {
        output += c.toString();
        while (waiting.length > 0 && waiting[0]!.when!.test(output)) {
          const key = waiting.shift()!;
          // A moment more: the shell may still be settling its terminal (busybox asks for the cursor position).
          timers.push(setTimeout(() => child.stdin.write(key.data), 500));
        }
      };
      const timers: NodeJS.Timeout[] = [];
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);
      timers.push(...keys.filter((k) => k.after !== undefined).map((k) => setTimeout(() => child.stdin.write(k.data), k.after)));
      const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        for (const timer of [...timers, kill]) clearTimeout(timer);
        resolve({ code, output });
      });
    });
    // The size comes with the first resize after start, as with docker's CLI: wait for it.
    const tty = await viaPty(['run', '-it', '--rm', 'busybox', 'sh', '-c', 'tty; sleep 1; stty size; exit 3'], []);
    assert.equal(tty.code, 3, tty.output);
    assert.match(tty.output, /\/dev\/pts\/\d+\r\n27 91\r\n/, 'the container\'s output arrives unchanged (no "\\r\\r\\n")');
    const shell = await viaPty(['run', '-it', '--name', 'ttybox', 'busybox', 'sh'], [{ when: /\/ # /, data: 'echo typed-$((6*7))\r' }, { when: /typed-42\r\n/, data: '\x10\x11' }]);
    assert.equal(shell.code, 0, `ctrl-p ctrl-q detaches: ${shell.output}`);
    assert.match(shell.output, /typed-42/);
    assert.match((await s(['ps', '--filter', 'name=ttybox', '--format', '{{.Status}}'])).stdout, /^Up /, 'the container keeps running after a detach');
    const exec = await viaPty(['exec', '-it', 'ttybox', 'sh', '-c', 'sleep 1; stty size; exit 5'], []);
    assert.equal(exec.code, 5, exec.output);
    assert.match(exec.output, /27 91/);
    const attach = await viaPty(['attach', 'ttybox'], [{ after: 2500, data: 'exit 9\r' }]);
    assert.equal(attach.code, 9, attach.output);
    assert.equal((await s(['rm', 'ttybox'])).stdout, 'ttybox\n');
  });

  await t.test('rm -f: running containers go; a missing one is reported, not an error', async () => {
    const rm = await same(t, docker, s, ['rm', '-f', 'nosuch']);
    assert.deepEqual([rm.code, rm.stderr], [0, 'Error response from daemon: No such container: nosuch\n']);
    assert.equal((await s(['rm', 'container2'])).code, 1, 'a running container needs -f');
    assert.equal((await s(['rm', '-f', 'container1', 'container2'])).stdout, 'container1\ncontainer2\n');
    assert.equal((await s(['ps', '-aq', '--filter', 'name=container'])).stdout, '');
    const pruned = await s(['container', 'prune', '-f']);
    assert.match(pruned.stdout, /Total reclaimed space: \d+(\.\d+)?k?B\n$/);
    assert.equal((await s(['ps', '-aq'])).stdout, '', 'prune took every stopped container');
  });

});

/** Daemon behaviour the docker CLI relies on: exit codes, commit comments, --rm volume clean-up. */
test('daemon behaviour the docker CLI relies on', { timeout: 300_000 }, async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-cli-daemon-');
  let daemon: TestDaemon | undefined;
  t.after(async () => {
    try {
      if (daemon) await removeAllAndStop(daemon);
    } finally {
      await temp.cleanup();
    }
  });
  const tarball = await makeBusyboxTarball(temp.dir);
  daemon = await startDaemon(join(temp.dir, 'd'));
  const s = (args: string[]) => strata(daemon, args);
  assert.equal((await s(['import', tarball, 'busybox'])).code, 0);
  const started = await s(['run', '-d', '--name', 'probe1', 'busybox', 'sleep', '60']);
  assert.equal(started.code, 0, started.stderr);
  await t.test('exec of a missing command exits 127, as docker records it', async () => {
    assert.equal((await s(['exec', 'probe1', 'nosuchcommand'])).code, 127);
  });
  await t.test('a commit\'s message is the image\'s Comment', async () => {
    assert.equal((await s(['commit', '-m', 'msg', 'probe1', 'x:1'])).code, 0);
    assert.equal((await s(['image', 'inspect', '--format', '{{.Comment}}', 'x:1'])).stdout, 'msg\n');
  });
  await t.test('--rm also removes the container\'s anonymous volumes', async () => {
    assert.equal((await s(['run', '--rm', '-v', '/anon', 'busybox', 'true'])).code, 0);
    assert.equal((await s(['volume', 'ls', '-q'])).stdout, '');
  });
});
