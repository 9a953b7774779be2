import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonProcess } from './daemon-process.js';
import { privateClient, registerLeftoverTeardown, removeContainersOnCleanup, serverVersion, stopOnCleanup, type LaunchContext } from './launch-common.js';
import { findProcesses } from '../proc-info.js';
import { runCommand } from '../process.js';
import type { Engine } from './engine.js';

export async function findPodman(): Promise<string | undefined> {
  for (const candidate of ['/usr/bin/podman', '/usr/local/bin/podman']) {
    if ((await runCommand(['test', '-x', candidate])).code === 0) return candidate;
  }
  return undefined;
}

/**
 * `podman system service` with runc on private root, run root and socket: an optional third
 * column (--with-podman), never installed by the bench.
 */
export async function launchPodman(ctx: LaunchContext, podman: string): Promise<Engine> {
  const root = join(ctx.dir, 'root');
  const runRoot = join(ctx.dir, 'run');
  const tmpDir = join(ctx.dir, 'tmp');
  const socket = join(ctx.dir, 'podman.sock');
  await mkdir(tmpDir, { recursive: true });
  registerLeftoverTeardown(ctx, 'podman', [join(runRoot, 'runc')]);
  const daemon = await startDaemonProcess([
    podman, '--root', root, '--runroot', runRoot, '--tmpdir', tmpDir, '--runtime', 'runc', '--storage-driver', 'overlay',
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file',
    'system', 'service', '--time', '0', `unix://${socket}`,
  ], socket, join(ctx.dir, 'podman.log'), { onSpawned: stopOnCleanup(ctx, 'podman') });
  const client = await privateClient(ctx, socket);
  removeContainersOnCleanup(ctx, 'podman', client);
  const dirs = [root + '/', runRoot + '/', tmpDir + '/'];
  return {
    name: 'podman',
    version: await serverVersion(client),
    client,
    dataRoot: root,
    execRoot: runRoot,
    startMs: daemon.startMs,
    daemonDescription: 'podman system service',
    monitorDescription: 'conmon',
    daemonPids: async () => [daemon.pid],
    monitorPids: async () => (await findProcesses((argv) => /(^|\/)conmon$/.test(argv[0]!) && argv.some((a) => dirs.some((d) => a.startsWith(d)))))
      .map((p) => p.pid),
  };
}
