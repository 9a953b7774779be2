import type { DiskUsage, ImageSummary } from '../../api/types/index.js';
import type { CommandSpec } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { GoStruct, Template, TemplateSyntaxError, TemplateExecError } from '../format/template.js';
import { renderRows } from '../format/formatter.js';
import { tabulate } from '../format/tabwriter.js';
import { humanSize } from '../format/units.js';
import { ImageRow, IMAGE_HEADERS } from './rows.js';
import { splitRepoTag } from './image-list.js';
import { ContainerRow, type ContainerSummary } from './container-list.js';
import { humanSizeWithPrecision } from '../format/units.js';

const CONTAINERS_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const CONTAINER_USAGE_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', LocalVolumes: 'LOCAL VOLUMES', Size: 'SIZE', RunningFor: 'CREATED', Status: 'STATUS', Names: 'NAMES',
};
const VOLUMES_TABLE = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';

/** A container row of `system df -v`: as in `ps`, but SIZE is the writable layer alone. */
class DiskUsageContainerRow extends ContainerRow {
  constructor(private readonly summary: ContainerSummary, trunc: boolean) {
    super(summary, trunc);
  }
  override get Size(): string {
    return humanSizeWithPrecision(this.summary.SizeRw ?? 0, 3);
  }
}

interface VolumeUsage {
  Name: string;
  UsageData?: { Size: number; RefCount: number };
}

class VolumeUsageRow extends GoStruct {
  readonly goTypeName = '*formatter.volumeContext';
  constructor(private readonly v: VolumeUsage) {
    super();
  }
  fieldNames(): string[] {
    return ['Name', 'Links', 'Size'];
  }
  get Name(): string { return this.v.Name; }
  get Links(): string { return String(this.v.UsageData?.RefCount ?? 0); }
  get Size(): string { return this.v.UsageData ? humanSize(this.v.UsageData.Size) : 'N/A'; }
}

const SUMMARY_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const SUMMARY_HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const IMAGES_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';

/** One line of the `system df` summary. */
class UsageRow extends GoStruct {
  readonly goTypeName = '*formatter.diskUsageContext';
  constructor(readonly Type: string, readonly TotalCount: string, readonly Active: string, readonly Size: string, readonly Reclaimable: string) {
    super();
  }
  fieldNames(): string[] {
    return ['Active', 'Reclaimable', 'Size', 'TotalCount', 'Type'];
  }
}

function withPercent(reclaimable: number, total: number): string {
  return total > 0 ? `${humanSize(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : humanSize(reclaimable);
}

function summaryRows(du: DiskUsage): UsageRow[] {
  const images = du.Images ?? [];
  let used = 0;
  for (const i of images) if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) used += i.Size - i.SharedSize;
  const containers = (du.Containers ?? []) as { State?: string; SizeRw?: number }[];
  const active = (c: { State?: string }) => ['running', 'paused', 'restarting'].includes(c.State ?? '');
  const cSize = containers.reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const cReclaim = containers.filter((c) => !active(c)).reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const volumes = (du.Volumes ?? []) as { UsageData?: { Size: number; RefCount: number } }[];
  const vSize = volumes.reduce((s, v) => s + (v.UsageData && v.UsageData.Size !== -1 ? v.UsageData.Size : 0), 0);
  const vReclaim = volumes.reduce((s, v) => s + (v.UsageData && v.UsageData.Size !== -1 && v.UsageData.RefCount === 0 ? v.UsageData.Size : 0), 0);
  const cache = (du.BuildCache ?? []) as { Size?: number; InUse?: boolean; Shared?: boolean }[];
  const builderSize = cache.reduce((s, b) => s + (b.Shared ? 0 : b.Size ?? 0), 0);
  const inUse = cache.reduce((s, b) => s + (b.InUse && !b.Shared ? b.Size ?? 0 : 0), 0);
  return [
    new UsageRow('Images', String(images.length), String(images.filter((i) => i.Containers > 0).length), humanSize(du.LayersSize), withPercent(du.LayersSize - used, du.LayersSize)),
    new UsageRow('Containers', String(containers.length), String(containers.filter(active).length), humanSize(cSize), withPercent(cReclaim, cSize)),
    new UsageRow('Local Volumes', String(volumes.length), String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), humanSize(vSize), withPercent(vReclaim, vSize)),
    new UsageRow('Build Cache', String(cache.length), String(cache.filter((b) => b.InUse).length), humanSize(builderSize), humanSize(builderSize - inUse)),
  ];
}

function verboseImageRows(images: ImageSummary[], trunc: boolean): ImageRow[] {
  return images.map((image) => {
    const first = (image.RepoTags ?? []).find((t) => t !== '<none>:<none>');
    const parts = first ? splitRepoTag(first) : undefined;
    return new ImageRow(image, trunc, parts?.repo ?? '<none>', parts?.tag ?? '<none>', '');
  });
}

export const systemDfCommand: CommandSpec = {
  name: 'df',
  usage: '[OPTIONS]',
  short: 'Show strata disk usage',
  args: { kind: 'none' },
  flags: [
    { name: 'format', type: 'string', description: 'Format output using a custom template' },
    { name: 'verbose', short: 'v', type: 'bool', description: 'Show detailed information on space usage' },
  ],
  async run(ctx, o) {
    const du = await ctx.call((docker) => docker.df() as Promise<DiskUsage>);
    const format = o.string('format') || 'table';
    if (!o.bool('verbose')) {
      ctx.out(renderRows(format === 'table' ? SUMMARY_TABLE : format, summaryRows(du), SUMMARY_HEADERS));
      return;
    }
    if (format !== 'table') {
      let template: Template;
      try {
        template = Template.parse(format === 'json' ? '{{json .}}' : format);
      } catch (err) {
        if (err instanceof TemplateSyntaxError) throw new StatusError(64, `template parsing error: ${err.message}`);
        throw err;
      }
      try {
        ctx.out(template.execute({ Images: verboseImageRows(du.Images ?? [], false), Containers: du.Containers ?? [], Volumes: du.Volumes ?? [], BuildCache: du.BuildCache ?? [] }));
      } catch (err) {
        if (err instanceof TemplateExecError) throw new StatusError(1, `template parsing error: ${err.message}`);
        throw err;
      }
      return;
    }
    let text = 'Images space usage:\n\n';
    text += renderRows(IMAGES_TABLE, verboseImageRows(du.Images ?? [], true), IMAGE_HEADERS);
    text += '\nContainers space usage:\n\n';
    const containerRows = ((du.Containers ?? []) as ContainerSummary[]).map((c) => new DiskUsageContainerRow(c, true));
    text += renderRows(CONTAINERS_TABLE, containerRows, CONTAINER_USAGE_HEADERS);
    text += '\nLocal Volumes space usage:\n\n';
    const volumeRows = ((du.Volumes ?? []) as VolumeUsage[]).map((v) => new VolumeUsageRow(v));
    text += renderRows(VOLUMES_TABLE, volumeRows, { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' });
    const builderSize = ((du.BuildCache ?? []) as { Size?: number; Shared?: boolean }[]).reduce((s, b) => s + (b.Shared ? 0 : b.Size ?? 0), 0);
    text += `\nBuild cache usage: ${humanSize(builderSize)}\n\n`;
    text += tabulate('CACHE ID\tCACHE TYPE\tSIZE\tCREATED\tLAST USED\tUSAGE\tSHARED\n');
    ctx.out(text);
  },
};
