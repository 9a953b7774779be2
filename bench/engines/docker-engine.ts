import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonProcess } from './daemon-process.js';
import { privateClient, registerLeftoverTeardown, removeContainersOnCleanup, serverVersion, stopOnCleanup, type LaunchContext } from './launch-common.js';
import { findProcesses, nofileHardLimit } from '../proc-info.js';
import { runCommand } from '../process.js';
import type { Engine } from './engine.js';

/** Where Debian's docker.io puts dockerd, or undefined when it is not installed. */
export async function findDockerd(): Promise<string | undefined> {
  for (const candidate of ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd']) {
    if ((await runCommand(['test', '-x', candidate])).code === 0) return candidate;
  }
  return undefined;
}

/** `apt-get install docker.io` (only with --install-docker). */
export async function installDocker(log: (line: string) => void): Promise<void> {
  log('bench: installing Debian docker.io with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const argv of [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'docker.io']]) {
    const r = await runCommand(argv, { env, timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/**
 * Starts a real dockerd on its own data root, exec root and socket. No bridge and no iptables,
 * so it touches no host networking; nofile is capped at this process's hard limit because
 * without CAP_SYS_RESOURCE containers cannot be given more.
 */
export async function launchDocker(ctx: LaunchContext, dockerd: string): Promise<Engine> {
  const root = join(ctx.dir, 'root');
  const execRoot = join(ctx.dir, 'exec');
  const socket = join(ctx.dir, 'docker.sock');
  await mkdir(ctx.dir, { recursive: true });
  // An empty config file, so /etc/docker/daemon.json cannot change what is measured.
  const config = join(ctx.dir, 'daemon.json');
  await writeFile(config, '{}\n');
  const nofile = await nofileHardLimit();
  registerLeftoverTeardown(ctx, 'docker', [join(execRoot, 'runtime-runc', 'moby')]);
  const daemon = await startDaemonProcess([
    dockerd, '--config-file', config, '--data-root', root, '--exec-root', execRoot, '-H', `unix://${socket}`,
    '--pidfile', join(ctx.dir, 'dockerd.pid'), '--iptables=false', '--bridge=none', '--storage-driver', 'overlay2',
    '--default-ulimit', `nofile=${nofile}:${nofile}`,
  ], socket, join(ctx.dir, 'dockerd.log'), { onSpawned: stopOnCleanup(ctx, 'docker') });
  const client = await privateClient(ctx, socket);
  removeContainersOnCleanup(ctx, 'docker', client);
  const containerdSocketDir = join(execRoot, 'containerd') + '/';
  return {
    name: 'docker',
    version: await serverVersion(client),
    client,
    dataRoot: root,
    execRoot,
    runcRoot: join(execRoot, 'runtime-runc', 'moby'),
    startMs: daemon.startMs,
    daemonDescription: 'dockerd + containerd',
    monitorDescription: 'containerd-shim-runc-v2',
    // dockerd starts its own containerd, whose argv names the exec root; the two together are Docker's daemon.
    daemonPids: async () => [daemon.pid, ...(await findProcesses((argv) => /(^|\/)containerd$/.test(argv[0]!) && argv.some((a) => a.startsWith(containerdSocketDir)))).map((p) => p.pid)],
    monitorPids: async () => (await findProcesses((argv) => /(^|\/)containerd-shim/.test(argv[0]!) && argv.some((a) => a.startsWith(containerdSocketDir))))
      .map((p) => p.pid),
  };
}
