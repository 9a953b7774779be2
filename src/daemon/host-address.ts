import { InvalidArgumentError } from '../base/index.js';

export type ListenAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Parses a `--host` value: `unix:///path` (or a bare absolute path) or `tcp://host:port`. */
export function parseListenAddress(value: string): ListenAddress {
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (!path.startsWith('/')) throw new InvalidArgumentError(`invalid host "${value}": a unix socket needs an absolute path`);
    return { kind: 'unix', path };
  }
  if (value.startsWith('/')) return { kind: 'unix', path: value };
  if (value.startsWith('tcp://')) {
    const rest = value.slice('tcp://'.length).replace(/\/$/, '');
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:/]+):(\d{1,5})$/.exec(rest);
    if (!m) throw new InvalidArgumentError(`invalid host "${value}": expected tcp://HOST:PORT`);
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new InvalidArgumentError(`invalid host "${value}": port out of range`);
    return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port };
  }
  throw new InvalidArgumentError(`invalid host "${value}": only unix:///path and tcp://host:port are supported`);
}

export function formatListenAddress(address: ListenAddress): string {
  return address.kind === 'unix' ? `unix://${address.path}` : `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
