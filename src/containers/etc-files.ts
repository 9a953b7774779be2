import { readFile, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { errnoCode } from '../base/index.js';

export interface EtcFileInputs {
  hostname: string;
  domainname?: string;
  network: 'none' | 'host' | string;
  extraHosts?: string[];
  dns?: string[];
  /** Where the host's files are (tests point this elsewhere). */
  hostEtc?: string;
}

export interface EtcFilePaths {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

/**
 * Writes the container's /etc/hostname, /etc/hosts and /etc/resolv.conf into its directory;
 * they are bind-mounted into the container, as Docker does, so the image is never touched.
 */
export async function writeEtcFiles(dir: string, inputs: EtcFileInputs): Promise<EtcFilePaths> {
  const paths = { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') };
  const hostEtc = inputs.hostEtc ?? '/etc';
  const hostMode = inputs.network === 'host';
  const name = hostMode ? hostHostname() : inputs.hostname;
  await writeFile(paths.hostname, `${name}\n`, { mode: 0o644 });
  await writeFile(paths.hosts, hostsFile(hostMode ? await readOr(join(hostEtc, 'hosts'), '') : undefined, inputs.extraHosts ?? []), { mode: 0o644 });
  await writeFile(paths.resolvConf, resolvConf(await readOr(join(hostEtc, 'resolv.conf'), ''), { keepLocal: hostMode, dns: inputs.dns ?? [] }), { mode: 0o644 });
  return paths;
}

/** Docker's default hosts file, or the host's for host networking; extra hosts appended. */
export function hostsFile(hostHosts: string | undefined, extraHosts: string[]): string {
  let text = hostHosts ?? [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    '',
  ].join('\n');
  if (text && !text.endsWith('\n')) text += '\n';
  for (const entry of extraHosts) {
    const sep = entry.indexOf(':');
    if (sep > 0) text += `${entry.slice(sep + 1)}\t${entry.slice(0, sep)}\n`;
  }
  return text;
}

/**
 * The host's resolv.conf as a container sees it: without localhost name servers (they are
 * unreachable from another network namespace) unless on the host network; Docker's public
 * defaults when none is left; `--dns` replaces the servers.
 */
export function resolvConf(host: string, options: { keepLocal: boolean; dns: string[] }): string {
  const lines = host.split('\n');
  const kept: string[] = [];
  let servers = 0;
  for (const line of lines) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) {
      if (options.dns.length > 0) continue;
      if (!options.keepLocal && isLocalAddress(m[1]!)) continue;
      servers++;
    }
    kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  const dns = options.dns.length > 0 ? options.dns : servers === 0 ? ['8.8.8.8', '8.8.4.4'] : [];
  for (const server of dns) kept.push(`nameserver ${server}`);
  return kept.join('\n') + '\n';
}

function isLocalAddress(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('0:0:0:0:0:0:0:1');
}

async function readOr(path: string, fallback: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return fallback;
    throw err;
  }
}
