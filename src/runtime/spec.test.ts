import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSpec, capRlimits, checkSpecFeatures, commandErrorExitCode, defaultSpec, DEFAULT_PATH_ENV, loadSeccompProfile,
  mergeEnv, normalizeSignal, parseLogLine, parseProcLimits, parseRuntimeFeatures, parseSeccompProfile, readFileInRoot,
  resolveSeccompProfile, resolveUserFromFiles, runtimeErrorText, specFeatureProblems, withAnnotations, withArgs,
  withBindMount, withCapabilities, withCgroupsPath, withCpus, withCwd, withEnv, withEtcFiles, withHostname, withInit,
  withLabels, withMemory, withNetwork, withNoNewPrivileges, withPidsLimit, withReadonlyRootfs, withRlimits, withSeccomp,
  withStopSignal, withTerminal, withTmpfs, withUser, type HostFacts, type RuntimeSpec, type SeccompProfile, type SpecOption,
} from './index.js';

const ID = 'c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc';

/** Host facts that make buildSpec deterministic: 20000 open files, amd64, kernel 6.1, a tiny profile. */
const tinyProfile: SeccompProfile = parseSeccompProfile(JSON.stringify({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], includes: {}, excludes: {} },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['set_tls'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['landlock_create_ruleset'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.13' } },
    { names: ['future_call'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '9.0' } },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'] } },
  ],
}));

const host: HostFacts = {
  hardLimits: parseProcLimits('Max open files            20000                20000                files\nMax processes 100 200 processes\n'),
  arch: { go: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  kernel: [6, 1],
  loadDefaultSeccomp: async () => tinyProfile,
};

async function spec(options: SpecOption[], rootfs = '/rootfs'): Promise<RuntimeSpec> {
  return buildSpec({ containerId: ID, rootfs }, [withArgs(['sh']), ...options], host);
}

test('defaults are runc/Docker-like', async () => {
  const s = await spec([]);
  assert.equal(s.ociVersion, '1.0.2-dev');
  assert.equal(s.root.path, '/rootfs');
  assert.deepEqual(s.linux.namespaces.map((n) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
  const byDest = new Map(s.mounts.map((m) => [m.destination, m]));
  for (const dest of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']) assert.ok(byDest.has(dest), dest);
  assert.ok(byDest.get('/sys')!.options!.includes('ro'));
  assert.ok(byDest.get('/sys/fs/cgroup')!.options!.includes('ro'));
  assert.ok(s.linux.maskedPaths!.includes('/proc/kcore'));
  assert.ok(s.linux.readonlyPaths!.includes('/proc/sys'));
  const caps = s.process.capabilities!;
  assert.ok(!caps.bounding.includes('CAP_NET_RAW'));
  assert.ok(caps.bounding.includes('CAP_CHOWN') && caps.bounding.includes('CAP_KILL'));
  assert.deepEqual(caps.effective, caps.bounding);
  assert.equal(s.linux.sysctl!['net.ipv4.ping_group_range'], '0 2147483647');
  assert.equal(s.process.env[0], DEFAULT_PATH_ENV);
  assert.ok(s.process.env.includes(`HOSTNAME=${ID.slice(0, 12)}`));
  assert.equal(s.hostname, ID.slice(0, 12));
  assert.equal(s.linux.cgroupsPath, `/strata/${ID}`);
  assert.deepEqual(s.linux.resources!.devices, [{ allow: false, access: 'rwm' }]);
  assert.equal(s.process.noNewPrivileges, false);
  // RLIMIT_NOFILE is Docker's 1048576, lowered to this process's hard limit.
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]);
  assert.equal(s.linux.seccomp!.defaultAction, 'SCMP_ACT_ERRNO');
});

test('a spec without a command is refused, naming the container', async () => {
  await assert.rejects(buildSpec({ containerId: 'abc', rootfs: '/r' }, [], host), /container abc: no command specified/);
  assert.throws(() => defaultSpec({ containerId: 'a/b', rootfs: '/r' }), /invalid container id/);
  assert.throws(() => defaultSpec({ containerId: 'abc', rootfs: 'relative' }), /absolute/);
});

test('image PATH replaces the default PATH; env merges like Docker', async () => {
  const s = await spec([withEnv(['PATH=/opt/bin', 'A=1', 'B=2']), withEnv(['A=3', 'B'])]);
  assert.deepEqual(s.process.env, [`HOSTNAME=${ID.slice(0, 12)}`, 'PATH=/opt/bin', 'A=3']);
  assert.deepEqual(mergeEnv(['X=1'], ['X=2', 'Y=']), ['X=2', 'Y=']);
});

test('args, cwd, hostname, terminal, readonly rootfs', async () => {
  const s = await spec([withArgs(['echo', 'hi']), withCwd('/tmp/../srv'), withHostname('web-1'), withTerminal(true), withReadonlyRootfs(true)]);
  assert.deepEqual(s.process.args, ['echo', 'hi']);
  assert.equal(s.process.cwd, '/srv');
  assert.equal(s.hostname, 'web-1');
  assert.ok(s.process.env.includes('HOSTNAME=web-1'));
  assert.equal(s.process.terminal, true);
  assert.ok(s.process.env.includes('TERM=xterm'));
  assert.equal(s.root.readonly, true);
  await assert.rejects(spec([withCwd('relative')]), /absolute/);
  await assert.rejects(spec([withHostname('bad host')]), /invalid hostname/);
});

test('bind mounts: ro/rw, propagation, replacing a default mount', async () => {
  const s = await spec([
    withBindMount({ source: '/data', destination: '/data', readonly: true }),
    withBindMount({ source: '/shared', destination: '/mnt', propagation: 'rshared' }),
    withBindMount({ source: '/host/shm', destination: '/dev/shm' }),
  ]);
  const data = s.mounts.find((m) => m.destination === '/data')!;
  assert.deepEqual(data, { destination: '/data', type: 'bind', source: '/data', options: ['rbind', 'rprivate', 'ro'] });
  assert.deepEqual(s.mounts.find((m) => m.destination === '/mnt')!.options, ['rbind', 'rshared']);
  assert.equal(s.linux.rootfsPropagation, 'rshared');
  assert.equal(s.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.equal(s.mounts.find((m) => m.destination === '/dev/shm')!.type, 'bind');
});

test('tmpfs mounts take Docker defaults unless overridden', async () => {
  const s = await spec([withTmpfs('/run', ['size=64m']), withTmpfs('/scratch', ['exec', 'mode=1777'])]);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/run')!.options, ['nosuid', 'nodev', 'noexec', 'size=64m']);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/scratch')!.options, ['nosuid', 'nodev', 'mode=1777']);
});

test('/etc files are bound from the caller, read-only with a read-only rootfs', async () => {
  const files = { hosts: '/run/x/hosts', hostname: '/run/x/hostname', resolvConf: '/run/x/resolv.conf' };
  const rw = await spec([withEtcFiles(files)]);
  assert.deepEqual(rw.mounts.find((m) => m.destination === '/etc/hosts'), { destination: '/etc/hosts', type: 'bind', source: '/run/x/hosts', options: ['rbind', 'rprivate'] });
  const ro = await spec([withEtcFiles(files), withReadonlyRootfs(true)]);
  for (const d of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) assert.ok(ro.mounts.find((m) => m.destination === d)!.options!.includes('ro'), d);
});

test('network modes: none keeps a private netns, host drops it and net.* sysctls, path joins one', async () => {
  const none = await spec([withNetwork('none')]);
  assert.deepEqual(none.linux.namespaces.filter((n) => n.type === 'network'), [{ type: 'network' }]);
  const hostNet = await spec([withNetwork('host')]);
  assert.ok(!hostNet.linux.namespaces.some((n) => n.type === 'network'));
  assert.equal(hostNet.linux.sysctl!['net.ipv4.ping_group_range'], undefined);
  const joined = await spec([withNetwork({ netnsPath: '/run/netns/cni-1' })]);
  assert.deepEqual(joined.linux.namespaces.filter((n) => n.type === 'network'), [{ type: 'network', path: '/run/netns/cni-1' }]);
});

test('memory, cpus, pids, cgroups path', async () => {
  const s = await spec([withMemory({ limit: 64 * 1024 * 1024, swap: 128 * 1024 * 1024 }), withCpus(1.5), withPidsLimit(42), withCgroupsPath('/mine/x')]);
  assert.deepEqual(s.linux.resources!.memory, { limit: 64 * 1024 * 1024, swap: 128 * 1024 * 1024 });
  assert.deepEqual(s.linux.resources!.cpu, { period: 100000, quota: 150000 });
  assert.deepEqual(s.linux.resources!.pids, { limit: 42 });
  assert.equal(s.linux.cgroupsPath, '/mine/x');
  await assert.rejects(spec([withMemory({ limit: 1024 })]), /Minimum memory limit allowed is 6MB/);
  await assert.rejects(spec([withCpus(0)]), /must be positive/);
  assert.equal((await spec([withPidsLimit(-1)])).linux.resources!.pids, undefined);
});

test('init wraps the final args with tini bound at /sbin/docker-init', async () => {
  const s = await spec([withInit('/usr/bin/tini-static'), withArgs(['sleep', '5'])]);
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sleep', '5']);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/sbin/docker-init'), {
    destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['bind', 'rprivate', 'ro'],
  });
});

test('labels and annotations, stop signal, no-new-privileges', async () => {
  const s = await spec([withLabels({ 'com.example': 'x' }), withAnnotations({ a: 'b' }), withStopSignal('quit'), withNoNewPrivileges()]);
  assert.equal(s.annotations!['com.example'], 'x');
  assert.equal(s.annotations!.a, 'b');
  assert.equal(s.annotations!['org.opencontainers.image.stopSignal'], 'SIGQUIT');
  assert.equal(s.process.noNewPrivileges, true);
  await assert.rejects(spec([withStopSignal('SIGNOPE')]), /invalid signal/);
});

test('signals normalise names and numbers', () => {
  assert.deepEqual(normalizeSignal('TERM'), { name: 'SIGTERM', number: 15 });
  assert.deepEqual(normalizeSignal('sigkill'), { name: 'SIGKILL', number: 9 });
  assert.deepEqual(normalizeSignal(2), { name: 'SIGINT', number: 2 });
  assert.deepEqual(normalizeSignal('SIGRTMIN+3'), { name: 'SIGRTMIN+3', number: 37 });
  assert.throws(() => normalizeSignal('0'), /invalid signal/);
});

test('rlimits are capped at the hard limit, soft never above hard', async () => {
  const s = await spec([withRlimits([{ type: 'nofile', soft: 1024, hard: 1_000_000 }, { type: 'RLIMIT_NPROC', soft: 500, hard: 500 }, { type: 'core', soft: 0, hard: 0 }])]);
  assert.deepEqual(s.process.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 },
    { type: 'RLIMIT_NPROC', soft: 200, hard: 200 },
    { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
  ]);
  const unlimited = parseProcLimits('Max core file size        0                    unlimited            bytes\n');
  assert.deepEqual(capRlimits([{ type: 'RLIMIT_CORE', soft: 2 ** 64, hard: 2 ** 64 }], unlimited), [{ type: 'RLIMIT_CORE', soft: Number.MAX_SAFE_INTEGER, hard: Number.MAX_SAFE_INTEGER }]);
  assert.throws(() => capRlimits([{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }], unlimited), /unknown rlimit type/);
});

test('cap-add and cap-drop follow Docker, and seccomp follows the capabilities', async () => {
  const s = await spec([withCapabilities({ add: ['NET_RAW', 'sys_admin'], drop: ['CHOWN'] })]);
  assert.ok(s.process.capabilities!.bounding.includes('CAP_NET_RAW'));
  assert.ok(s.process.capabilities!.bounding.includes('CAP_SYS_ADMIN'));
  assert.ok(!s.process.capabilities!.bounding.includes('CAP_CHOWN'));
  const none = await spec([withCapabilities({ drop: ['ALL'], add: ['KILL'] })]);
  assert.deepEqual(none.process.capabilities!.bounding, ['CAP_KILL']);
  // Without CAP_SYS_CHROOT, chroot is denied with EPERM instead of allowed.
  const chroot = (x: RuntimeSpec) => x.linux.seccomp!.syscalls!.filter((c) => c.names.includes('chroot'));
  assert.deepEqual(chroot(await spec([])), [{ names: ['chroot'], action: 'SCMP_ACT_ALLOW' }]);
  assert.deepEqual(chroot(none), [{ names: ['chroot'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);
});

test('seccomp conversion resolves arch, caps and kernel conditions', () => {
  const caps = ['CAP_SYS_CHROOT', 'CAP_SYS_ADMIN'];
  const out = resolveSeccompProfile(tinyProfile, { arch: 'amd64', capabilities: caps, kernel: [6, 1] }, 'SCMP_ARCH_X86_64');
  assert.equal(out.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(out.defaultErrnoRet, 38);
  assert.deepEqual(out.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const names = out.syscalls!.flatMap((c) => c.names);
  assert.ok(names.includes('arch_prctl'));
  assert.ok(!names.includes('set_tls'), 'arm-only rule dropped on amd64');
  assert.ok(names.includes('landlock_create_ruleset'));
  assert.ok(!names.includes('future_call'), 'rule for a newer kernel dropped');
  assert.ok(!names.includes('bpf'), 'includes.caps needs every listed capability');
  assert.deepEqual(out.syscalls!.find((c) => c.names[0] === 'personality')!.args, [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }]);
  assert.equal(out.syscalls!.find((c) => c.names[0] === 'read')!.args, undefined, 'empty args are omitted');
  const arm = resolveSeccompProfile(tinyProfile, { arch: 'arm64', capabilities: [], kernel: [5, 4] }, 'SCMP_ARCH_AARCH64');
  assert.equal(arm.architectures, undefined);
  assert.ok(arm.syscalls!.some((c) => c.names.includes('set_tls')));
  assert.ok(!arm.syscalls!.some((c) => c.names.includes('landlock_create_ruleset')));
});

test('containers-common seccomp.json converts for this host', { skip: !existsSync('/usr/share/containers/seccomp.json') && 'containers-common not installed' }, async () => {
  const profile = (await loadSeccompProfile())!;
  const s = await buildSpec({ containerId: ID, rootfs: '/r' }, [withArgs(['sh'])], { hardLimits: host.hardLimits, loadDefaultSeccomp: async () => profile });
  const seccomp = s.linux.seccomp!;
  assert.ok(seccomp.syscalls!.length > 10);
  assert.ok(seccomp.syscalls!.every((c) => c.names.length > 0 && typeof c.action === 'string'));
  assert.ok(!JSON.stringify(seccomp).includes('includes'), 'no conditions left for the runtime');
  // socket(AF_NETLINK, …, NETLINK_AUDIT) is allowed because the default set has CAP_AUDIT_WRITE.
  assert.ok(seccomp.syscalls!.some((c) => c.names.includes('socket') && c.action === 'SCMP_ACT_ALLOW' && !c.args));
  assert.deepEqual(await spec([withSeccomp({ kind: 'unconfined' })]).then((x) => x.linux.seccomp), undefined);
});

test('user resolution from passwd and group', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n';
  const group = 'root:x:0:\nwheel:x:10:app,root\nnogroup:x:65534:\napp:x:1000:\naudio:x:29:app\n';
  assert.deepEqual(resolveUserFromFiles('', passwd, group), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  assert.deepEqual(resolveUserFromFiles('app', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
  assert.deepEqual(resolveUserFromFiles('1000', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
  assert.deepEqual(resolveUserFromFiles('app:nogroup', passwd, group), { uid: 1000, gid: 65534, additionalGids: [], home: '/home/app' });
  assert.deepEqual(resolveUserFromFiles('4242:4343', passwd, group), { uid: 4242, gid: 4343, additionalGids: [] });
  assert.deepEqual(resolveUserFromFiles('nobody', passwd, group, ['audio', '777']), { uid: 65534, gid: 65534, additionalGids: [29, 777], home: '/nonexistent' });
  assert.throws(() => resolveUserFromFiles('foo', passwd, group), /^InvalidArgumentError: unable to find user foo: no matching entries in passwd file$/);
  assert.throws(() => resolveUserFromFiles('app:staff', passwd, group), /unable to find group staff: no matching entries in group file/);
  assert.throws(() => resolveUserFromFiles('root', passwd, group, ['nosuch']), /unable to find group nosuch/);
  assert.throws(() => resolveUserFromFiles('foo', undefined, undefined), /unable to find user foo/);
  assert.deepEqual(resolveUserFromFiles('123', undefined, undefined), { uid: 123, gid: 0, additionalGids: [] });
  assert.throws(() => resolveUserFromFiles('99999999999', passwd, group), /must be in range/);
});

test('passwd is read inside the rootfs: a symlink to the host file resolves within it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-user-'));
  try {
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await writeFile(join(dir, 'host-passwd'), 'evil:x:0:0::/:/bin/sh\n');
    // Absolute and relative escapes: both must stay inside the rootfs.
    await symlink(join(dir, 'host-passwd'), join(rootfs, 'etc', 'passwd'));
    await symlink('../../host-passwd', join(rootfs, 'etc', 'group'));
    assert.equal(await readFileInRoot(rootfs, '/etc/passwd'), undefined);
    assert.equal(await readFileInRoot(rootfs, '/etc/group'), undefined);
    await rm(join(rootfs, 'etc', 'passwd'));
    await writeFile(join(rootfs, 'etc', 'real-passwd'), 'app:x:7:8::/home/app:/bin/sh\n');
    await symlink('/etc/real-passwd', join(rootfs, 'etc', 'passwd'));
    const s = await spec([withUser('app')], rootfs);
    assert.deepEqual(s.process.user, { uid: 7, gid: 8 });
    await assert.rejects(spec([withUser('evil')], rootfs), /unable to find user evil: no matching entries in passwd file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const features = parseRuntimeFeatures(JSON.stringify({
  ociVersionMin: '1.0.0',
  ociVersionMax: '1.0.2-dev',
  mountOptions: ['bind', 'rbind', 'ro', 'rw', 'nosuid', 'nodev', 'noexec', 'strictatime', 'relatime', 'rprivate', 'private', 'rshared', 'rslave'],
  linux: {
    namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts'],
    capabilities: ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'],
    seccomp: { enabled: true, actions: ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO'], operators: ['SCMP_CMP_EQ'], archs: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    unknownField: { kept: true },
  },
  annotations: { 'org.opencontainers.runc.version': '1.1.5' },
}));

test('the features check accepts the defaults and rejects what the runtime does not know', async () => {
  assert.deepEqual(specFeatureProblems(await spec([]), features), []);
  const bogusCap = await spec([withCapabilities({ add: ['CAP_BOGUS'] })]);
  assert.throws(() => checkSpecFeatures('c1', bogusCap, features, { runtimeName: 'runc' }), /^InvalidArgumentError: container c1: the spec asks for what runc does not support: unknown capability "CAP_BOGUS"$/);
  const noPrivilege = await spec([withCapabilities({ add: ['CAP_NET_RAW'] })]);
  assert.match(specFeatureProblems(noPrivilege, features, { hostCapabilities: ['CAP_CHOWN'] }).join(), /CAP_NET_RAW is not in the daemon's own bounding set/);
  const badMount = await spec([withBindMount({ source: '/a', destination: '/b' }), (x) => { x.mounts.at(-1)!.options!.push('readonly'); }]);
  assert.deepEqual(specFeatureProblems(badMount, features), ['unknown mount option "readonly" on /b']);
  const typo = await spec([withTmpfs('/t', ['noexce'])]);
  assert.deepEqual(specFeatureProblems(typo, features), ['unknown mount option "noexce" on /t']);
  const badNs = await spec([(x) => { x.linux.namespaces.push({ type: 'time' }); }]);
  assert.deepEqual(specFeatureProblems(badNs, features), ['unknown namespace "time"']);
  const badAction = await spec([]);
  badAction.linux.seccomp!.syscalls!.push({ names: ['kill'], action: 'SCMP_ACT_NOTIFY_LOUDLY' });
  assert.deepEqual(specFeatureProblems(badAction, features), ['unknown seccomp action "SCMP_ACT_NOTIFY_LOUDLY"']);
});

test('runtime error text and Docker exit codes for commands', () => {
  const stderr = '{"level":"warning","msg":"ignored","time":"x"}\n{"level":"error","msg":"runc create failed: unable to start container process: exec: \\"nosuchcmd\\": executable file not found in $PATH","time":"x"}\n';
  const text = runtimeErrorText(stderr);
  assert.equal(text, 'runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH');
  assert.equal(commandErrorExitCode(text), 127);
  assert.equal(commandErrorExitCode('exec: "/etc": permission denied'), 126);
  assert.equal(commandErrorExitCode('cgroup: something else'), undefined);
  assert.equal(runtimeErrorText('plain text\n'), 'plain text');
});

test('k8s-file log lines parse with streams apart', () => {
  const e = parseLogLine(Buffer.from('2024-01-01T00:00:00.000000001+00:00 stderr P a b  c'));
  assert.equal(e.time, '2024-01-01T00:00:00.000000001+00:00');
  assert.equal(e.stream, 'stderr');
  assert.equal(e.partial, true);
  assert.equal(e.content.toString(), 'a b  c');
  assert.equal(parseLogLine(Buffer.from('2024-01-01T00:00:00Z stdout F ')).content.length, 0);
  assert.throws(() => parseLogLine(Buffer.from('garbage')), /malformed container log line/);
});
