import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemonProcess } from './daemon-process.js';
import { privateClient, registerLeftoverTeardown, removeContainersOnCleanup, serverVersion, stopOnCleanup, type LaunchContext } from './launch-common.js';
import { findProcesses } from '../proc-info.js';
import type { Engine } from './engine.js';
import { envWithThisNode } from '../process.js';

const projectTop = fileURLToPath(new URL('../../../', import.meta.url));
export const STRATAD_BIN = join(projectTop, 'bin', 'stratad');

/** Starts `stratad` on a temp root, exec root and socket (never the machine's defaults). */
export async function launchStrata(ctx: LaunchContext): Promise<Engine> {
  const root = join(ctx.dir, 'root');
  const execRoot = join(ctx.dir, 'exec');
  const socket = join(ctx.dir, 'strata.sock');
  await mkdir(ctx.dir, { recursive: true });
  // An empty config of its own, so /etc/strata/daemon.json on this machine cannot change what is measured.
  const config = join(ctx.dir, 'daemon.json');
  await writeFile(config, '{}\n');
  registerLeftoverTeardown(ctx, 'strata', [join(execRoot, 'runc')]);
  const daemon = await startDaemonProcess(
    // Run as installed (its shebang carries the daemon's V8 flags), with this node first on PATH.
    [STRATAD_BIN, '--root', root, '--exec-root', execRoot, '-H', `unix://${socket}`, '--config', config],
    socket, join(ctx.dir, 'stratad.log'), { env: envWithThisNode(), onSpawned: stopOnCleanup(ctx, 'strata') });
  const client = await privateClient(ctx, socket);
  removeContainersOnCleanup(ctx, 'strata', client);
  return {
    name: 'strata',
    version: await serverVersion(client),
    client,
    dataRoot: root,
    execRoot,
    runcRoot: join(execRoot, 'runc'),
    startMs: daemon.startMs,
    daemonDescription: 'stratad',
    monitorDescription: 'conmon',
    daemonPids: async () => [daemon.pid],
    // conmon daemonizes (its parent is init), so it is found by the exec root in its argv.
    monitorPids: async () => (await findProcesses((argv) => /(^|\/)conmon$/.test(argv[0]!) && argv.some((a) => a.startsWith(execRoot + '/'))))
      .map((p) => p.pid),
  };
}
