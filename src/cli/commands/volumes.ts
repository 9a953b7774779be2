/** `volume create/ls/inspect/rm/prune`, as docker's cli/command/volume. */
import { engineJson, engineRequest, DaemonError } from '../../api/client/index.js';
import { FilterArgs } from '../../api/types/index.js';
import type { CommandSpec } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { GoStruct } from '../format/template.js';
import { renderRows } from '../format/formatter.js';
import { humanSize } from '../format/units.js';
import { validateLabel, kvMap } from '../parser/values.js';
import { printInspect } from './inspect.js';
import { errorText } from './container-run.js';
import { confirm } from './container-commands.js';
import { filterFlagValidate } from './container-list.js';

export interface Volume {
  CreatedAt?: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: string;
  Status?: Record<string, unknown>;
  UsageData?: { Size: number; RefCount: number } | null;
  ClusterVolume?: unknown;
}

/** The volume as docker's typed struct marshals it: fields in declaration order, empties left out. */
export function volumeView(v: Volume): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (v.ClusterVolume) out.ClusterVolume = v.ClusterVolume;
  if (v.CreatedAt) out.CreatedAt = v.CreatedAt;
  out.Driver = v.Driver;
  out.Labels = v.Labels ?? null;
  out.Mountpoint = v.Mountpoint;
  out.Name = v.Name;
  out.Options = v.Options ?? null;
  out.Scope = v.Scope;
  if (v.Status && Object.keys(v.Status).length > 0) out.Status = v.Status;
  if (v.UsageData) out.UsageData = v.UsageData;
  return out;
}

class VolumeRow extends GoStruct {
  readonly goTypeName = '*formatter.volumeContext';
  constructor(private readonly v: Volume) { super(); }
  fieldNames(): string[] {
    return ['Availability', 'Driver', 'Group', 'Labels', 'Links', 'Mountpoint', 'Name', 'Scope', 'Size', 'Status'];
  }
  get Name(): string { return this.v.Name; }
  get Driver(): string { return this.v.Driver; }
  get Scope(): string { return this.v.Scope; }
  get Mountpoint(): string { return this.v.Mountpoint; }
  get Labels(): string { return Object.entries(this.v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).join(','); }
  Label(name: string): string { return this.v.Labels?.[name] ?? ''; }
  get Links(): string { return this.v.UsageData ? String(this.v.UsageData.RefCount) : 'N/A'; }
  get Size(): string { return this.v.UsageData ? humanSize(this.v.UsageData.Size) : 'N/A'; }
  get Group(): string { return 'N/A'; }
  get Availability(): string { return 'N/A'; }
  get Status(): string { return 'N/A'; }
}

const VOLUME_HEADERS: Record<string, string> = {
  ID: 'ID', Name: 'VOLUME NAME', Group: 'GROUP', Driver: 'DRIVER', Scope: 'SCOPE', Availability: 'AVAILABILITY',
  Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE', Status: 'STATUS',
};

/** sortorder.NaturalLess: digit runs compare as numbers. */
export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a[i]!;
    const cb = b[j]!;
    const da = ca >= '0' && ca <= '9';
    const db = cb >= '0' && cb <= '9';
    if (da && db) {
      let ei = i;
      while (ei < a.length && a[ei]! >= '0' && a[ei]! <= '9') ei++;
      let ej = j;
      while (ej < b.length && b[ej]! >= '0' && b[ej]! <= '9') ej++;
      const na = a.slice(i, ei).replace(/^0+/, '');
      const nb = b.slice(j, ej).replace(/^0+/, '');
      if (na.length !== nb.length) return na.length < nb.length;
      if (na !== nb) return na < nb;
      if (ei - i !== ej - j) return ei - i < ej - j;
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca < cb;
    i++;
    j++;
  }
  return a.length - i < b.length - j;
}

export const volumeCreateCommand: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] [VOLUME]',
  short: 'Create a volume',
  args: { kind: 'max', n: 1 },
  flags: [
    { name: 'driver', short: 'd', type: 'string', default: 'local', description: 'Specify volume driver name' },
    { name: 'label', type: 'stringArray', description: 'Set metadata for a volume', validate: validateLabel },
    { name: 'name', type: 'string', description: 'Specify volume name', hidden: true },
    { name: 'opt', short: 'o', type: 'stringArray', valueName: 'map', description: 'Set driver specific options' },
  ],
  async run(ctx, o, args) {
    let name = o.string('name');
    if (args.length === 1) {
      if (name !== '') throw new StatusError(1, 'conflicting options: cannot specify a volume-name through both --name and as a positional arg');
      name = args[0]!;
    }
    const volume = await engineJson<Volume>(ctx.host, {
      method: 'POST',
      path: '/volumes/create',
      json: { Driver: o.string('driver'), DriverOpts: kvMap(o.strings('opt')), Name: name, Labels: kvMap(o.strings('label')) },
    });
    ctx.out(`${volume.Name}\n`);
  },
};

export const volumeListCommand: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  short: 'List volumes',
  args: { kind: 'none' },
  flags: [
    { name: 'cluster', type: 'bool', description: 'Display only cluster volumes, and use cluster volume list formatting', hidden: true },
    { name: 'filter', short: 'f', type: 'stringArray', valueName: 'filter', description: 'Provide filter values (e.g. "dangling=true")', validate: filterFlagValidate },
    { name: 'format', type: 'string', description: "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates" },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only display volume names' },
  ],
  async run(ctx, o) {
    const filters = FilterArgs.fromFlags(o.strings('filter').filter((f) => f !== ''));
    const list = await engineJson<{ Volumes: Volume[] | null }>(ctx.host, {
      method: 'GET', path: '/volumes', query: { filters: filters.size > 0 ? filters.toQuery() : undefined },
    });
    let volumes = list.Volumes ?? [];
    let format = o.string('format') || 'table';
    if (o.bool('cluster')) {
      volumes = volumes.filter((v) => v.ClusterVolume);
      format = o.bool('quiet') ? 'table' : 'table {{.Name}}\t{{.Group}}\t{{.Driver}}\t{{.Availability}}\t{{.Status}}';
    }
    volumes.sort((a, b) => (naturalLess(a.Name, b.Name) ? -1 : naturalLess(b.Name, a.Name) ? 1 : 0));
    if (format === 'table') format = o.bool('quiet') ? '{{.Name}}' : 'table {{.Driver}}\t{{.Name}}';
    else if (format === 'raw') format = o.bool('quiet') ? 'name: {{.Name}}' : 'name: {{.Name}}\\ndriver: {{.Driver}}\\n';
    try {
      ctx.out(renderRows(format, volumes.map((v) => new VolumeRow(v)), VOLUME_HEADERS));
    } catch (err) {
      throw new StatusError(1, (err as Error).message);
    }
  },
};

export const volumeInspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  args: { kind: 'min', n: 1 },
  flags: [{ name: 'format', short: 'f', type: 'string', description: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates" }],
  async run(ctx, o, args) {
    const elements: unknown[] = [];
    const errors: string[] = [];
    for (const name of args) {
      try {
        elements.push(volumeView(await engineJson<Volume>(ctx.host, { method: 'GET', path: `/volumes/${encodeURIComponent(name)}` })));
      } catch (err) {
        errors.push(errorText(err));
      }
    }
    await printInspect(ctx, elements, o.string('format'));
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  },
};

export const volumeRemoveCommand: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  args: { kind: 'min', n: 1 },
  flags: [{ name: 'force', short: 'f', type: 'bool', description: 'Force the removal of one or more volumes' }],
  async run(ctx, o, args) {
    const errors: string[] = [];
    for (const name of args) {
      try {
        await engineRequest(ctx.host, { method: 'DELETE', path: `/volumes/${encodeURIComponent(name)}`, query: { force: o.bool('force') } });
        ctx.out(`${name}\n`);
      } catch (err) {
        if (err instanceof DaemonError && err.unreachable) throw new StatusError(1, err.message);
        errors.push(errorText(err));
      }
    }
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  },
};

export const volumePruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove unused local volumes',
  args: { kind: 'none' },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused volumes, not just anonymous ones' },
    { name: 'filter', type: 'stringArray', valueName: 'filter', description: 'Provide filter values (e.g. "label=<label>")', validate: filterFlagValidate },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, o) {
    const filters = FilterArgs.fromFlags(o.strings('filter').filter((f) => f !== ''));
    let warning = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
    if (o.bool('all')) {
      if (filters.get('all').length > 0) throw new StatusError(1, 'conflicting options: cannot specify both --all and --filter all=1');
      filters.add('all', 'true');
      warning = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';
    }
    if (!o.bool('force') && !(await confirm(ctx, warning))) return;
    const report = await engineJson<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>(ctx.host, {
      method: 'POST', path: '/volumes/prune', query: { filters: filters.size > 0 ? filters.toQuery() : undefined },
    });
    let reclaimed = 0;
    if ((report.VolumesDeleted ?? []).length > 0) {
      ctx.out(`Deleted Volumes:\n${report.VolumesDeleted!.map((n) => `${n}\n`).join('')}\n`);
      reclaimed = report.SpaceReclaimed;
    }
    ctx.out(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
  },
};
