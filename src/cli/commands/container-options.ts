/**
 * The flags `run` and `create` share, and how they become the create request (docker's
 * cli/command/container/opts.go `parse`): Config, HostConfig and NetworkingConfig as the
 * Engine API takes them. Pure: no daemon, so each mapping is unit-tested.
 */
import { resolve as resolvePath, isAbsolute } from 'node:path';
import type { FlagSpec } from '../parser/flags.js';
import type { Options } from '../parser/command.js';
import { parseGoDuration } from '../../api/types/index.js';
import {
  ramInBytes, parseCpus, validateEnv, validateLabel, validateIPAddress, validateExtraHost, validateAttach, validateSysctl,
  validateDnsSearch, kvMap, parseKvFile, parseRestartPolicy, parseMount, parseVolumeSpec, parseUlimit, parsePortSpecs,
  type MountSpec,
} from '../parser/values.js';

const checked = (fn: (v: string) => unknown) => (v: string) => { fn(v); return v; };

/** Flags of `docker create` and `docker run` (opts.go addFlags), in docker's wording. */
export const CONTAINER_FLAGS: FlagSpec[] = [
  { name: 'add-host', type: 'stringArray', description: 'Add a custom host-to-IP mapping (host:ip)', validate: validateExtraHost },
  { name: 'annotation', type: 'stringArray', valueName: 'map', description: 'Add an annotation to the container (passed through to the OCI runtime)' },
  { name: 'attach', short: 'a', type: 'stringArray', description: 'Attach to STDIN, STDOUT or STDERR', validate: validateAttach },
  { name: 'cap-add', type: 'stringArray', description: 'Add Linux capabilities' },
  { name: 'cap-drop', type: 'stringArray', description: 'Drop Linux capabilities' },
  { name: 'cgroup-parent', type: 'string', description: 'Optional parent cgroup for the container' },
  { name: 'cgroupns', type: 'string', description: "Cgroup namespace to use (host|private)\n'host':    Run the container in the host's cgroup namespace\n'private': Run the container in its own private cgroup namespace\n'':        Use the cgroup namespace as configured by the\n           default-cgroupns-mode option on the daemon (default)" },
  { name: 'cidfile', type: 'string', description: 'Write the container ID to the file' },
  { name: 'cpu-period', type: 'int', valueName: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', type: 'int', valueName: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { name: 'cpu-shares', short: 'c', type: 'int', valueName: 'int', description: 'CPU shares (relative weight)' },
  { name: 'cpus', type: 'string', valueName: 'decimal', description: 'Number of CPUs', validate: checked(parseCpus) },
  { name: 'cpuset-cpus', type: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', type: 'string', description: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'device', type: 'stringArray', description: 'Add a host device to the container' },
  { name: 'dns', type: 'stringArray', description: 'Set custom DNS servers', validate: validateIPAddress },
  { name: 'dns-opt', type: 'stringArray', description: 'Set DNS options', hidden: true },
  { name: 'dns-option', type: 'stringArray', description: 'Set DNS options' },
  { name: 'dns-search', type: 'stringArray', description: 'Set custom DNS search domains', validate: validateDnsSearch },
  { name: 'domainname', type: 'string', description: 'Container NIS domain name' },
  { name: 'entrypoint', type: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'env', short: 'e', type: 'stringArray', description: 'Set environment variables', validate: (v) => validateEnv(v) },
  { name: 'env-file', type: 'stringArray', description: 'Read in a file of environment variables' },
  { name: 'expose', type: 'stringArray', description: 'Expose a port or a range of ports' },
  { name: 'group-add', type: 'stringArray', description: 'Add additional groups to join' },
  { name: 'health-cmd', type: 'string', description: 'Command to run to check health' },
  { name: 'health-interval', type: 'string', valueName: 'duration', description: 'Time between running the check (ms|s|m|h) (default 0s)', validate: checked(parseDurationFlag) },
  { name: 'health-retries', type: 'int', valueName: 'int', description: 'Consecutive failures needed to report unhealthy' },
  { name: 'health-start-interval', type: 'string', valueName: 'duration', description: 'Time between running the check during the start period (ms|s|m|h) (default 0s)', validate: checked(parseDurationFlag) },
  { name: 'health-start-period', type: 'string', valueName: 'duration', description: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)', validate: checked(parseDurationFlag) },
  { name: 'health-timeout', type: 'string', valueName: 'duration', description: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)', validate: checked(parseDurationFlag) },
  { name: 'hostname', short: 'h', type: 'string', description: 'Container host name' },
  { name: 'init', type: 'bool', description: 'Run an init inside the container that forwards signals and reaps processes' },
  { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
  { name: 'ip', type: 'string', description: 'IPv4 address (e.g., 172.30.100.104)' },
  { name: 'ip6', type: 'string', description: 'IPv6 address (e.g., 2001:db8::33)' },
  { name: 'ipc', type: 'string', description: 'IPC mode to use' },
  { name: 'isolation', type: 'string', description: 'Container isolation technology' },
  { name: 'label', short: 'l', type: 'stringArray', description: 'Set meta data on a container', validate: validateLabel },
  { name: 'label-file', type: 'stringArray', description: 'Read in a line delimited file of labels' },
  { name: 'link', type: 'stringArray', description: 'Add link to another container' },
  { name: 'log-driver', type: 'string', description: 'Logging driver for the container' },
  { name: 'log-opt', type: 'stringArray', description: 'Log driver options' },
  { name: 'mac-address', type: 'string', description: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  { name: 'memory', short: 'm', type: 'string', valueName: 'bytes', description: 'Memory limit', validate: checked(ramInBytes) },
  { name: 'memory-reservation', type: 'string', valueName: 'bytes', description: 'Memory soft limit', validate: checked(ramInBytes) },
  { name: 'memory-swap', type: 'string', valueName: 'bytes', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", validate: (v) => (v === '-1' ? v : (ramInBytes(v), v)) },
  { name: 'memory-swappiness', type: 'int', valueName: 'int', default: -1, description: 'Tune container memory swappiness (0 to 100)' },
  { name: 'mount', type: 'stringArray', valueName: 'mount', description: 'Attach a filesystem mount to the container', validate: checked(parseMount) },
  { name: 'name', type: 'string', description: 'Assign a name to the container' },
  { name: 'net', type: 'string', valueName: 'network', description: 'Connect a container to a network', hidden: true },
  { name: 'net-alias', type: 'stringArray', description: 'Add network-scoped alias for the container', hidden: true },
  { name: 'network', type: 'string', valueName: 'network', description: 'Connect a container to a network' },
  { name: 'network-alias', type: 'stringArray', description: 'Add network-scoped alias for the container' },
  { name: 'no-healthcheck', type: 'bool', description: 'Disable any container-specified HEALTHCHECK' },
  { name: 'oom-kill-disable', type: 'bool', description: 'Disable OOM Killer' },
  { name: 'oom-score-adj', type: 'int', valueName: 'int', description: "Tune host's OOM preferences (-1000 to 1000)" },
  { name: 'pid', type: 'string', description: 'PID namespace to use' },
  { name: 'pids-limit', type: 'int', valueName: 'int', description: 'Tune container pids limit (set -1 for unlimited)' },
  { name: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
  { name: 'privileged', type: 'bool', description: 'Give extended privileges to this container' },
  { name: 'publish', short: 'p', type: 'stringArray', description: "Publish a container's port(s) to the host" },
  { name: 'publish-all', short: 'P', type: 'bool', description: 'Publish all exposed ports to random ports' },
  { name: 'pull', type: 'string', default: 'missing', description: 'Pull image before running ("always", "missing", "never")' },
  { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the pull output' },
  { name: 'read-only', type: 'bool', description: "Mount the container's root filesystem as read only" },
  { name: 'restart', type: 'string', default: 'no', description: 'Restart policy to apply when a container exits' },
  { name: 'rm', type: 'bool', description: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  { name: 'runtime', type: 'string', description: 'Runtime to use for this container' },
  { name: 'security-opt', type: 'stringArray', description: 'Security Options' },
  { name: 'shm-size', type: 'string', valueName: 'bytes', description: 'Size of /dev/shm', validate: checked(ramInBytes) },
  { name: 'stop-signal', type: 'string', description: 'Signal to stop the container' },
  { name: 'stop-timeout', type: 'int', valueName: 'int', description: 'Timeout (in seconds) to stop a container' },
  { name: 'storage-opt', type: 'stringArray', description: 'Storage driver options for the container' },
  { name: 'sysctl', type: 'stringArray', valueName: 'map', description: 'Sysctl options', validate: validateSysctl },
  { name: 'tmpfs', type: 'stringArray', description: 'Mount a tmpfs directory' },
  { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
  { name: 'ulimit', type: 'stringArray', valueName: 'ulimit', description: 'Ulimit options', validate: checked(parseUlimit) },
  { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'userns', type: 'string', description: 'User namespace to use' },
  { name: 'uts', type: 'string', description: 'UTS namespace to use' },
  { name: 'volume', short: 'v', type: 'stringArray', description: 'Bind mount a volume' },
  { name: 'volume-driver', type: 'string', description: 'Optional volume driver for the container' },
  { name: 'volumes-from', type: 'stringArray', description: 'Mount volumes from the specified container(s)' },
  { name: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
];

/** Flags only `run` has. */
export const RUN_FLAGS: FlagSpec[] = [
  { name: 'detach', short: 'd', type: 'bool', description: 'Run container in background and print container ID' },
  { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
  { name: 'sig-proxy', type: 'bool', default: true, description: 'Proxy received signals to the process' },
];

function parseDurationFlag(value: string): bigint {
  const d = parseGoDuration(value);
  if (d === undefined) throw new Error(`time: invalid duration ${JSON.stringify(value)}`);
  return d;
}

/** What `docker create`/`run` sends: the body of POST /containers/create and its query. */
export interface CreateRequest {
  name: string;
  platform: string;
  pull: string;
  quiet: boolean;
  cidfile: string;
  config: Record<string, unknown> & { Image: string; Tty: boolean; OpenStdin: boolean; AttachStdin: boolean; AttachStdout: boolean; AttachStderr: boolean; StdinOnce: boolean };
  hostConfig: Record<string, unknown> & { AutoRemove: boolean };
  networkingConfig: { EndpointsConfig: Record<string, object> };
}

export interface ParseContext {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A problem with the options: `docker run` reports it with status 125 and a "--help" hint. */
export class ContainerOptionsError extends Error {}

const MODES_WITH_CONTAINER = /^container:/;

function validMode(value: string, extra: string[]): boolean {
  if (value === '' || extra.includes(value)) return true;
  if (MODES_WITH_CONTAINER.test(value)) return value.length > 'container:'.length;
  return false;
}

/**
 * docker's `parse`: flags and the `IMAGE [COMMAND] [ARG...]` arguments to the create request.
 * Throws ContainerOptionsError with docker's messages.
 */
export function parseContainerOptions(o: Options, args: string[], context: ParseContext = {}): CreateRequest {
  try {
    return parseOptions(o, args, context);
  } catch (err) {
    if (err instanceof ContainerOptionsError) throw err;
    throw new ContainerOptionsError((err as Error).message);
  }
}

function parseOptions(o: Options, args: string[], context: ParseContext): CreateRequest {
  const cwd = context.cwd ?? process.cwd();
  const env = context.env ?? process.env;
  const [image, ...command] = args as [string, ...string[]];
  const attach = o.strings('attach');
  let attachStdin = attach.includes('stdin');
  let attachStdout = attach.includes('stdout');
  let attachStderr = attach.includes('stderr');
  if (o.string('mac-address') && !/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(o.string('mac-address'))) {
    throw new Error(`${o.string('mac-address')} is not a valid mac address`);
  }
  if (o.bool('interactive')) attachStdin = true;
  if (attach.length === 0) {
    attachStdout = true;
    attachStderr = true;
  }
  const swappiness = o.int('memory-swappiness');
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new Error(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);

  // -v: binds (a source) go to HostConfig.Binds; a bare path is an anonymous volume (Config.Volumes).
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const spec of new Set(o.strings('volume'))) {
    const parsed = parseVolumeSpec(spec);
    if (parsed.source !== '') {
      let bind = spec;
      if (parsed.type === 'bind') {
        const colon = spec.indexOf(':');
        let hostPart = spec.slice(0, colon);
        if (!isAbsolute(hostPart) && hostPart.startsWith('.')) hostPart = resolvePath(cwd, hostPart);
        bind = hostPart + spec.slice(colon);
      }
      binds.push(bind);
    } else {
      volumes[spec] = {};
    }
  }

  const tmpfs: Record<string, string> = {};
  for (const t of o.strings('tmpfs')) {
    const colon = t.indexOf(':');
    tmpfs[colon < 0 ? t : t.slice(0, colon)] = colon < 0 ? '' : t.slice(colon + 1);
  }

  let entrypoint: string[] | null = null;
  if (o.string('entrypoint') !== '') entrypoint = [o.string('entrypoint')];
  else if (o.given('entrypoint')) entrypoint = [''];

  const publish = convertPublish(o.strings('publish'));
  const { exposed, bindings } = parsePortSpecs(publish);
  for (const e of o.strings('expose')) {
    if (e.includes(':')) throw new Error(`invalid port format for --expose: ${e}`);
    const slash = e.indexOf('/');
    const proto = slash < 0 ? 'tcp' : e.slice(slash + 1);
    const range = slash < 0 ? e : e.slice(0, slash);
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!m) throw new Error(`invalid range format for --expose: ${e}, error: invalid start port '${range}': invalid syntax`);
    for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) exposed[`${p}/${proto}`] ??= {};
  }

  const devices = o.strings('device').map(parseDevice);

  const lookup = (key: string) => env[key];
  const envFiles = o.strings('env-file').flatMap((f) => parseKvFile(f, lookup));
  const envVariables = [...envFiles, ...o.strings('env')];
  const labels = [...o.strings('label-file').flatMap((f) => parseKvFile(f)), ...o.strings('label')];

  if (!validMode(o.string('pid'), ['host'])) throw new Error('--pid: invalid PID mode');
  if (!validMode(o.string('uts'), ['host'])) throw new Error('--uts: invalid UTS mode');
  if (!['', 'host', 'private'].includes(o.string('userns')) && !o.string('userns').startsWith('private')) throw new Error('--userns: invalid USER mode');
  if (!['', 'host', 'private'].includes(o.string('cgroupns'))) throw new Error('--cgroupns: invalid CGROUP mode');

  const restartPolicy = parseRestartPolicy(o.string('restart'));
  const logOpts = o.strings('log-opt');
  if (o.string('log-driver') === 'none' && logOpts.length > 0) throw new Error(`invalid logging opts for driver ${o.string('log-driver')}`);
  let securityOpts = o.strings('security-opt');
  for (const opt of securityOpts) {
    let sep = opt.indexOf('=');
    let k = sep < 0 ? opt : opt.slice(0, sep);
    if (sep < 0 && k !== 'no-new-privileges') {
      sep = opt.indexOf(':');
      k = sep < 0 ? opt : opt.slice(0, sep);
    }
    const v = sep < 0 ? '' : opt.slice(sep + 1);
    if ((sep < 0 || v === '') && k !== 'no-new-privileges') throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
  }
  let maskedPaths: string[] | undefined;
  let readonlyPaths: string[] | undefined;
  if (securityOpts.includes('systempaths=unconfined')) {
    maskedPaths = [];
    readonlyPaths = [];
    securityOpts = securityOpts.filter((s) => s !== 'systempaths=unconfined');
  }
  const storageOpts: Record<string, string> = {};
  for (const option of o.strings('storage-opt')) {
    const eq = option.indexOf('=');
    if (eq < 0) throw new Error('invalid storage option');
    storageOpts[option.slice(0, eq)] = option.slice(eq + 1);
  }

  let healthcheck: Record<string, unknown> | undefined;
  const durations = {
    Interval: o.string('health-interval') ? parseDurationFlag(o.string('health-interval')) : 0n,
    Timeout: o.string('health-timeout') ? parseDurationFlag(o.string('health-timeout')) : 0n,
    StartPeriod: o.string('health-start-period') ? parseDurationFlag(o.string('health-start-period')) : 0n,
    StartInterval: o.string('health-start-interval') ? parseDurationFlag(o.string('health-start-interval')) : 0n,
  };
  const haveHealth = o.string('health-cmd') !== '' || Object.values(durations).some((d) => d !== 0n) || o.int('health-retries') !== 0;
  if (o.bool('no-healthcheck')) {
    if (haveHealth) throw new Error('--no-healthcheck conflicts with --health-* options');
    healthcheck = { Test: ['NONE'] };
  } else if (haveHealth) {
    if (durations.Interval < 0n) throw new Error('--health-interval cannot be negative');
    if (durations.Timeout < 0n) throw new Error('--health-timeout cannot be negative');
    if (o.int('health-retries') < 0) throw new Error('--health-retries cannot be negative');
    if (durations.StartPeriod < 0n) throw new Error('--health-start-period cannot be negative');
    if (durations.StartInterval < 0n) throw new Error('--health-start-interval cannot be negative');
    healthcheck = {
      Test: o.string('health-cmd') ? ['CMD-SHELL', o.string('health-cmd')] : null,
      Interval: Number(durations.Interval),
      Timeout: Number(durations.Timeout),
      StartPeriod: Number(durations.StartPeriod),
      StartInterval: Number(durations.StartInterval),
      Retries: o.int('health-retries'),
    };
  }

  const memorySwap = o.string('memory-swap');
  const config: CreateRequest['config'] = {
    Hostname: o.string('hostname'),
    Domainname: o.string('domainname'),
    User: o.string('user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
    Tty: o.bool('tty'),
    OpenStdin: o.bool('interactive'),
    StdinOnce: false,
    Env: envVariables.length > 0 ? envVariables : null,
    Cmd: command.length > 0 ? command : null,
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    Image: image,
    Volumes: Object.keys(volumes).length > 0 ? volumes : null,
    WorkingDir: o.string('workdir'),
    Entrypoint: entrypoint,
    ...(o.string('mac-address') ? { MacAddress: o.string('mac-address') } : {}),
    OnBuild: null,
    Labels: kvMap(labels),
    ...(o.string('stop-signal') ? { StopSignal: o.string('stop-signal') } : {}),
    ...(o.given('stop-timeout') ? { StopTimeout: o.int('stop-timeout') } : {}),
  };
  const hostConfig: CreateRequest['hostConfig'] = {
    Binds: binds.length > 0 ? binds : null,
    ContainerIDFile: o.string('cidfile'),
    LogConfig: { Type: o.string('log-driver'), Config: kvMap(logOpts) },
    NetworkMode: networkMode(o),
    PortBindings: bindings,
    RestartPolicy: restartPolicy,
    AutoRemove: o.bool('rm'),
    VolumeDriver: o.string('volume-driver'),
    VolumesFrom: nullIfEmpty(o.strings('volumes-from')),
    ConsoleSize: [0, 0],
    ...(o.strings('annotation').length > 0 ? { Annotations: kvMap(o.strings('annotation')) } : {}),
    CapAdd: nullIfEmpty(o.strings('cap-add')),
    CapDrop: nullIfEmpty(o.strings('cap-drop')),
    CgroupnsMode: o.string('cgroupns'),
    Dns: o.strings('dns'),
    DnsOptions: [...o.strings('dns-option'), ...o.strings('dns-opt')],
    DnsSearch: o.strings('dns-search'),
    ExtraHosts: nullIfEmpty(o.strings('add-host')),
    GroupAdd: nullIfEmpty(o.strings('group-add')),
    IpcMode: o.string('ipc'),
    Cgroup: '',
    Links: nullIfEmpty(o.strings('link')),
    OomScoreAdj: o.int('oom-score-adj'),
    PidMode: o.string('pid'),
    Privileged: o.bool('privileged'),
    PublishAllPorts: o.bool('publish-all'),
    ReadonlyRootfs: o.bool('read-only'),
    SecurityOpt: nullIfEmpty(securityOpts),
    ...(Object.keys(storageOpts).length > 0 ? { StorageOpt: storageOpts } : {}),
    ...(Object.keys(tmpfs).length > 0 ? { Tmpfs: tmpfs } : {}),
    UTSMode: o.string('uts'),
    UsernsMode: o.string('userns'),
    ShmSize: o.string('shm-size') ? ramInBytes(o.string('shm-size')) : 0,
    ...(o.strings('sysctl').length > 0 ? { Sysctls: kvMap(o.strings('sysctl')) } : {}),
    ...(o.string('runtime') ? { Runtime: o.string('runtime') } : {}),
    Isolation: o.string('isolation'),
    CpuShares: o.int('cpu-shares'),
    Memory: o.string('memory') ? ramInBytes(o.string('memory')) : 0,
    NanoCpus: o.string('cpus') ? parseCpus(o.string('cpus')) : 0,
    CgroupParent: o.string('cgroup-parent'),
    CpuPeriod: o.int('cpu-period'),
    CpuQuota: o.int('cpu-quota'),
    CpusetCpus: o.string('cpuset-cpus'),
    CpusetMems: o.string('cpuset-mems'),
    Devices: devices,
    MemoryReservation: o.string('memory-reservation') ? ramInBytes(o.string('memory-reservation')) : 0,
    MemorySwap: memorySwap === '-1' ? -1 : memorySwap ? ramInBytes(memorySwap) : 0,
    MemorySwappiness: swappiness,
    OomKillDisable: o.bool('oom-kill-disable'),
    PidsLimit: o.int('pids-limit'),
    Ulimits: nullIfEmpty(o.strings('ulimit').map(parseUlimit)),
    ...(o.strings('mount').length > 0 ? { Mounts: o.strings('mount').map((m) => stripEmpty(parseMount(m, cwd))) } : {}),
    ...(maskedPaths ? { MaskedPaths: maskedPaths, ReadonlyPaths: readonlyPaths } : {}),
  };
  if (hostConfig.AutoRemove && restartPolicy.Name !== 'no' && restartPolicy.Name !== '') {
    throw new Error('conflicting options: cannot specify both --restart and --rm');
  }
  if (o.given('init')) hostConfig.Init = o.bool('init');
  if (config.OpenStdin && config.AttachStdin) config.StdinOnce = true;

  const endpoints: Record<string, object> = {};
  const aliases = [...o.strings('network-alias'), ...o.strings('net-alias')];
  const ipam = o.string('ip') || o.string('ip6') ? { IPAMConfig: { IPv4Address: o.string('ip'), IPv6Address: o.string('ip6') } } : {};
  const target = String(hostConfig.NetworkMode);
  const userDefined = !['default', 'bridge', 'host', 'none'].includes(target) && !target.startsWith('container:');
  if (aliases.length > 0 && !userDefined) throw new Error('network-scoped aliases are only supported for user-defined networks');
  if (aliases.length > 0 || Object.keys(ipam).length > 0 || o.string('mac-address')) {
    endpoints[target] = { ...(aliases.length > 0 ? { Aliases: aliases } : {}), ...ipam, ...(o.string('mac-address') ? { MacAddress: o.string('mac-address') } : {}) };
  } else if (!o.given('network') && !o.given('net')) {
    endpoints.default = {};
  }
  return {
    name: o.string('name'),
    platform: o.string('platform'),
    pull: o.string('pull'),
    quiet: o.bool('quiet'),
    cidfile: o.string('cidfile'),
    config,
    hostConfig,
    networkingConfig: { EndpointsConfig: endpoints },
  };
}

function nullIfEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}

/** `--network NAME` or the advanced `name=NAME,alias=…` form (the first network is the mode). */
function networkMode(o: Options): string {
  const value = o.string('network') || o.string('net');
  if (value === '') return 'default';
  if (!value.includes('=')) return value;
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq > 0 && ['name', 'network'].includes(field.slice(0, eq).toLowerCase())) return field.slice(eq + 1);
  }
  return value;
}

/** `-p published=8080,target=80` to `8080:80/tcp` (convertToStandardNotation). */
function convertPublish(ports: readonly string[]): string[] {
  return ports.map((publish) => {
    if (!publish.includes('=')) return publish;
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const param of publish.split(',')) {
      const eq = param.indexOf('=');
      if (eq <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
      params[param.slice(0, eq)] = param.slice(eq + 1);
    }
    return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
  });
}

/** parseLinuxDevice: `/dev/x[:/dev/y][:rwm]`. */
function parseDevice(device: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const validMode = (m: string) => m !== '' && /^[rwm]+$/.test(m) && new Set(m).size === m.length;
  if ((device.match(/:/g) ?? []).length > 2 || device.split(':')[0] === '') throw new Error(`bad format for path: ${device}`);
  const parts = device.split(':');
  let src = parts[0]!;
  let dst = '';
  let permissions = 'rwm';
  if (parts.length === 3) {
    if (!validMode(parts[2]!)) throw new Error(`bad mode specified: ${parts[2]}`);
    permissions = parts[2]!;
    dst = parts[1]!;
  } else if (parts.length === 2) {
    if (validMode(parts[1]!)) permissions = parts[1]!;
    else dst = parts[1]!;
  }
  const containerPath = dst || src;
  if (!containerPath.startsWith('/')) throw new Error(`${containerPath} is not an absolute path`);
  src = src.replace(/\/+$/, '') || src;
  return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: permissions };
}

/** JSON of a mount as Go marshals it (omitempty fields left out). */
function stripEmpty(mount: MountSpec): MountSpec {
  const out = { ...mount } as unknown as Record<string, unknown>;
  for (const key of Object.keys(out)) if (out[key] === undefined || out[key] === '' || out[key] === false) delete out[key];
  return out as unknown as MountSpec;
}

/** A reference with the tag docker's TagNameOnly adds (`busybox` → `busybox:latest`); undefined for IDs. */
export function familiarTagged(image: string): string | undefined {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(image)) return undefined;
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  let out = hasTag || at >= 0 ? image : `${image}:latest`;
  out = out.replace(/^(docker\.io|index\.docker\.io)\/(library\/)?/, '');
  return out;
}
