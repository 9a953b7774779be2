import { hostname } from 'node:os';
import { statSync } from 'node:fs';
import type { RouteModule, RequestContext } from '../server/index.js';
import { API_VERSION, MIN_API_VERSION } from '../server/index.js';
import type { SystemInfo, SystemVersion } from '../types/index.js';
import { PRODUCT_NAME } from '../types/index.js';
import type { ApiDeps } from './deps.js';
import { diskUsage } from './disk-usage.js';

/** `/_ping`, `/version`, `/info`, `/system/df`. */
export const systemRoutes: RouteModule<ApiDeps> = (router, deps) => {
  router.get('/_ping', (ctx) => ping(ctx));
  router.head('/_ping', (ctx) => ping(ctx));
  router.get('/version', (ctx) => ctx.sendJson(200, versionOf(deps)));
  router.get('/info', (ctx) => ctx.sendJson(200, infoOf(deps)));
  router.get('/system/df', async (ctx) => ctx.sendJson(200, await diskUsage(ctx, deps)));
};

function ping(ctx: RequestContext): void {
  ctx.res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  ctx.res.setHeader('Pragma', 'no-cache');
  // "1" tells the docker CLI to use the classic builder (POST /build), which is what strata serves.
  ctx.res.setHeader('Builder-Version', '1');
  ctx.res.setHeader('Swarm', 'inactive');
  if (ctx.req.method === 'HEAD') {
    ctx.res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    ctx.res.setHeader('Content-Length', '0');
    ctx.sendStatus(200);
    return;
  }
  ctx.sendText(200, 'OK');
}

function versionOf(deps: ApiDeps): SystemVersion {
  const { system } = deps;
  const arch = goArch(process.arch);
  const buildTime = buildTimeOf();
  return {
    Platform: { Name: PRODUCT_NAME },
    Components: [{
      Name: 'Engine',
      Version: deps.engineVersion,
      Details: {
        ApiVersion: API_VERSION,
        Arch: arch,
        BuildTime: buildTime,
        Experimental: 'false',
        GitCommit: '',
        GoVersion: `node${process.versions.node}`,
        KernelVersion: system.kernelVersion,
        MinAPIVersion: MIN_API_VERSION,
        Os: 'linux',
      },
    }],
    Version: deps.engineVersion,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: arch,
    KernelVersion: system.kernelVersion,
    BuildTime: buildTime,
  };
}

function infoOf(deps: ApiDeps): SystemInfo {
  const { system } = deps;
  const counts = deps.containerCounts?.() ?? { total: 0, running: 0, paused: 0, stopped: 0 };
  return {
    ID: system.id,
    Containers: counts.total,
    ContainersRunning: counts.running,
    ContainersPaused: counts.paused,
    ContainersStopped: counts.stopped,
    Images: deps.images.store.list().length,
    Driver: system.driver,
    DriverStatus: system.driverStatus,
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: [system.loggingDriver] },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: system.debug,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: rfc3339NanoLocal(new Date()),
    LoggingDriver: system.loggingDriver,
    CgroupDriver: system.cgroupDriver,
    CgroupVersion: system.cgroupVersion,
    NEventsListener: deps.events.listenerCount,
    KernelVersion: system.kernelVersion,
    OperatingSystem: system.operatingSystem,
    OSVersion: system.osVersion,
    OSType: 'linux',
    Architecture: system.architecture,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'],
      Mirrors: [],
    },
    NCPU: system.ncpu,
    MemTotal: system.memTotal,
    GenericResources: null,
    DockerRootDir: system.rootDir,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: system.name || hostname(),
    Labels: system.labels,
    ExperimentalBuild: false,
    ServerVersion: deps.engineVersion,
    Runtimes: system.runtimes,
    DefaultRuntime: system.defaultRuntime,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: system.liveRestore,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: '' },
    InitCommit: { ID: '' },
    SecurityOptions: system.securityOptions,
    CDISpecDirs: [],
    Warnings: system.warnings,
  };
}

/** Go's GOARCH names for Node's process.arch values. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

let buildTime: string | undefined;
/** When this build was made (the compiled file's time), RFC 3339 as Docker sends it. */
function buildTimeOf(): string {
  if (buildTime === undefined) {
    try {
      buildTime = statSync(new URL(import.meta.url)).mtime.toISOString();
    } catch {
      buildTime = '';
    }
  }
  return buildTime;
}

/** Go's time.RFC3339Nano in local time. */
function rfc3339NanoLocal(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60_000).toISOString().replace(/\.?0*Z$/, '');
  if (offset === 0) return `${local}Z`;
  const sign = offset > 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
