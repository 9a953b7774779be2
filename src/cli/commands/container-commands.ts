/**
 * The container verbs that are one request per container (stop, kill, restart, pause,
 * unpause, rm, wait, rename), and top, diff, commit, export, logs and prune, with docker's
 * output and error reporting: names echoed on success, errors joined, exit status 1.
 */
import { createWriteStream } from 'node:fs';
import { rename as renameFile, unlink, open } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { engineRequest, engineJson, engineStream, FrameDemuxer, DaemonError } from '../../api/client/index.js';
import { FilterArgs, parseTimestamp, formatUnixTimestamp } from '../../api/types/index.js';
import type { CommandSpec, CommandContext } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { tabulate } from '../format/tabwriter.js';
import { renderRows } from '../format/formatter.js';
import { humanSize } from '../format/units.js';
import { GoStruct } from '../format/template.js';
import { inspectContainer, waitStatus, enc } from './container-api.js';
import { errorText } from './container-run.js';
import { isTerminal } from '../streams/terminal.js';
import { filterFlagValidate } from './container-list.js';

/** Runs `op` for each container (docker runs up to 50 at once), reporting in argument order. */
async function forEachContainer(ctx: CommandContext, names: string[], op: (name: string) => Promise<void>, options: { parallel?: boolean; ignore?: (err: unknown) => boolean } = {}): Promise<void> {
  const results = options.parallel === false
    ? await names.reduce<Promise<PromiseSettledResult<void>[]>>(async (acc, name) => [...(await acc), ...(await Promise.allSettled([op(name)]))], Promise.resolve([]))
    : await Promise.allSettled(names.map((name) => op(name)));
  const errors: string[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      ctx.out(`${names[i]}\n`);
      return;
    }
    if (options.ignore?.(result.reason)) {
      ctx.err(`${errorText(result.reason)}\n`);
      return;
    }
    errors.push(errorText(result.reason));
  });
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
}

const post = (ctx: CommandContext, path: string, query?: Record<string, string | number | boolean | undefined>) => engineRequest(ctx.host, { method: 'POST', path, query }).then(() => undefined);

function stopFlags() {
  return [
    { name: 'signal', short: 's', type: 'string' as const, description: 'Signal to send to the container' },
    { name: 'time', type: 'int' as const, valueName: 'int', description: 'Seconds to wait before killing the container (deprecated: use --timeout)', hidden: true },
    { name: 'timeout', short: 't', type: 'int' as const, valueName: 'int', description: 'Seconds to wait before killing the container' },
  ];
}

function stopTimeout(ctx: CommandContext, o: { given(n: string): boolean; int(n: string): number }): number | undefined {
  if (o.given('time') && o.given('timeout')) throw new StatusError(1, 'conflicting options: cannot specify both --timeout and --time');
  if (o.given('time')) ctx.err('Flag --time has been deprecated, use --timeout instead\n');
  if (o.given('timeout')) return o.int('timeout');
  if (o.given('time')) return o.int('time');
  return undefined;
}

export const stopCommand: CommandSpec = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  aliasLine: 'strata container stop, strata stop',
  args: { kind: 'min', n: 1 },
  flags: stopFlags(),
  async run(ctx, o, args) {
    const t = stopTimeout(ctx, o);
    await forEachContainer(ctx, args, (name) => post(ctx, `/containers/${enc(name)}/stop`, { t, signal: o.string('signal') || undefined }));
  },
};

export const restartCommand: CommandSpec = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  aliasLine: 'strata container restart, strata restart',
  args: { kind: 'min', n: 1 },
  flags: stopFlags(),
  async run(ctx, o, args) {
    const t = stopTimeout(ctx, o);
    await forEachContainer(ctx, args, (name) => post(ctx, `/containers/${enc(name)}/restart`, { t, signal: o.string('signal') || undefined }), { parallel: false });
  },
};

export const killCommand: CommandSpec = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  aliasLine: 'strata container kill, strata kill',
  args: { kind: 'min', n: 1 },
  flags: [{ name: 'signal', short: 's', type: 'string', description: 'Signal to send to the container' }],
  async run(ctx, o, args) {
    await forEachContainer(ctx, args, (name) => post(ctx, `/containers/${enc(name)}/kill`, { signal: o.string('signal') || undefined }));
  },
};

export const pauseCommand: CommandSpec = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Pause all processes within one or more containers',
  aliasLine: 'strata container pause, strata pause',
  args: { kind: 'min', n: 1 },
  flags: [],
  async run(ctx, _o, args) {
    await forEachContainer(ctx, args, (name) => post(ctx, `/containers/${enc(name)}/pause`));
  },
};

export const unpauseCommand: CommandSpec = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Unpause all processes within one or more containers',
  aliasLine: 'strata container unpause, strata unpause',
  args: { kind: 'min', n: 1 },
  flags: [],
  async run(ctx, _o, args) {
    await forEachContainer(ctx, args, (name) => post(ctx, `/containers/${enc(name)}/unpause`));
  },
};

export const rmCommand: CommandSpec = {
  name: 'rm',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  aliasLine: 'strata container rm, strata container remove, strata rm',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'force', short: 'f', type: 'bool', description: 'Force the removal of a running container (uses SIGKILL)' },
    { name: 'link', short: 'l', type: 'bool', description: 'Remove the specified link' },
    { name: 'volumes', short: 'v', type: 'bool', description: 'Remove anonymous volumes associated with the container' },
  ],
  async run(ctx, o, args) {
    await forEachContainer(ctx, args, async (raw) => {
      const name = raw.replace(/^\/+|\/+$/g, '');
      if (name === '') throw new Error('container name cannot be empty');
      await engineRequest(ctx.host, { method: 'DELETE', path: `/containers/${enc(name)}`, query: { v: o.bool('volumes'), link: o.bool('link'), force: o.bool('force') } });
    }, { ignore: (err) => o.bool('force') && err instanceof DaemonError && err.statusCode === 404 });
  },
};

export const waitCommand: CommandSpec = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  aliasLine: 'strata container wait, strata wait',
  args: { kind: 'min', n: 1 },
  flags: [],
  async run(ctx, _o, args) {
    const errors: string[] = [];
    for (const name of args) {
      try {
        ctx.out(`${await waitStatus(ctx, name)}\n`);
      } catch (err) {
        errors.push(errorText(err));
      }
    }
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  },
};

export const renameCommand: CommandSpec = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  short: 'Rename a container',
  aliasLine: 'strata container rename, strata rename',
  args: { kind: 'exact', n: 2 },
  flags: [],
  async run(ctx, _o, args) {
    const oldName = args[0]!.trim();
    const newName = args[1]!.trim();
    if (oldName === '' || newName === '') throw new StatusError(1, 'Error: Neither old nor new names may be empty');
    try {
      await post(ctx, `/containers/${enc(oldName)}/rename`, { name: newName });
    } catch (err) {
      ctx.err(`${errorText(err)}\n`);
      throw new StatusError(1, `Error: failed to rename container named ${oldName}`);
    }
  },
};

export const topCommand: CommandSpec = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  aliasLine: 'strata container top, strata top',
  args: { kind: 'min', n: 1 },
  interspersed: false,
  flags: [],
  async run(ctx, _o, args) {
    const [name, ...psArgs] = args as [string, ...string[]];
    const list = await engineJson<{ Titles: string[]; Processes: string[][] | null }>(ctx.host, {
      method: 'GET', path: `/containers/${enc(name)}/top`, query: { ps_args: psArgs.length > 0 ? psArgs.join(' ') : undefined },
    });
    const lines = [list.Titles.join('\t'), ...(list.Processes ?? []).map((p) => p.join('\t'))];
    ctx.out(tabulate(lines.join('\n') + '\n', { minWidth: 20, padding: 3 }));
  },
};

const CHANGE_KINDS = ['C', 'A', 'D'];

class DiffRow extends GoStruct {
  readonly goTypeName = '*container.diffContext';
  constructor(private readonly change: { Kind: number; Path: string }) { super(); }
  fieldNames(): string[] { return ['Path', 'Type']; }
  get Type(): string { return CHANGE_KINDS[this.change.Kind] ?? '?'; }
  get Path(): string { return this.change.Path; }
}

export const diffCommand: CommandSpec = {
  name: 'diff',
  usage: 'CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  aliasLine: 'strata container diff, strata diff',
  args: { kind: 'exact', n: 1 },
  flags: [],
  async run(ctx, _o, args) {
    if (args[0] === '') throw new StatusError(1, 'Container name cannot be empty');
    const changes = await engineJson<{ Kind: number; Path: string }[] | null>(ctx.host, { method: 'GET', path: `/containers/${enc(args[0]!)}/changes` });
    ctx.out(renderRows('{{.Type}} {{.Path}}', (changes ?? []).map((c) => new DiffRow(c)), { Type: 'CHANGE TYPE', Path: 'PATH' }));
  },
};

/** A reference split as the docker client sends it to /commit (repo, tag with `latest` default). */
export function commitReference(reference: string): { repo: string; tag: string } {
  if (reference === '') return { repo: '', tag: '' };
  if (reference.includes('@')) throw new Error('refusing to create a tag with a digest reference');
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repo: reference, tag: 'latest' };
}

export const commitCommand: CommandSpec = {
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  short: "Create a new image from a container's changes",
  aliasLine: 'strata container commit, strata commit',
  args: { kind: 'range', min: 1, max: 2 },
  interspersed: false,
  flags: [
    { name: 'author', short: 'a', type: 'string', description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { name: 'change', short: 'c', type: 'stringArray', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', description: 'Commit message' },
    { name: 'pause', short: 'p', type: 'bool', default: true, description: 'Pause container during commit' },
  ],
  async run(ctx, o, args) {
    let ref: { repo: string; tag: string };
    try {
      ref = commitReference(args[1] ?? '');
    } catch (err) {
      throw new StatusError(1, (err as Error).message);
    }
    const query: Record<string, string | readonly string[] | undefined> = {
      container: args[0]!, repo: ref.repo, tag: ref.tag, comment: o.string('message'), author: o.string('author'),
      changes: o.strings('change'),
    };
    if (!o.bool('pause')) query.pause = '0';
    const res = await engineJson<{ Id: string }>(ctx.host, { method: 'POST', path: '/commit', query });
    ctx.out(`${res.Id}\n`);
  },
};

/** atomicwriter.New: a temp file beside the target, renamed over it when complete. */
async function writeAtomically(path: string, source: Readable, mode = 0o600): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await pipeline(source, createWriteStream(temp, { mode }));
    const handle = await open(temp, 'r+');
    await handle.sync();
    await handle.close();
    await renameFile(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

export const exportCommand: CommandSpec = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  aliasLine: 'strata container export, strata export',
  args: { kind: 'exact', n: 1 },
  flags: [{ name: 'output', short: 'o', type: 'string', description: 'Write to a file, instead of STDOUT' }],
  async run(ctx, o, args) {
    const output = o.string('output');
    if (output === '' && isTerminal(ctx.stdout)) throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const res = await engineStream(ctx.host, { method: 'GET', path: `/containers/${enc(args[0]!)}/export` });
    if (output !== '') {
      try {
        await writeAtomically(output, res as unknown as Readable);
      } catch (err) {
        throw new StatusError(1, `failed to export container: ${(err as Error).message}`);
      }
      return;
    }
    await pipeline(res, new Writable({
      write(chunk: Buffer, _enc, done) {
        if (ctx.stdout.write(chunk)) done();
        else ctx.stdout.once('drain', () => done());
      },
    }));
  },
};

export const logsCommand: CommandSpec = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  aliasLine: 'strata container logs, strata logs',
  args: { kind: 'exact', n: 1 },
  flags: [
    { name: 'details', type: 'bool', description: 'Show extra details provided to logs' },
    { name: 'follow', short: 'f', type: 'bool', description: 'Follow log output' },
    { name: 'since', type: 'string', description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { name: 'tail', short: 'n', type: 'string', default: 'all', description: 'Number of lines to show from the end of the logs' },
    { name: 'timestamps', short: 't', type: 'bool', description: 'Show timestamps' },
    { name: 'until', type: 'string', description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
  async run(ctx, o, args) {
    const c = await inspectContainer(ctx, args[0]!);
    const now = BigInt(Date.now()) * 1_000_000n;
    const time = (flag: string) => {
      const value = o.string(flag);
      if (value === '') return undefined;
      try {
        return formatUnixTimestamp(parseTimestamp(value, now));
      } catch (err) {
        throw new StatusError(1, `invalid value for "${flag}": ${(err as Error).message}`);
      }
    };
    const res = await engineStream(ctx.host, {
      method: 'GET',
      path: `/containers/${enc(c.Id)}/logs`,
      query: {
        stdout: true, stderr: true, since: time('since'), until: time('until'), timestamps: o.bool('timestamps'),
        follow: o.bool('follow'), tail: o.string('tail'), details: o.bool('details'),
      },
    });
    const toOut = (stream: NodeJS.WritableStream) => (b: Buffer) => { stream.write(b); };
    if (c.Config.Tty) {
      for await (const chunk of res) ctx.stdout.write(chunk as Buffer);
      return;
    }
    const demux = new FrameDemuxer({ stdout: toOut(ctx.stdout), stderr: toOut(ctx.stderr) });
    await pipeline(res, demux);
  },
};

/** prompt.Confirm: `message [y/N] `, a line from stdin, yes for y or Y. */
export async function confirm(ctx: CommandContext, message: string): Promise<boolean> {
  ctx.out(`${message} [y/N] `);
  const line = await new Promise<string>((resolve) => {
    let text = '';
    const stdin = ctx.stdin;
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(text.slice(0, nl));
    };
    const finish = (answer: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      (stdin as Readable & { unref?: () => void }).unref?.();
      resolve(answer);
    };
    const onEnd = () => finish(text);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
  const answer = line.trim();
  return answer === 'y' || answer === 'Y';
}

export const containerPruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove all stopped containers',
  args: { kind: 'none' },
  flags: [
    { name: 'filter', type: 'stringArray', valueName: 'filter', description: 'Provide filter values (e.g. "until=<timestamp>")', validate: filterFlagValidate },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, o) {
    // Declined: docker's "cancelled" error is not reported, and the status is 0.
    if (!o.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return;
    const filters = FilterArgs.fromFlags(o.strings('filter').filter((f) => f !== ''));
    const report = await engineJson<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>(ctx.host, {
      method: 'POST', path: '/containers/prune', query: { filters: filters.size > 0 ? filters.toQuery() : undefined },
    });
    let reclaimed = 0;
    if ((report.ContainersDeleted ?? []).length > 0) {
      ctx.out(`Deleted Containers:\n${report.ContainersDeleted!.map((id) => `${id}\n`).join('')}\n`);
      reclaimed = report.SpaceReclaimed;
    }
    ctx.out(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
  },
};
