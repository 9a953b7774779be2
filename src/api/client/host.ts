import { InvalidArgumentError } from '../../base/index.js';

export const DEFAULT_HOST = 'unix:///run/strata/strata.sock';

/**
 * Where the CLI finds the daemon: `--host`/`-H`, else STRATA_HOST, else the default socket.
 * DOCKER_HOST is deliberately not read: it usually points at a Docker engine, and strata's CLI
 * talking to that one by accident would be worse than an explicit `-H`.
 */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.STRATA_HOST || DEFAULT_HOST;
}

export type ClientAddress = { socketPath: string } | { host: string; port: number; protocol: 'http' };

export function clientAddress(host: string): ClientAddress {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const m = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (m) return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2] ?? 2375), protocol: 'http' };
  throw new InvalidArgumentError(`unable to parse docker host \`${host}\``);
}
