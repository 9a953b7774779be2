import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FilterArgs, type ImageSummary, type HistoryItem, type DeleteResponseItem } from '../../api/types/index.js';
import { displayJsonMessages, DaemonError, toDaemonError } from '../../api/client/index.js';
import type { CommandSpec, CommandContext } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { renderRows } from '../format/formatter.js';
import { imageFormat, imageRows } from './image-list.js';
import { HistoryRow, IMAGE_HEADERS, HISTORY_HEADERS } from './rows.js';
import { inspectImages } from './inspect.js';

const FORMAT_HELP = 'Format output using a custom template:\n\'table\':            Print output in table format with column headers (default)\n\'table TEMPLATE\':   Print output in table format using the given Go template\n\'json\':             Print in JSON format\n\'TEMPLATE\':         Print output using the given Go template';

export const imagesCommand: CommandSpec = {
  name: 'images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  aliasLine: 'strata image ls, strata image list, strata images',
  args: { kind: 'max', n: 1 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Show all images (default hides intermediate images)' },
    { name: 'digests', type: 'bool', description: 'Show digests' },
    { name: 'filter', short: 'f', type: 'stringArray', valueName: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', type: 'string', description: FORMAT_HELP.split('\n')[0]! },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs' },
  ],
  async run(ctx, o, args) {
    const filters = FilterArgs.fromFlags(o.strings('filter'));
    if (args[0]) filters.add('reference', args[0]);
    const query: Record<string, unknown> = { all: o.bool('all') };
    if (filters.size > 0) query.filters = filters.toQuery();
    const images = await ctx.call((docker) => docker.listImages(query) as unknown as Promise<ImageSummary[]>);
    const format = imageFormat(o.string('format') || 'table', o.bool('quiet'), o.bool('digests'));
    const rows = imageRows(images, { trunc: !o.bool('no-trunc'), digest: o.bool('digests'), needDigest: o.bool('digests') || format.includes('{{.Digest}}') });
    ctx.out(renderRows(format, rows, IMAGE_HEADERS));
  },
};

export const imageListCommand: CommandSpec = { ...imagesCommand, name: 'ls', aliases: ['list'] };

export const historyCommand: CommandSpec = {
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  short: 'Show the history of an image',
  aliasLine: 'strata image history, strata history',
  args: { kind: 'exact', n: 1 },
  flags: [
    { name: 'format', type: 'string', description: FORMAT_HELP.split('\n')[0]! },
    { name: 'human', short: 'H', type: 'bool', default: true, description: 'Print sizes and dates in human readable format' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'platform', type: 'string', description: 'Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs' },
  ],
  async run(ctx, o, args) {
    const items = await ctx.call((docker) => docker.getImage(args[0]!).history() as Promise<HistoryItem[]>);
    const human = o.bool('human');
    let format = o.string('format') || 'table';
    if (format === 'table') {
      format = o.bool('quiet') ? '{{.ID}}'
        : human ? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
          : 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
    }
    const rows = items.map((item) => new HistoryRow(item, !o.bool('no-trunc'), human));
    ctx.out(renderRows(format, rows, HISTORY_HEADERS));
  },
};

export const tagCommand: CommandSpec = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  aliasLine: 'strata image tag, strata tag',
  args: { kind: 'exact', n: 2 },
  interspersed: false,
  flags: [],
  async run(ctx, _o, args) {
    const [source, target] = args as [string, string];
    await ctx.call((docker) => docker.getImage(source).tag({ repo: target }));
  },
};

export const rmiCommand: CommandSpec = {
  name: 'rmi',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  aliasLine: 'strata image rm, strata image remove, strata rmi',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'force', short: 'f', type: 'bool', description: 'Force removal of the image' },
    { name: 'no-prune', type: 'bool', description: 'Do not delete untagged parents' },
  ],
  async run(ctx, o, args) {
    const errors: DaemonError[] = [];
    let fatal = false;
    for (const name of args) {
      try {
        const items = await ctx.call((docker) => docker.getImage(name).remove({ force: o.bool('force'), noprune: o.bool('no-prune') }) as Promise<DeleteResponseItem[]>);
        for (const item of items) ctx.out('Deleted' in item ? `Deleted: ${item.Deleted}\n` : `Untagged: ${item.Untagged}\n`);
      } catch (err) {
        const e = toDaemonError(err, ctx.host);
        if (e.statusCode !== 404) fatal = true;
        errors.push(e);
      }
    }
    if (errors.length === 0) return;
    const message = errors.map(daemonMessage).join('\n');
    if (!o.bool('force') || fatal) throw new StatusError(1, message);
    ctx.err(message + '\n');
  },
};

export const imageRmCommand: CommandSpec = { ...rmiCommand, name: 'rm', aliases: ['remove', 'rmi'] };

export const importCommand: CommandSpec = {
  name: 'import',
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball to create a filesystem image',
  aliasLine: 'strata image import, strata import',
  args: { kind: 'range', min: 1, max: 2 },
  flags: [
    { name: 'change', short: 'c', type: 'stringArray', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', description: 'Set commit message for imported image' },
    { name: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
  ],
  async run(ctx, o, args) {
    const [source, reference] = args as [string, string | undefined];
    const query: Record<string, unknown> = {};
    if (reference) query.repo = reference;
    if (o.string('message')) query.message = o.string('message');
    if (o.strings('change').length > 0) query.changes = o.strings('change');
    if (o.string('platform')) query.platform = o.string('platform');
    let body: Readable;
    if (source === '-') {
      body = ctx.stdin;
    } else if (/^https?:\/\//.test(source)) {
      throw new StatusError(1, `importing from a URL is not supported: download ${source} and import the file`);
    } else {
      body = await openSource(source);
    }
    const stream = await ctx.call((docker) => docker.importImage(body, query) as Promise<NodeJS.ReadableStream>);
    await displayJsonMessages(stream as Readable, (text) => ctx.out(text));
  },
};

/** A local file to upload, with Go's `open PATH: reason` error when it cannot be read. */
export async function openSource(path: string): Promise<Readable> {
  try {
    const handle = await open(path, 'r');
    await handle.close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new StatusError(1, `open ${path}: ${reason}`);
  }
  return createReadStream(path);
}

export const imageInspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'format', short: 'f', type: 'string', description: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template." },
    { name: 'platform', type: 'string', description: 'Inspect a specific platform of the multi-platform image.' },
  ],
  async run(ctx, o, args) {
    await inspectImages(ctx, args, o.string('format'), (e) => daemonMessage(e));
  },
};

/** How a daemon error reads on the terminal. */
export function daemonMessage(e: DaemonError): string {
  return e.unreachable ? e.message : `Error response from daemon: ${e.message}`;
}

export type { CommandContext };
