/**
 * `cp`: docker's cli/command/container/cp.go over HEAD/GET/PUT /containers/{id}/archive —
 * the destination resolved (a symlink followed, a missing path renamed into), the local side
 * tarred or extracted here, `-` for a tar on stdin or stdout.
 */
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { engineRequest, engineStream, DaemonError } from '../../api/client/index.js';
import type { CommandSpec, CommandContext } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { humanSizeWithPrecision } from '../format/units.js';
import { isTerminal } from '../streams/terminal.js';
import { errorText } from './container-run.js';
import {
  splitCpArg, resolveLocalPath, splitPathDirEntry, goClean, goDir, goJoin, isAbs, prepareArchiveCopy, CopyError, type CopyInfo,
} from '../cp/copy-paths.js';
import { copyInfoSourcePath, tarResource, rebaseArchiveEntries, copyTo } from '../cp/local-archive.js';

/** container.PathStat, from the X-Docker-Container-Path-Stat header. */
interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_IRREGULAR = 2 ** 19;

function isDirMode(mode: number): boolean {
  return Math.floor(mode / MODE_DIR) % 2 === 1;
}

function hasBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

function statFromHeader(res: IncomingMessage | { headers: Record<string, unknown> }): PathStat {
  const raw = res.headers['x-docker-container-path-stat'];
  if (typeof raw !== 'string' || raw === '') return { name: '', size: 0, mode: 0, mtime: '', linkTarget: '' };
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as PathStat;
  } catch {
    throw new StatusError(1, 'unable to decode container path stat header');
  }
}

async function statPath(ctx: CommandContext, container: string, path: string): Promise<PathStat> {
  const res = await engineRequest(ctx.host, { method: 'HEAD', path: `/containers/${encodeURIComponent(container)}/archive`, query: { path } });
  return statFromHeader(res);
}

/** ValidateOutputPathFileMode. */
function outputModeProblem(mode: number): string | undefined {
  if (hasBit(mode, MODE_DEVICE)) return 'got a device';
  if (hasBit(mode, MODE_IRREGULAR)) return 'got an irregular file';
  return undefined;
}

/** command.ValidateOutputPath for a local destination. */
function validateOutputPath(path: string): void {
  const dir = goDir(goClean(path));
  if (dir !== '' && dir !== '.' && !existsSync(dir)) throw new StatusError(1, `invalid output path: directory ${JSON.stringify(dir)} does not exist`);
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (st.isDirectory() || st.isFile()) return;
  const why = st.isCharacterDevice() || st.isBlockDevice() ? 'got a device' : 'got an irregular file';
  throw new StatusError(1, `invalid output path: ${JSON.stringify(path)} must be a directory or a regular file: ${why}`);
}

/**
 * What docker prints when stdout is a terminal: "Successfully copied 4.1kB to …" on stderr.
 * (docker's animated progress line never shows: its check for a terminal on stderr fails on
 * its own stream wrapper; strata prints what docker actually prints.)
 */
function progress(ctx: CommandContext, quiet: boolean): { count: (n: number) => void; done: (to: string) => void } {
  let total = 0;
  return {
    count: (n) => { total += n; },
    done: (to) => { if (!quiet) ctx.err(`Successfully copied ${humanSizeWithPrecision(total, 3)} to ${to}\n`); },
  };
}

/** The same bytes, counted as they pass (with back-pressure: nothing flows before it is read). */
function counted(stream: Readable, count: (n: number) => void): Readable {
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      count(chunk.length);
      done(null, chunk);
    },
  });
  stream.on('error', (err) => meter.destroy(err));
  return stream.pipe(meter);
}

interface CpConfig {
  followLink: boolean;
  copyUIDGID: boolean;
  quiet: boolean;
  sourcePath: string;
  destPath: string;
  container: string;
}

async function copyFromContainer(ctx: CommandContext, c: CpConfig): Promise<void> {
  let dstPath = c.destPath;
  let srcPath = c.sourcePath;
  if (dstPath !== '-') dstPath = resolveLocalPath(dstPath);
  validateOutputPath(dstPath);
  let rebase = '';
  if (c.followLink) {
    try {
      const st = await statPath(ctx, c.container, srcPath);
      if (hasBit(st.mode, MODE_SYMLINK)) {
        let target = st.linkTarget;
        if (!isAbs(target)) target = goJoin(splitPathDirEntry(srcPath).dir, target);
        const r = rebaseFor(srcPath, target);
        srcPath = r.resolved;
        rebase = r.rebaseName;
      }
    } catch { /* docker ignores the stat's error here: the copy reports it */ }
  }
  const res = await engineStream(ctx.host, { method: 'GET', path: `/containers/${encodeURIComponent(c.container)}/archive`, query: { path: srcPath } });
  const stat = statFromHeader(res);
  if (dstPath === '-') {
    for await (const chunk of res) ctx.stdout.write(chunk as Buffer);
    return;
  }
  const src: CopyInfo = { path: srcPath, exists: true, isDir: isDirMode(stat.mode), rebaseName: rebase };
  const meter = progress(ctx, c.quiet);
  let content: Readable = counted(res as unknown as Readable, meter.count);
  if (rebase) content = rebaseArchiveEntries(content, splitPathDirEntry(src.path).base, rebase);
  try {
    await copyTo(content, src, dstPath);
  } finally {
    meter.done(dstPath);
  }
}

/** archive.GetRebaseName for a link followed in the container. */
function rebaseFor(path: string, resolved: string): { resolved: string; rebaseName: string } {
  let out = resolved;
  if (/(^|\/)\.$/.test(path) && !/(^|\/)\.$/.test(out)) out += '/.';
  if (path.endsWith('/') && !out.endsWith('/')) out += '/';
  const base = (p: string) => splitPathDirEntry(p).base;
  return { resolved: out, rebaseName: base(path) !== base(out) ? base(path) : '' };
}

async function copyToContainer(ctx: CommandContext, c: CpConfig): Promise<void> {
  let srcPath = c.sourcePath;
  const dstPath = c.destPath;
  if (srcPath !== '-') srcPath = resolveLocalPath(srcPath);
  const dst: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let dstStat: PathStat | undefined;
  try {
    dstStat = await statPath(ctx, c.container, dstPath);
    if (hasBit(dstStat.mode, MODE_SYMLINK)) {
      let target = dstStat.linkTarget;
      if (!isAbs(target)) target = goJoin(splitPathDirEntry(dstPath).dir, target);
      dst.path = target;
      dstStat = undefined;
      dstStat = await statPath(ctx, c.container, target);
    }
  } catch (err) {
    if (err instanceof DaemonError && err.unreachable) throw new StatusError(1, err.message);
  }
  const problem = dstStat ? outputModeProblem(dstStat.mode) : undefined;
  if (problem) throw new StatusError(1, `destination "${c.container}:${dstPath}" must be a directory or a regular file: ${problem}`);
  if (dstStat) {
    dst.exists = true;
    dst.isDir = isDirMode(dstStat.mode);
  }
  let content: Readable;
  let resolvedDstPath: string;
  const meter = progress(ctx, c.quiet || srcPath === '-');
  if (srcPath === '-') {
    content = ctx.stdin;
    resolvedDstPath = dst.path;
    if (!dst.isDir) throw new StatusError(1, `destination "${c.container}:${dstPath}" must be a directory`);
  } else {
    const src = await copyInfoSourcePath(srcPath, c.followLink);
    const archive = tarResource(src.path, src.rebaseName);
    const plan = prepareArchiveCopy(src, dst);
    resolvedDstPath = plan.dstDir;
    content = counted(plan.rebase ? rebaseArchiveEntries(archive, plan.rebase.from, plan.rebase.to) : archive, meter.count);
  }
  try {
    await engineRequest(ctx.host, {
      method: 'PUT',
      path: `/containers/${encodeURIComponent(c.container)}/archive`,
      query: { path: resolvedDstPath, noOverwriteDirNonDir: 'true', copyUIDGID: c.copyUIDGID ? 'true' : undefined },
      body: content,
      headers: { 'Content-Type': 'application/x-tar' },
    });
  } finally {
    if (srcPath !== '-') meter.done(`${c.container}:${dst.path}`);
  }
}

export const cpCommand: CommandSpec = {
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tstrata cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  short: 'Copy files/folders between a container and the local filesystem',
  aliasLine: 'strata container cp, strata cp',
  args: { kind: 'exact', n: 2 },
  flags: [
    { name: 'archive', short: 'a', type: 'bool', description: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', type: 'bool', description: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' },
  ],
  async run(ctx, o, args) {
    const [source, destination] = args as [string, string];
    if (source === '') throw new StatusError(1, 'source can not be empty');
    if (destination === '') throw new StatusError(1, 'destination can not be empty');
    const quiet = o.given('quiet') ? o.bool('quiet') : !isTerminal(ctx.stdout);
    const src = splitCpArg(source);
    const dst = splitCpArg(destination);
    const config: CpConfig = {
      followLink: o.bool('follow-link'), copyUIDGID: o.bool('archive'), quiet, sourcePath: src.path, destPath: dst.path, container: '',
    };
    if (src.container !== '' && dst.container !== '') throw new StatusError(1, 'copying between containers is not supported');
    if (src.container === '' && dst.container === '') throw new StatusError(1, 'must specify at least one container source');
    try {
      if (src.container !== '') await copyFromContainer(ctx, { ...config, container: src.container });
      else await copyToContainer(ctx, { ...config, container: dst.container });
    } catch (err) {
      if (err instanceof StatusError) throw err;
      if (err instanceof DaemonError || err instanceof CopyError) throw new StatusError(1, errorText(err));
      throw new StatusError(1, (err as Error).message);
    }
  },
};
