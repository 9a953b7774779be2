import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerClient } from '../client.js';
import type { Cleanup } from '../cleanup.js';
import { deleteRuncContainers, killLeftovers, unmountAllUnder } from './teardown.js';

export interface LaunchContext {
  /** A fresh directory for this engine only; removed by the bench at the end. */
  dir: string;
  dockerBin: string;
  cleanup: Cleanup;
  log: (line: string) => void;
}

export async function privateClient(ctx: LaunchContext, socket: string): Promise<DockerClient> {
  const configDir = join(ctx.dir, 'docker-config');
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'config.json'), '{}\n');
  return new DockerClient(ctx.dockerBin, `unix://${socket}`, configDir);
}

export async function serverVersion(client: DockerClient): Promise<string> {
  return (await client.run(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
}

/**
 * Registers, before the daemon is spawned, the last steps of its teardown: by PID whatever
 * survived the daemon (runc containers, monitors), then its mounts. Cleanup runs in reverse
 * order, so these come after the daemon is stopped.
 */
export function registerLeftoverTeardown(ctx: LaunchContext, name: string, runcRoots: string[]): void {
  ctx.cleanup.add(`${name}: unmount`, () => unmountAllUnder(ctx.dir));
  ctx.cleanup.add(`${name}: leftover processes`, async () => {
    for (const root of runcRoots) await deleteRuncContainers(root);
    const killed = await killLeftovers([ctx.dir]);
    if (killed.length > 0) ctx.log(`${name}: killed ${killed.length} leftover process(es): ${killed.join(' ')}`);
  });
}

/** The daemon's stop, registered as soon as it is spawned. */
export function stopOnCleanup(ctx: LaunchContext, name: string): (stop: () => Promise<void>) => void {
  return (stop) => ctx.cleanup.add(`${name}: stop daemon`, stop);
}

/** Once the API answers: remove the engine's containers through it, first of all, while it still runs. */
export function removeContainersOnCleanup(ctx: LaunchContext, name: string, client: DockerClient): void {
  ctx.cleanup.add(`${name}: remove containers`, async () => {
    const ids = await client.tryRun(['ps', '-aq'], { timeoutMs: 30_000 });
    const list = ids.code === 0 ? ids.stdout.split('\n').filter(Boolean) : [];
    if (list.length > 0) await client.removeContainers(list);
  });
}
