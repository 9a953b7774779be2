/** `ps` / `container ls`: docker's formatter.ContainerContext over GET /containers/json. */
import { FilterArgs } from '../../api/types/index.js';
import { engineJson } from '../../api/client/index.js';
import type { CommandSpec } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { GoStruct } from '../format/template.js';
import { renderRows } from '../format/formatter.js';
import { humanDuration, humanSizeWithPrecision } from '../format/units.js';
import { goTimeString } from '../format/go-time.js';
import { ellipsis, truncateId } from './rows.js';

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] | null;
  Labels: Record<string, string> | null;
  State: string;
  Status: string;
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts?: { Name?: string; Source: string; Driver?: string }[] | null;
  NetworkSettings?: { Networks?: Record<string, unknown> } | null;
}

/** Go's strconv.Quote. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp === 0xfffd) { out += ch; continue; }
    if (cp < 0x20 || cp === 0x7f) { out += `\\x${cp.toString(16).padStart(2, '0')}`; continue; }
    if (cp < 0x7f || (cp !== 0x20 && !/[\p{C}\p{Z}]/u.test(ch)) || cp === 0x20) { out += ch; continue; }
    out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}

/** reference.FamiliarString of a normalized name (docker.io/library/ dropped). */
function familiar(name: string): string {
  return name.replace(/^(docker\.io|index\.docker\.io)\/(library\/)?/, '');
}

export class ContainerRow extends GoStruct {
  readonly goTypeName = '*formatter.ContainerContext';
  constructor(private readonly c: ContainerSummary, private readonly trunc: boolean, private readonly now = Date.now()) {
    super();
  }
  fieldNames(): string[] {
    return ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports', 'RunningFor', 'Size', 'State', 'Status'];
  }
  get ID(): string { return this.trunc ? truncateId(this.c.Id) : this.c.Id; }
  get Names(): string {
    let names = (this.c.Names ?? []).map((n) => n.slice(1));
    if (this.trunc) {
      const plain = names.find((n) => n.split('/').length === 1);
      if (plain !== undefined) names = [plain];
    }
    return names.join(',');
  }
  get Image(): string {
    const image = this.c.Image;
    if (image === '') return '<no image>';
    if (this.trunc) {
      const t = truncateId(this.c.ImageID ?? '');
      if (t === truncateId(image)) return t;
      const at = image.indexOf('@');
      const name = at >= 0 ? image.slice(0, at) : image;
      const colon = name.lastIndexOf(':');
      if (colon > name.lastIndexOf('/')) return familiar(name);
      return familiar(name);
    }
    return image;
  }
  get Command(): string {
    const command = this.trunc ? ellipsis(this.c.Command, 20) : this.c.Command;
    return goQuote(command);
  }
  get CreatedAt(): string { return goTimeString(this.c.Created); }
  get RunningFor(): string { return `${humanDuration(this.now - this.c.Created * 1000)} ago`; }
  get Platform(): null { return null; }
  get Ports(): string { return displayablePorts(this.c.Ports ?? []); }
  get State(): string { return this.c.State; }
  get Status(): string { return this.c.Status; }
  get Size(): string {
    const srw = humanSizeWithPrecision(this.c.SizeRw ?? 0, 3);
    const sv = humanSizeWithPrecision(this.c.SizeRootFs ?? 0, 3);
    return (this.c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${sv})` : srw;
  }
  get Labels(): string {
    if (!this.c.Labels) return '';
    return Object.entries(this.c.Labels).map(([k, v]) => `${k}=${v}`).sort().join(',');
  }
  Label(name: string): string {
    return this.c.Labels?.[name] ?? '';
  }
  get Mounts(): string {
    return (this.c.Mounts ?? []).map((m) => {
      const name = m.Name ? m.Name : m.Source;
      return this.trunc ? ellipsis(name, 15) : name;
    }).join(',');
  }
  get LocalVolumes(): string { return String((this.c.Mounts ?? []).filter((m) => m.Driver === 'local').length); }
  get Networks(): string { return Object.keys(this.c.NetworkSettings?.Networks ?? {}).join(','); }
}

/** formatter.DisplayablePorts. */
export function displayablePorts(input: ContainerSummary['Ports'] & object): string {
  const ports = [...input].sort((a, b) => a.PrivatePort - b.PrivatePort || (a.IP ?? '').localeCompare(b.IP ?? '') || (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || a.Type.localeCompare(b.Type));
  const groups = new Map<string, { first: number; last: number }>();
  const order: string[] = [];
  const result: string[] = [];
  const hostMappings: string[] = [];
  const join = (ip: string, port: string | number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  const form = (key: string, start: number, last: number) => {
    const parts = key.split('/');
    let type = parts[0]!;
    let ip = '';
    if (parts.length > 1) { ip = parts[0]!; type = parts[1]!; }
    let group = String(start);
    if (start !== last) group = `${group}-${last}`;
    if (ip !== '') group = `${join(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const port of ports) {
    const current = port.PrivatePort;
    let key = port.Type;
    if (port.IP) {
      if (port.PublicPort !== current) {
        hostMappings.push(`${join(port.IP, port.PublicPort ?? 0)}->${port.PrivatePort}/${port.Type}`);
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: current, last: current });
      order.push(key);
      continue;
    }
    if (current === group.last + 1) {
      group.last = current;
      continue;
    }
    result.push(form(key, group.first, group.last));
    groups.set(key, { first: current, last: current });
  }
  for (const key of order) {
    const g = groups.get(key)!;
    result.push(form(key, g.first, g.last));
  }
  return [...result, ...hostMappings].join(', ');
}

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Names: 'NAMES', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
  Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Labels: 'LABELS', Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS', Platform: 'PLATFORM',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** formatter.NewContainerFormat. */
export function containerFormat(source: string, quiet: boolean, size: boolean): string {
  if (source === 'table' || source === '') {
    if (quiet) return '{{.ID}}';
    return size ? `${DEFAULT_TABLE}\\t{{.Size}}` : DEFAULT_TABLE;
  }
  if (source === 'raw') {
    if (quiet) return 'container_id: {{.ID}}';
    let format = 'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n';
    if (size) format += 'size: {{.Size}}\\n';
    return format;
  }
  return quiet ? '{{.ID}}' : source;
}

/** Whether a format reads .Size (docker runs it once to find out; `{{json .}}` reads every field). */
export function formatUsesSize(format: string): boolean {
  return /\.Size\b/.test(format) || /\bjson\s+\.\s*\}\}/.test(format);
}

export function filterFlagValidate(value: string): string {
  if (value !== '' && !value.includes('=')) throw new Error('bad format of filter (expected name=value)');
  return value;
}

export const psCommand: CommandSpec = {
  name: 'ps',
  usage: '[OPTIONS]',
  short: 'List containers',
  aliasLine: 'strata container ls, strata container list, strata container ps, strata ps',
  args: { kind: 'none' },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Show all containers (default shows just running)' },
    { name: 'filter', short: 'f', type: 'stringArray', valueName: 'filter', description: 'Filter output based on conditions provided', validate: filterFlagValidate },
    { name: 'format', type: 'string', description: "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates" },
    { name: 'last', short: 'n', type: 'int', valueName: 'int', default: -1, description: 'Show n last created containers (includes all states)' },
    { name: 'latest', short: 'l', type: 'bool', description: 'Show the latest created container (includes all states)' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only display container IDs' },
    { name: 'size', short: 's', type: 'bool', description: 'Display total file sizes' },
  ],
  async run(ctx, o) {
    const format = o.string('format');
    if (format !== '' && o.bool('quiet')) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
    let size = o.bool('size');
    if (format !== '' && !o.bool('quiet') && !size && !o.given('size') && formatUsesSize(format)) size = true;
    let limit = o.int('last');
    if (o.bool('latest') && limit === -1) limit = 1;
    const filters = FilterArgs.fromFlags(o.strings('filter').filter((f) => f !== ''));
    const containers = await engineJson<ContainerSummary[]>(ctx.host, {
      method: 'GET',
      path: '/containers/json',
      query: { all: o.bool('all'), limit: limit > 0 ? limit : undefined, size, filters: filters.size > 0 ? filters.toQuery() : undefined },
    });
    const now = Date.now();
    const rows = containers.map((c) => new ContainerRow(c, !o.bool('no-trunc'), now));
    try {
      ctx.out(renderRows(containerFormat(format, o.bool('quiet'), size), rows, CONTAINER_HEADERS));
    } catch (err) {
      throw new StatusError(1, (err as Error).message);
    }
  },
};
