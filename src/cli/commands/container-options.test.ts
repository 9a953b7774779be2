import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, FlagError } from '../parser/flags.js';
import { optionsFrom } from '../parser/command.js';
import { CONTAINER_FLAGS, RUN_FLAGS, parseContainerOptions, familiarTagged, type CreateRequest } from './container-options.js';
import { parseExecOptions } from './exec.js';
import { execCommand } from './exec.js';
import { commitReference } from './container-commands.js';

/** `strata run <argv>` as far as the create request (no daemon). */
function run(argv: string[], env: NodeJS.ProcessEnv = {}): CreateRequest & { args: string[] } {
  const parsed = parseFlags(argv, [...CONTAINER_FLAGS, ...RUN_FLAGS], { interspersed: false });
  const request = parseContainerOptions(optionsFrom(parsed.values, parsed.given), parsed.args, { cwd: '/work', env });
  return { ...request, args: parsed.args };
}

test('defaults: docker\'s create body for `run busybox`', () => {
  const r = run(['busybox']);
  assert.equal(r.config.Image, 'busybox');
  assert.equal(r.config.Cmd, null);
  assert.equal(r.config.Entrypoint, null);
  assert.equal(r.config.Env, null);
  assert.deepEqual([r.config.AttachStdin, r.config.AttachStdout, r.config.AttachStderr], [false, true, true]);
  assert.deepEqual([r.config.Tty, r.config.OpenStdin, r.config.StdinOnce], [false, false, false]);
  assert.deepEqual(r.config.Labels, {});
  assert.equal('StopTimeout' in r.config, false);
  assert.equal(r.hostConfig.NetworkMode, 'default');
  assert.deepEqual(r.hostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.equal(r.hostConfig.AutoRemove, false);
  assert.equal('Init' in r.hostConfig, false, 'Init is only sent when --init is given');
  assert.equal(r.hostConfig.Binds, null);
  assert.deepEqual(r.networkingConfig, { EndpointsConfig: { default: {} } });
  assert.equal(r.name, '');
  assert.equal(r.pull, 'missing');
});

test('flags stop at the image: the command keeps its own flags', () => {
  const r = run(['--rm', '-e', 'A=1', 'busybox', 'ls', '-la', '--rm', '-e']);
  assert.deepEqual(r.config.Cmd, ['ls', '-la', '--rm', '-e']);
  assert.equal(r.hostConfig.AutoRemove, true);
  assert.deepEqual(r.config.Env, ['A=1']);
});

test('-it: a TTY, stdin open and attached, closed when the client goes', () => {
  const r = run(['-it', 'busybox', 'sh']);
  assert.deepEqual([r.config.Tty, r.config.OpenStdin, r.config.AttachStdin, r.config.StdinOnce], [true, true, true, true]);
  const attached = run(['-a', 'stdout', '-a', 'STDERR', 'busybox']);
  assert.deepEqual([attached.config.AttachStdin, attached.config.AttachStdout, attached.config.AttachStderr], [false, true, true]);
  const onlyIn = run(['-a', 'stdin', '-i', 'busybox']);
  assert.deepEqual([onlyIn.config.AttachStdin, onlyIn.config.AttachStdout, onlyIn.config.AttachStderr], [true, false, false]);
});

test('process options: env, workdir, user, hostname, entrypoint, labels, stop settings', () => {
  process.env.FROM_CLIENT = 'yes';
  const r = run([
    '--name', 'web', '-e', 'A=1', '--env', 'FROM_CLIENT', '-w', '/srv', '-u', 'nobody:nogroup', '-h', 'box', '--domainname', 'example.com',
    '--entrypoint', '/bin/sh', '-l', 'a=b', '--label', 'c', '--stop-signal', 'SIGUSR1', '--stop-timeout', '0', 'busybox', '-c', 'true',
  ]);
  delete process.env.FROM_CLIENT;
  assert.equal(r.name, 'web');
  assert.deepEqual(r.config.Env, ['A=1', 'FROM_CLIENT=yes']);
  assert.equal(r.config.WorkingDir, '/srv');
  assert.equal(r.config.User, 'nobody:nogroup');
  assert.equal(r.config.Hostname, 'box');
  assert.equal(r.config.Domainname, 'example.com');
  assert.deepEqual(r.config.Entrypoint, ['/bin/sh']);
  assert.deepEqual(r.config.Cmd, ['-c', 'true']);
  assert.deepEqual(r.config.Labels, { a: 'b', c: '' });
  assert.equal(r.config.StopSignal, 'SIGUSR1');
  assert.equal(r.config.StopTimeout, 0, 'a given --stop-timeout 0 is sent');
  assert.deepEqual(run(['--entrypoint', '', 'busybox']).config.Entrypoint, [''], 'an empty entrypoint resets the image\'s');
});

test('mounts: -v binds and volumes, --mount, --tmpfs, --read-only', () => {
  const r = run(['-v', '/host:/c:ro', '-v', './rel:/r', '-v', 'named:/data', '-v', '/anon', '--mount', 'type=bind,src=/s,dst=/d,readonly',
    '--tmpfs', '/run:size=1m', '--tmpfs', '/t', '--read-only', 'busybox']);
  assert.deepEqual(r.hostConfig.Binds, ['/host:/c:ro', '/work/rel:/r', 'named:/data']);
  assert.deepEqual(r.config.Volumes, { '/anon': {} });
  assert.deepEqual(r.hostConfig.Mounts, [{ Type: 'bind', Source: '/s', Target: '/d', ReadOnly: true }]);
  assert.deepEqual(r.hostConfig.Tmpfs, { '/run': 'size=1m', '/t': '' });
  assert.equal(r.hostConfig.ReadonlyRootfs, true);
});

test('resources and security', () => {
  const r = run(['-m', '64m', '--memory-swap', '-1', '--cpus', '1.5', '--pids-limit', '50', '-c', '512', '--init', '--cap-add', 'NET_ADMIN',
    '--cap-drop', 'ALL', '--privileged', '--security-opt', 'no-new-privileges', '--ulimit', 'nofile=10:20', '--shm-size', '1g', 'busybox']);
  assert.equal(r.hostConfig.Memory, 64 * 1024 * 1024);
  assert.equal(r.hostConfig.MemorySwap, -1);
  assert.equal(r.hostConfig.NanoCpus, 1_500_000_000);
  assert.equal(r.hostConfig.PidsLimit, 50);
  assert.equal(r.hostConfig.CpuShares, 512);
  assert.equal(r.hostConfig.Init, true);
  assert.deepEqual(r.hostConfig.CapAdd, ['NET_ADMIN']);
  assert.deepEqual(r.hostConfig.CapDrop, ['ALL']);
  assert.equal(r.hostConfig.Privileged, true);
  assert.deepEqual(r.hostConfig.SecurityOpt, ['no-new-privileges']);
  assert.deepEqual(r.hostConfig.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }]);
  assert.equal(r.hostConfig.ShmSize, 1024 ** 3);
  assert.equal(run(['--init=false', 'busybox']).hostConfig.Init, false);
});

test('network, hosts, DNS, ports, restart', () => {
  const r = run(['--network', 'host', '--add-host', 'db=10.0.0.2', '--dns', '1.1.1.1', '--dns-search', 'example.com', '--dns-option', 'ndots:2',
    '-p', '8080:80', '--expose', '9000-9001', '--restart', 'on-failure:3', 'busybox']);
  assert.equal(r.hostConfig.NetworkMode, 'host');
  assert.deepEqual(r.networkingConfig, { EndpointsConfig: {} });
  assert.deepEqual(r.hostConfig.ExtraHosts, ['db:10.0.0.2']);
  assert.deepEqual(r.hostConfig.Dns, ['1.1.1.1']);
  assert.deepEqual(r.hostConfig.DnsSearch, ['example.com']);
  assert.deepEqual(r.hostConfig.DnsOptions, ['ndots:2']);
  assert.deepEqual(r.config.ExposedPorts, { '80/tcp': {}, '9000/tcp': {}, '9001/tcp': {} });
  assert.deepEqual(r.hostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(r.hostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(run(['--net', 'none', 'busybox']).hostConfig.NetworkMode, 'none');
});

test('docker\'s errors: flag values (status 125 via FlagError) and option conflicts', () => {
  assert.throws(() => run(['-e', '=x', 'busybox']), (e: Error) => e instanceof FlagError && e.message === 'invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x');
  assert.throws(() => run(['-m', '12q', 'busybox']), /invalid argument "12q" for "-m, --memory" flag: invalid suffix: 'q'/);
  assert.throws(() => run(['--cpus', 'abc', 'busybox']), /invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number/);
  assert.throws(() => run(['--add-host', 'foo', 'busybox']), /invalid argument "foo" for "--add-host" flag: bad format for add-host: "foo"/);
  assert.throws(() => run(['--stop-timeout', 'x', 'busybox']), /invalid argument "x" for "--stop-timeout" flag: strconv.ParseInt/);
  assert.throws(() => run(['--rm', '--restart', 'always', 'busybox']), /conflicting options: cannot specify both --restart and --rm/);
  assert.throws(() => run(['--restart', 'on-failure:x', 'busybox']), /invalid restart policy format: maximum retry count must be an integer/);
  assert.throws(() => run(['-v', ':::', 'busybox']), /invalid spec: :::: empty section between colons/);
  assert.throws(() => run(['--memory-swappiness', '200', 'busybox']), /invalid value: 200. Valid memory swappiness range is 0-100/);
  assert.throws(() => run(['--env-file', '/nonexistent/env', 'busybox']), /open \/nonexistent\/env: no such file or directory/);
});

test('references: the tag docker adds, the commit split', () => {
  assert.equal(familiarTagged('busybox'), 'busybox:latest');
  assert.equal(familiarTagged('docker.io/library/busybox:1'), 'busybox:1');
  assert.equal(familiarTagged('localhost:5000/x'), 'localhost:5000/x:latest');
  assert.equal(familiarTagged('a@sha256:' + '0'.repeat(64)), 'a@sha256:' + '0'.repeat(64));
  assert.equal(familiarTagged('sha256:' + 'a'.repeat(64)), undefined);
  assert.deepEqual(commitReference('repo/x:v1'), { repo: 'repo/x', tag: 'v1' });
  assert.deepEqual(commitReference('localhost:5000/x'), { repo: 'localhost:5000/x', tag: 'latest' });
  assert.deepEqual(commitReference(''), { repo: '', tag: '' });
  assert.throws(() => commitReference('x@sha256:abc'), /refusing to create a tag with a digest reference/);
});

test('exec: the create body for the flags', () => {
  const parse = (argv: string[]) => {
    const parsed = parseFlags(argv, execCommand.flags, { interspersed: false });
    return parseExecOptions(optionsFrom(parsed.values, parsed.given), parsed.args.slice(1), { HOMEY: '/h' });
  };
  assert.deepEqual(parse(['c1', 'ls', '-l']), {
    User: '', Privileged: false, Tty: false, AttachStdin: false, AttachStderr: true, AttachStdout: true, Detach: false,
    DetachKeys: '', Env: null, WorkingDir: '', Cmd: ['ls', '-l'],
  });
  const it = parse(['-it', '-u', 'nobody', '-w', '/tmp', '-e', 'A=1', '--detach-keys', 'ctrl-x', 'c1', 'sh']);
  assert.deepEqual([it.Tty, it.AttachStdin, it.User, it.WorkingDir, it.Env, it.DetachKeys], [true, true, 'nobody', '/tmp', ['A=1'], 'ctrl-x']);
  const detached = parse(['-d', '-i', 'c1', 'sleep', '1']);
  assert.deepEqual([detached.Detach, detached.AttachStdin, detached.AttachStdout, detached.AttachStderr], [true, false, false, false]);
});
