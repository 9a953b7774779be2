import { InvalidArgumentError } from '../base/index.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** `80` or `8000-8010` (Docker's nat.ParsePortRange), as uint16 bounds. */
function parseRange(text: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

/** `[ip:][hostPort:]containerPort[/proto]` split the way Docker's nat.splitParts does. */
function splitParts(raw: string): { ip: string; hostPort: string; containerPort: string } {
  const parts = raw.split(':');
  if (parts.length === 1) return { ip: '', hostPort: '', containerPort: raw };
  if (parts.length === 2) return { ip: '', hostPort: parts[0]!, containerPort: parts[1]! };
  return { ip: parts.slice(0, -2).join(':'), hostPort: parts.at(-2)!, containerPort: parts.at(-1)! };
}

/**
 * The exposed-port keys (`80/tcp`) of EXPOSE's words, as Docker's nat.ParsePortSpecs gives
 * them: protocol defaults to tcp, ranges expand to each port, a host part is allowed and
 * ignored. Errors carry Docker's wording (`Invalid containerPort: abc`).
 */
export function exposedPortKeys(specs: readonly string[]): string[] {
  const keys: string[] = [];
  for (const raw of specs) {
    const { hostPort, containerPort: withProto } = splitParts(raw);
    const slash = withProto.split('/');
    const port = slash[0] ?? '';
    const proto = slash.length > 1 && slash[1] !== '' ? slash[1]! : 'tcp';
    if (port === '') throw new InvalidArgumentError(`No port specified: ${raw}<empty>`);
    const range = parseRange(port);
    if (!range) throw new InvalidArgumentError(`Invalid containerPort: ${port}`);
    if (hostPort !== '' && !parseRange(hostPort)) throw new InvalidArgumentError(`Invalid hostPort: ${hostPort}`);
    if (!PROTOCOLS.has(proto.toLowerCase())) throw new InvalidArgumentError(`Invalid proto: ${proto}`);
    for (let p = range[0]; p <= range[1]; p++) keys.push(`${p}/${proto.toLowerCase()}`);
  }
  return keys;
}
