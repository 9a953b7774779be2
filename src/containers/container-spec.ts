import {
  buildSpec, withArgs, withEnv, withCwd, withUser, withHostname, withTerminal, withReadonlyRootfs, withBindMount,
  withTmpfs, withEtcFiles, withNetwork, withMemory, withCpus, withCpuShares, withPidsLimit, withCgroupsPath, withInit,
  withLabels, withStopSignal, withCapabilities, withSysctls, withConsoleSize, type SpecOption, type RuntimeSpec, type Propagation,
} from '../runtime/index.js';
import type { ContainerRecord } from './container-record.js';
import type { EtcFilePaths } from './etc-files.js';
import { processArgs } from './create-config.js';

/** The runtime network mode for a container's HostConfig.NetworkMode. */
export function networkModeOf(record: ContainerRecord): 'none' | 'host' {
  return record.hostConfig.NetworkMode === 'host' ? 'host' : 'none';
}

/**
 * The OCI runtime spec for a container: the runtime's defaults plus one option per field of
 * the container's config and host config.
 */
export async function containerSpec(record: ContainerRecord, rootfs: string, etc: EtcFilePaths): Promise<RuntimeSpec> {
  const { config, hostConfig } = record;
  const options: SpecOption[] = [
    withArgs(processArgs(config)),
    withEnv(config.Env),
    withCwd(config.WorkingDir || '/'),
    withUser(config.User || '', (hostConfig.GroupAdd as string[] | undefined) ?? []),
    withHostname(hostConfig.NetworkMode === 'host' ? '' : config.Hostname),
    withTerminal(config.Tty),
    withReadonlyRootfs(hostConfig.ReadonlyRootfs),
    withNetwork(networkModeOf(record)),
    withEtcFiles({ hosts: etc.hosts, hostname: etc.hostname, resolvConf: etc.resolvConf }),
    withCgroupsPath(`/strata/${record.id}`),
    withLabels(config.Labels),
  ];
  for (const m of record.mounts) {
    if (m.Type === 'tmpfs') {
      const opts = (m.TmpfsOptions ?? '').split(',').filter((o) => o !== '');
      if (!m.RW) opts.push('ro');
      options.push(withTmpfs(m.Destination, opts));
    } else {
      options.push(withBindMount({
        source: m.Source,
        destination: m.Destination,
        readonly: !m.RW,
        propagation: (m.Propagation || 'rprivate') as Propagation,
      }));
    }
  }
  if (hostConfig.Memory > 0) options.push(withMemory({ limit: hostConfig.Memory, ...(hostConfig.MemorySwap ? { swap: hostConfig.MemorySwap } : {}) }));
  if (hostConfig.NanoCpus > 0) options.push(withCpus(hostConfig.NanoCpus / 1e9));
  if (hostConfig.CpuShares) options.push(withCpuShares(hostConfig.CpuShares));
  if (hostConfig.PidsLimit && hostConfig.PidsLimit > 0) options.push(withPidsLimit(hostConfig.PidsLimit));
  if (hostConfig.Init) options.push(withInit());
  if (config.StopSignal) options.push(withStopSignal(config.StopSignal));
  const consoleSize = hostConfig.ConsoleSize as [number, number] | null | undefined;
  if (config.Tty && consoleSize && consoleSize[0] > 0 && consoleSize[1] > 0) options.push(withConsoleSize(consoleSize[0], consoleSize[1]));
  if (hostConfig.CapAdd?.length || hostConfig.CapDrop?.length) {
    options.push(withCapabilities({ add: hostConfig.CapAdd ?? [], drop: hostConfig.CapDrop ?? [] }));
  }
  if (hostConfig.Sysctls && Object.keys(hostConfig.Sysctls).length > 0) options.push(withSysctls(hostConfig.Sysctls));
  return buildSpec({ containerId: record.id, rootfs }, options);
}
