import { mkdir, rm, lstat, chmod, chown, readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { type Logger, FailedPreconditionError, InvalidArgumentError, errorMessage } from '../base/index.js';
import type { FileLock } from '../host/index.js';
import { ApiServer, Router, EventBus } from '../api/server/index.js';
import { defaultRouteModules, type ApiDeps } from '../api/routes/index.js';
import { productVersion } from '../api/types/index.js';
import type { DaemonConfig } from './config.js';
import { parseListenAddress, formatListenAddress, type ListenAddress } from './host-address.js';
import { lockStore } from './store-lock.js';
import { writePidFile, removePidFile } from './pid-file.js';
import { openEngine, type Engine } from './engine.js';
import { gatherSystemFacts } from './system-facts.js';
import type { ContainerEvent, ContainerService } from '../containers/index.js';
import { applyChanges } from '../builder/index.js';

export const PID_FILE = 'stratad.pid';

/**
 * One running daemon: the composition root. It takes the store lock and the pid file, opens
 * the engine, wires the route modules to it and serves them on every configured address.
 * `stop` undoes it in reverse; containers, once they exist, keep running across it.
 */
export class Daemon {
  readonly events = new EventBus();
  private lock?: FileLock;
  private servers: { address: ListenAddress; server: ApiServer }[] = [];
  private engine?: Engine;
  private stopping?: Promise<void>;

  constructor(readonly config: DaemonConfig, private readonly logger: Logger) {}

  get pidFile(): string {
    return join(this.config.execRoot, PID_FILE);
  }

  async start(): Promise<void> {
    const { config, logger } = this;
    const addresses = config.hosts.map(parseListenAddress);
    const tcp = addresses.find((a) => a.kind === 'tcp');
    if (tcp && !config.insecureTcp) {
      throw new InvalidArgumentError(`refusing to listen on ${formatListenAddress(tcp)}: the API has no TLS and whoever connects controls this host as root; add --insecure-tcp to do it anyway`);
    }
    await mkdir(config.root, { recursive: true, mode: 0o711 });
    await mkdir(config.execRoot, { recursive: true, mode: 0o700 });
    this.lock = lockStore(config.root, config.execRoot);
    try {
      await writePidFile(this.pidFile);
      const engine = await openEngine(config.root, config.execRoot, config.storageDriver, logger);
      this.engine = engine;
      engine.containers.on('event', (e: ContainerEvent) => {
        this.events.publish({ Type: 'container', Action: e.action, Actor: { ID: e.id, Attributes: e.attributes } });
      });
      const deps: ApiDeps = {
        images: engine.images,
        containers: engine.containers,
        execs: engine.execs,
        volumes: engine.volumes,
        builder: engine.builder,
        applyChanges: async (changes, config) => applyChanges(config, changes),
        events: this.events,
        system: await gatherSystemFacts(config, engine.driver),
        engineVersion: productVersion(),
        containerCounts: () => countContainers(engine.containers),
        containersUsingImage: (imageId) => engine.containers.list().filter((c) => c.image === imageId).length,
      };
      const router = new Router();
      for (const module of defaultRouteModules) router.use(module, deps);
      for (const address of addresses) {
        const server = new ApiServer({ router, engineVersion: deps.engineVersion, logger: logger.child({ module: 'api' }) });
        await this.listen(server, address);
        this.servers.push({ address, server });
        logger.info('API listen on ' + (address.kind === 'unix' ? address.path : formatListenAddress(address)));
      }
      logger.info('daemon has completed initialization', { root: config.root, execRoot: config.execRoot, driver: this.engine.driver, pid: process.pid, version: deps.engineVersion });
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Closes the listeners (requests in flight get `shutdownTimeout`), then the pid file and the lock. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.events.close();
      await Promise.all(this.servers.map(async ({ address, server }) => {
        try {
          await server.close(this.config.shutdownTimeout * 1000);
        } catch (err) {
          this.logger.warn('closing listener failed', { address: formatListenAddress(address), error: errorMessage(err) });
        }
        if (address.kind === 'unix') await rm(address.path, { force: true });
      }));
      this.servers = [];
      this.engine?.close();
      await removePidFile(this.pidFile);
      this.lock?.release();
      this.logger.info('daemon shutdown complete');
    })();
    return this.stopping;
  }

  private async listen(server: ApiServer, address: ListenAddress): Promise<void> {
    if (address.kind === 'tcp') {
      await server.listen({ host: address.host, port: address.port });
      return;
    }
    await mkdir(dirname(address.path), { recursive: true, mode: 0o755 });
    await removeStaleSocket(address.path);
    await server.listen({ path: address.path });
    // Like dockerd: root and the socket's group may connect, nobody else.
    await chmod(address.path, 0o660);
    const gid = await groupId(this.config.group);
    if (gid !== undefined) await chown(address.path, 0, gid).catch(() => {});
  }
}

/** A socket file nobody answers on is left from a crash: remove it. One that answers is in use. */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new FailedPreconditionError(`${path} exists and is not a socket`);
  const answered = await new Promise<boolean>((resolve) => {
    const probe = createConnection({ path });
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (answered) throw new FailedPreconditionError(`${path} is in use by another process`);
  await rm(path, { force: true });
}

async function groupId(name: string): Promise<number | undefined> {
  if (!name) return undefined;
  if (/^\d+$/.test(name)) return Number(name);
  try {
    for (const line of (await readFile('/etc/group', 'utf8')).split('\n')) {
      const [group, , gid] = line.split(':');
      if (group === name && gid) return Number(gid);
    }
  } catch { /* no group database */ }
  return undefined;
}

function countContainers(containers: ContainerService): { total: number; running: number; paused: number; stopped: number } {
  const all = containers.list();
  const running = all.filter((c) => c.state.Status === 'running' || c.state.Status === 'restarting').length;
  const paused = all.filter((c) => c.state.Status === 'paused').length;
  return { total: all.length, running, paused, stopped: all.length - running - paused };
}
