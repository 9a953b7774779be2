import { humanDuration } from '../base/index.js';
import type { ContainerService } from './container-service.js';
import { ZERO_TIME, type ContainerRecord, type MountPoint } from './container-record.js';
import { rootfsPath } from './rootfs.js';

/** Docker's `State` object. */
function stateView(record: ContainerRecord) {
  const s = record.state;
  return {
    Status: s.Status,
    Running: s.Status === 'running' || s.Status === 'paused' || s.Status === 'restarting',
    Paused: s.Status === 'paused',
    Restarting: s.Status === 'restarting',
    OOMKilled: s.OOMKilled,
    Dead: s.Status === 'dead',
    Pid: s.Pid,
    ExitCode: s.ExitCode,
    Error: s.Error,
    StartedAt: s.StartedAt,
    FinishedAt: s.FinishedAt,
  };
}

function mountView(m: MountPoint) {
  const out: Record<string, unknown> = { Type: m.Type };
  if (m.Name) out.Name = m.Name;
  out.Source = m.Source;
  out.Destination = m.Destination;
  if (m.Driver) out.Driver = m.Driver;
  out.Mode = m.Mode;
  out.RW = m.RW;
  out.Propagation = m.Propagation;
  return out;
}

/** The human status column of `docker ps`. */
export function statusText(record: ContainerRecord, now = Date.now()): string {
  const s = record.state;
  switch (s.Status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(s.StartedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'exited':
      return s.FinishedAt === ZERO_TIME ? 'Created' : `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    default:
      return 'Created';
  }
}

/** `docker inspect` of a container, with Docker's field names. */
export async function inspectContainer(service: ContainerService, record: ContainerRecord, options: { size?: boolean } = {}) {
  const etc = service.etcPaths(record.id);
  const upper = (await service.images.snapshotter.layerDir(record.id)).dir;
  const lowers = await service.lowerDirs(record);
  const out: Record<string, unknown> = {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: stateView(record),
    Image: record.image,
    ResolvConfPath: etc.resolvConf,
    HostnamePath: etc.hostname,
    HostsPath: etc.hosts,
    LogPath: service.logPath(record.id),
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: service.images.snapshotter.driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: record.hostConfig,
    GraphDriver: {
      Data: {
        LowerDir: lowers.join(':'),
        MergedDir: rootfsPath(service.dir(record.id)),
        UpperDir: upper,
        WorkDir: upper.replace(/\/fs$/, '/work'),
      },
      Name: service.images.snapshotter.driver,
    },
    Mounts: record.mounts.map(mountView),
    Config: record.config,
    NetworkSettings: networkSettings(record),
  };
  if (options.size) {
    const usage = await service.images.snapshotter.usage(record.id);
    out.SizeRw = usage.size;
    out.SizeRootFs = usage.size + (await imageSize(service, record));
  }
  return out;
}

async function imageSize(service: ContainerService, record: ContainerRecord): Promise<number> {
  let total = 0;
  for (const chainId of await service.imageChain(record)) total += (await service.images.snapshotter.usage(chainId)).size;
  return total;
}

function networkSettings(record: ContainerRecord) {
  const mode = record.hostConfig.NetworkMode;
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: '',
    Ports: {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: {
      [mode]: {
        IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', NetworkID: mode, EndpointID: '', Gateway: '',
        IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: null,
      },
    },
  };
}

/** One row of `GET /containers/json`. */
export async function containerSummary(service: ContainerService, record: ContainerRecord, options: { size?: boolean } = {}) {
  const tags = service.images.store.namesOf(record.image);
  const out: Record<string, unknown> = {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.config.Image || (tags[0]?.name ?? record.image),
    ImageID: record.image,
    Command: [record.path, ...record.args].join(' '),
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: [],
    Labels: record.config.Labels,
    State: record.state.Status,
    Status: statusText(record),
    HostConfig: { NetworkMode: record.hostConfig.NetworkMode },
    NetworkSettings: { Networks: networkSettings(record).Networks },
    Mounts: record.mounts.map(mountView),
  };
  if (options.size) {
    const usage = await service.images.snapshotter.usage(record.id);
    out.SizeRw = usage.size;
    out.SizeRootFs = usage.size + (await imageSize(service, record));
  }
  return out;
}
