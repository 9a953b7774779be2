import { randomBytes } from 'node:crypto';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { StatusError } from '../parser/command.js';
import { ContextExcludes } from './context-ignore.js';
import { contextTar, validateContextDirectory, type ReplacedEntry } from './context-tar.js';
import { encodeTarHeader, padding, END_OF_ARCHIVE } from './tar-writer.js';

const DEFAULT_DOCKERFILE = 'Dockerfile';
/** build.DetectArchiveReader looks at this much of stdin. */
const PEEK_SIZE = 1024;

export interface ContextRequest {
  /** The PATH argument: a directory or `-` (stdin). */
  context: string;
  /** `-f`: '' for the default, `-` for stdin, else a path (relative to the working directory). */
  dockerfile: string;
  stdin: Readable;
  /** A context file that could not be read while sending. */
  onSkipped?: (path: string, err: Error) => void;
}

export interface PreparedContext {
  /** The tar (or compressed tar) to send as the request body. */
  body: Readable;
  /** The `dockerfile` query parameter: the Dockerfile's path inside the context ('' = default). */
  dockerfile: string;
}

/**
 * The build context as the docker CLI's classic build prepares it (cli/command/image/build):
 * a directory as a tar with `.dockerignore` applied, or stdin as a tar (or a Dockerfile alone);
 * a Dockerfile from stdin or from outside the directory goes into the tar under a random name
 * that a rewritten `.dockerignore` hides from the build. Errors carry docker's wording and
 * exit status 1.
 */
export async function prepareContext(request: ContextRequest): Promise<PreparedContext> {
  const { context, dockerfile } = request;
  const dockerfileFromStdin = dockerfile === '-';
  if (context === '-') {
    if (dockerfileFromStdin) throw new StatusError(1, "invalid argument: can't use stdin for both build context and dockerfile");
    return contextFromStdin(request.stdin, dockerfile);
  }
  if (!(await stat(context).then(() => true, () => false))) {
    if (isRemoteContext(context)) throw new StatusError(1, `unable to prepare context: remote build contexts are not supported: ${context}`);
    throw new StatusError(1, `unable to prepare context: path ${goQuote(context)} not found`);
  }
  const { dir, relDockerfile } = await localContext(context, dockerfile);
  let dockerfileText: Buffer | undefined;
  if (dockerfileFromStdin) {
    dockerfileText = await readStream(request.stdin);
  } else if (relDockerfile.startsWith(`..${sep}`)) {
    // Outside the context: sent inside the tar all the same.
    try {
      dockerfileText = await readFile(dockerfile);
    } catch (err) {
      throw new StatusError(1, `unable to open Dockerfile: ${goError('open', dockerfile, err)}`);
    }
  }

  let ignore: Awaited<ReturnType<typeof ContextExcludes.read>>;
  try {
    ignore = await ContextExcludes.read(dir);
  } catch (err) {
    throw new StatusError(1, goError('open', join(dir, '.dockerignore'), err));
  }
  try {
    await validateContextDirectory(dir, ignore.excludes);
  } catch (err) {
    throw new StatusError(1, `error checking context: ${(err as Error).message}`);
  }
  const excludes = ignore.excludes.keepingBuildFiles(relDockerfile, dockerfileFromStdin);
  if (dockerfileText === undefined) {
    return { body: contextTar({ dir, excludes, onSkipped: request.onSkipped }), dockerfile: relDockerfile };
  }
  // build.AddDockerfileToBuildContext.
  const randomName = `.dockerfile.${randomBytes(10).toString('hex')}`;
  const now = Math.floor(Date.now() / 1000);
  const ignoreText = Buffer.concat([ignore.text ?? Buffer.from('.dockerignore'), Buffer.from(`\n${randomName}\n`)]);
  const replace = new Map<string, ReplacedEntry>([
    [randomName, { data: dockerfileText, mode: 0o600, mtime: now }],
    ['.dockerignore', { data: ignoreText, mode: 0o600, mtime: now }],
  ]);
  return { body: contextTar({ dir, excludes, replace, onSkipped: request.onSkipped }), dockerfile: randomName };
}

/** build.GetContextFromLocalDir: the context's real path and the Dockerfile relative to it. */
async function localContext(context: string, dockerfile: string): Promise<{ dir: string; relDockerfile: string }> {
  const fail = (message: string) => new StatusError(1, `unable to prepare context: ${message}`);
  const abs = resolve(context);
  let dir: string;
  try {
    dir = await realpath(abs);
  } catch (err) {
    throw fail(`unable to evaluate symlinks in context path: ${await evalSymlinksError(abs, err)}`);
  }
  const st = await lstat(dir).catch((err: unknown) => { throw fail(`unable to stat context directory ${goQuote(dir)}: ${goError('lstat', dir, err)}`); });
  if (!st.isDirectory()) throw fail(`context must be a directory: ${dir}`);
  if (dockerfile === '-') return { dir, relDockerfile: '-' };

  let absDockerfile: string;
  if (dockerfile === '') {
    absDockerfile = join(dir, DEFAULT_DOCKERFILE);
    // "Just to be nice", a lower-case `dockerfile` is taken when `Dockerfile` is missing.
    if (!(await exists(absDockerfile))) {
      const alt = join(dir, DEFAULT_DOCKERFILE.toLowerCase());
      if (await exists(alt)) absDockerfile = alt;
    }
  } else {
    absDockerfile = resolve(dockerfile);
  }
  if (!isAbsolute(absDockerfile)) absDockerfile = join(dir, absDockerfile);
  let real: string;
  try {
    real = await realpath(absDockerfile);
  } catch (err) {
    throw fail(`unable to evaluate symlinks in Dockerfile path: ${await evalSymlinksError(absDockerfile, err)}`);
  }
  return { dir, relDockerfile: relative(dir, real) };
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/** urlutil.IsGitURL / IsURL: contexts docker fetches itself; strata takes only local ones. */
function isRemoteContext(context: string): boolean {
  return /^(https?:\/\/|git:\/\/|git@|github\.com\/)/.test(context);
}

/** build.GetContextFromReader: stdin is a tar (maybe compressed), or a Dockerfile alone. */
async function contextFromStdin(stdin: Readable, dockerfile: string): Promise<PreparedContext> {
  const { head, rest } = await peek(stdin, PEEK_SIZE);
  if (isArchive(head)) return { body: Readable.from(rest(), { objectMode: false }), dockerfile };
  if (dockerfile !== '') throw new StatusError(1, 'unable to prepare context: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
  const chunks: Buffer[] = [];
  for await (const chunk of rest()) chunks.push(chunk);
  const text = Buffer.concat(chunks);
  const tar = Buffer.concat([
    encodeTarHeader({ name: DEFAULT_DOCKERFILE, type: 'file', mode: 0o644, uid: 0, gid: 0, size: text.length, mtime: Math.floor(Date.now() / 1000) }),
    text, padding(text.length), END_OF_ARCHIVE,
  ]);
  return { body: Readable.from([tar], { objectMode: false }), dockerfile: DEFAULT_DOCKERFILE };
}

/** Reads up to `size` bytes of a stream without losing them: `rest()` yields everything. */
async function peek(stream: Readable, size: number): Promise<{ head: Buffer; rest: () => AsyncGenerator<Buffer> }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const taken: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    taken.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(taken);
  return {
    head: head.subarray(0, size),
    async *rest() {
      if (head.length > 0) yield head;
      while (!done) {
        const next = await iterator.next();
        if (next.done) break;
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    },
  };
}

async function readStream(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** build.IsArchive: compressed (gzip, bzip2, xz, zstd), or a tar header with a good checksum. */
export function isArchive(head: Buffer): boolean {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b, 0x08) || starts(0x42, 0x5a, 0x68) || starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) || starts(0x28, 0xb5, 0x2f, 0xfd)) return true;
  if (head.length < 512) return false;
  const block = head.subarray(0, 512);
  if (block.every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const recorded = Number.parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return recorded === unsigned || recorded === signed;
}

/** Go's `%q` for a plain string. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

const GO_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'file name too long',
};

/** An *os.PathError's text: `open /x: no such file or directory`. */
function goError(op: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const text = GO_ERRNO[code];
  return text ? `${op} ${path}: ${text}` : (err as Error).message;
}

/**
 * filepath.EvalSymlinks' error: the lstat of the first path component that fails
 * (`lstat /ctx/Dockerfile: no such file or directory`).
 */
async function evalSymlinksError(path: string, err: unknown): Promise<string> {
  const parts = path.split('/').filter((p) => p !== '');
  let prefix = '';
  for (const part of parts) {
    prefix += `/${part}`;
    try {
      await lstat(prefix);
    } catch (e) {
      return goError('lstat', prefix, e);
    }
  }
  return goError('lstat', path, err);
}
