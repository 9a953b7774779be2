import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { displayJsonMessages } from '../../api/client/index.js';
import type { CommandSpec } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { openSource } from './images.js';

/** `strata save` (and `strata image save`): images to a tar archive, on stdout or in a file. */
export const saveCommand: CommandSpec = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  aliasLine: 'strata image save, strata save',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'output', short: 'o', type: 'string', description: 'Write to a file, instead of STDOUT' },
    { name: 'platform', type: 'stringArray', description: 'Save only the given platform(s). Formatted as a comma-separated list of "os[/arch[/variant]]" (e.g., "linux/amd64,linux/arm64/v8")' },
  ],
  async run(ctx, o, args) {
    const output = o.string('output');
    if (output === '' && isTerminal(ctx.stdout)) {
      throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    if (output !== '') await validateOutputPath(output);
    if (o.strings('platform').length > 0) throw new StatusError(1, '--platform is not supported: strata stores one platform per image');
    // GET /images/get?names=…, as the docker CLI asks for any number of images (dockerode
    // has the call but its types do not).
    const archive = await ctx.call((docker) => (docker as unknown as SaveClient).getImages({ names: args }));
    if (output === '') {
      await pipeline(archive, ctx.stdout, { end: false });
      return;
    }
    await copyToFile(output, archive);
  },
};

/** `strata load` (and `strata image load`): images from a tar archive, from a file or stdin. */
export const loadCommand: CommandSpec = {
  name: 'load',
  usage: '[OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  aliasLine: 'strata image load, strata load',
  args: { kind: 'none' },
  flags: [
    { name: 'input', short: 'i', type: 'string', description: 'Read from tar archive file, instead of STDIN' },
    { name: 'platform', type: 'stringArray', description: 'Load only the given platform(s). Formatted as a comma-separated list of "os[/arch[/variant]]" (e.g., "linux/amd64,linux/arm64/v8")' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the load output' },
  ],
  async run(ctx, o) {
    const input = o.string('input');
    if (input === '' && isTerminal(ctx.stdin)) throw new StatusError(1, 'requested load from stdin, but stdin is empty');
    if (o.strings('platform').length > 0) throw new StatusError(1, '--platform is not supported: strata stores one platform per image');
    const body = input === '' ? ctx.stdin : await openSource(input);
    // Progress is for people: without a terminal the daemon is asked not to send it.
    const quiet = o.bool('quiet') || !isTerminal(ctx.stdout);
    const stream = await ctx.call((docker) => docker.loadImage(body, { quiet: quiet ? '1' : '0' }) as Promise<NodeJS.ReadableStream>);
    await displayJsonMessages(stream as Readable, (text) => ctx.out(text));
  },
};

interface SaveClient {
  getImages(options: { names: string[] }): Promise<Readable>;
}

function isTerminal(stream: Readable | Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** The docker CLI's ValidateOutputPath: the directory must exist; the path must not be a special file. */
async function validateOutputPath(path: string): Promise<void> {
  const dir = dirname(normalize(path));
  if (dir !== '' && dir !== '.') {
    const st = await stat(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (!st) throw new StatusError(1, `failed to save image: invalid output path: directory "${dir}" does not exist`);
  }
  const st = await stat(path).catch(() => undefined);
  if (st && !st.isDirectory() && !st.isFile()) {
    throw new StatusError(1, `failed to save image: invalid output path: "${path}" must be a directory or a regular file`);
  }
}

/**
 * The docker CLI's CopyToFile: the archive goes to a temp file beside the target, renamed
 * over it only once complete, so a failed or interrupted save never leaves a partial archive
 * under the name asked for.
 */
async function copyToFile(path: string, source: Readable): Promise<void> {
  const tmp = join(dirname(path), `.strata_temp_${randomBytes(6).toString('hex')}`);
  try {
    await pipeline(source, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
