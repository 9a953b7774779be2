/**
 * The local side of `docker cp`: a tar of a local file or directory (moby's TarResource with
 * TarWithOptions' naming), the renaming of entries (RebaseArchiveEntries), and extraction
 * into a local directory (CopyTo / Untar with NoLchown and NoOverwriteDirNonDir). Extraction
 * resolves every path inside the destination (symlinks followed as if it were the root), so
 * an archive from a container cannot write outside it.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink, mkdir, rm, symlink, link, chmod, utimes, lutimes, stat, realpath } from 'node:fs/promises';
import type { BigIntStats, Stats } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import {
  goClean, goJoin, goDir, goBase, splitPathDirEntry, isAbs, hasTrailingPathSeparator, specifiesCurrentDir, rebaseName, prepareArchiveCopy, CopyError,
  type CopyInfo,
} from './copy-paths.js';

/** Go's *PathError text: `lstat /x: no such file or directory`. */
export function pathError(op: string, path: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EACCES: 'permission denied', ELOOP: 'too many levels of symbolic links',
    EEXIST: 'file exists', EISDIR: 'is a directory', ENOTEMPTY: 'directory not empty', EPERM: 'operation not permitted',
  };
  return new CopyError(`${op} ${path}: ${reasons[e.code ?? ''] ?? e.message}`);
}

async function lstatOrThrow(path: string): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (err) {
    throw pathError('lstat', path, err);
  }
}

/** filepath.EvalSymlinks (the path must exist). */
async function evalSymlinks(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    throw pathError('lstat', path, err);
  }
}

/** archive.GetRebaseName. */
function getRebaseName(path: string, resolved: string): { resolved: string; rebaseName: string } {
  let out = resolved;
  let rebase = '';
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(out)) out += '/.';
  if (hasTrailingPathSeparator(path) && !hasTrailingPathSeparator(out)) out += '/';
  if (goBase(path) !== goBase(out)) rebase = goBase(path);
  return { resolved: out, rebaseName: rebase };
}

/** archive.CopyInfoSourcePath: the local source, symlinks before the last element resolved. */
export async function copyInfoSourcePath(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolvedPath: string;
  let rebase = '';
  if (followLink) {
    ({ resolved: resolvedPath, rebaseName: rebase } = getRebaseName(path, await evalSymlinks(path)));
  } else {
    const slash = path.lastIndexOf('/');
    const dirPath = path.slice(0, slash + 1);
    const basePath = path.slice(slash + 1);
    const resolvedDir = await evalSymlinks(dirPath || '.');
    resolvedPath = `${resolvedDir === '/' ? '' : resolvedDir}/${basePath}`;
    if (hasTrailingPathSeparator(path) && goBase(path) !== goBase(resolvedPath)) rebase = goBase(path);
  }
  const st = await lstatOrThrow(resolvedPath);
  return { path: resolvedPath, exists: true, isDir: st.isDirectory(), rebaseName: rebase };
}

/** archive.CopyInfoDestinationPath: a missing destination is fine when its parent is a directory. */
export async function copyInfoDestinationPath(path: string): Promise<CopyInfo> {
  let current = path;
  let st: Stats | undefined;
  let error: unknown;
  try { st = await lstat(current); } catch (err) { error = err; }
  if (st && !st.isSymbolicLink()) return { path: current, exists: true, isDir: st.isDirectory(), rebaseName: '' };
  for (let n = 0; st && st.isSymbolicLink(); n++) {
    if (n > 10) throw new CopyError(`too many symlinks in ${path}`);
    let target = await readlink(current);
    if (!isAbs(target)) target = goJoin(splitPathDirEntry(current).dir, target);
    current = target;
    st = undefined;
    try { st = await lstat(current); } catch (err) { error = err; }
  }
  if (!st) {
    if ((error as NodeJS.ErrnoException)?.code !== 'ENOENT') throw pathError('lstat', current, error);
    const parent = splitPathDirEntry(current).dir;
    let parentStat: Stats;
    try {
      parentStat = await stat(parent);
    } catch (err) {
      throw pathError('stat', parent, err);
    }
    if (!parentStat.isDirectory()) throw new CopyError('not a directory');
    return { path: current, exists: false, isDir: false, rebaseName: '' };
  }
  return { path: current, exists: true, isDir: st.isDirectory(), rebaseName: '' };
}

type TarHeader = Partial<tar.Header> & { name: string };
type TarType = tar.Header['type'];

function entryType(st: Stats | BigIntStats): TarType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not archived
}

/**
 * archive.TarResourceRebase: a tar of `sourcePath` named as docker names it — the base name
 * (and everything below for a directory), `./…` for a path ending in `/.`, the first name
 * replaced by `rebase` when given.
 */
export function tarResource(sourcePath: string, rebase = ''): Readable {
  const { dir: sourceDir, base: include } = splitPathDirEntry(sourcePath);
  const pack = tar.pack();
  const seen = new Map<string, string>();
  const out = new PassThrough();
  pack.on('error', (err) => out.destroy(err));
  pack.pipe(out);

  const nameFor = (rel: string, isDir: boolean): string => {
    let name = rel;
    if (include === '.' && name !== '.') name = `./${name}`;
    if (rebase !== '') {
      const replacement = rebase === '/' ? '' : rebase;
      const at = name.indexOf(include);
      if (at >= 0) name = name.slice(0, at) + replacement + name.slice(at + include.length);
    }
    return isDir && !name.endsWith('/') ? `${name}/` : name;
  };

  const add = async (path: string, rel: string): Promise<void> => {
    const st = await lstat(path);
    const type = entryType(st);
    if (!type) return;
    const name = nameFor(rel, st.isDirectory());
    const header: TarHeader = {
      name, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000), size: 0,
    };
    if (type === 'symlink') header.linkname = await readlink(path);
    if (type === 'character-device' || type === 'block-device') {
      header.devmajor = Math.floor(st.rdev / 256) & 0xfff;
      header.devminor = (st.rdev & 0xff) | ((Math.floor(st.rdev / 4096) & 0xfff00));
    }
    if (type === 'file' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = seen.get(key);
      if (first !== undefined) {
        header.type = 'link';
        header.linkname = first;
      } else {
        seen.set(key, name);
      }
    }
    if (header.type === 'file') {
      header.size = st.size;
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
        const file = createReadStream(path);
        file.on('error', reject);
        file.pipe(entry);
      });
    } else {
      await new Promise<void>((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
    }
    if (st.isDirectory()) {
      for (const child of (await readdir(path)).sort()) await add(`${path === '/' ? '' : path}/${child}`, rel === '.' ? child : `${rel}/${child}`);
    }
  };

  const root = goJoin(sourceDir, include);
  void (async () => {
    try {
      await lstatOrThrow(sourcePath);
      await add(root, include);
      pack.finalize();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

/** RebaseArchiveEntries: the same archive with its top name (and hard link targets) renamed. */
export function rebaseArchiveEntries(source: Readable, from: string, to: string): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  extract.on('entry', (header, stream, next) => {
    const renamed: TarHeader = { ...header, name: rebaseName(header.name, from, to) };
    if (header.type === 'link' && header.linkname) renamed.linkname = rebaseName(header.linkname, from, to);
    const entry = pack.entry(renamed, (err) => next(err ?? undefined));
    stream.pipe(entry as unknown as NodeJS.WritableStream);
  });
  extract.on('finish', () => pack.finalize());
  const fail = (err: Error) => { out.destroy(err); };
  extract.on('error', fail);
  source.on('error', fail);
  source.pipe(extract);
  return out;
}

/**
 * `rel` (inside `root`) with its symlinks resolved as if `root` were `/`: the real path,
 * which never leaves `root`. Components that do not exist are kept as they are.
 */
export async function resolveInRoot(root: string, rel: string): Promise<string> {
  const pending = rel.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = `${root}/${[...done, part].join('/')}`;
    let st: Stats | undefined;
    try {
      st = await lstat(candidate);
    } catch {
      done.push(part, ...pending.filter((c) => c !== '..'));
      break;
    }
    if (st.isSymbolicLink()) {
      if (++links > 40) throw new CopyError(`too many levels of symbolic links: ${candidate}`);
      const target = await readlink(candidate);
      if (isAbs(target)) done.length = 0;
      pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
      continue;
    }
    done.push(part);
  }
  return done.length === 0 ? root : `${root}/${done.join('/')}`;
}

async function mkdirInRoot(root: string, rel: string, mode = 0o755): Promise<string> {
  const parts = rel.split('/').filter((c) => c !== '' && c !== '.');
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    const next = await resolveInRoot(root, parts.slice(0, i + 1).join('/'));
    try {
      await mkdir(next, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    current = next;
  }
  return current;
}

/**
 * archive.Untar with NoLchown and NoOverwriteDirNonDir: the archive's entries under `dest`
 * (modes and times kept, owners not), directories merged, anything else replaced.
 */
export async function untar(source: Readable, dest: string): Promise<void> {
  const root = await realpath(dest).catch((err) => { throw pathError('stat', dest, err); });
  const extract = tar.extract();
  const dirTimes: { path: string; mtime: Date }[] = [];
  extract.on('entry', (header, stream, next) => {
    void extractEntry(root, header, stream as unknown as Readable, dirTimes).then(() => next(), (err: unknown) => {
      stream.resume();
      next(err as Error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
    source.on('error', (err) => { extract.destroy(err); reject(err); });
    source.pipe(extract as unknown as NodeJS.WritableStream);
  });
  for (const { path, mtime } of dirTimes.reverse()) await utimes(path, mtime, mtime).catch(() => {});
}

async function extractEntry(root: string, header: TarHeader, stream: Readable, dirTimes: { path: string; mtime: Date }[]): Promise<void> {
  const name = goClean(header.name);
  const isDirEntry = header.type === 'directory';
  if (name === '..' || name.startsWith('../') || (isAbs(name) && goClean(`/${name}`) !== name)) {
    throw new CopyError(`${JSON.stringify(header.name)} is outside of ${JSON.stringify(root)}`);
  }
  const rel = name.replace(/^\/+/, '');
  const parentRel = goDir(rel);
  if (parentRel !== '.' && !header.name.endsWith('/')) await mkdirInRoot(root, parentRel);
  const parent = parentRel === '.' ? root : await resolveInRoot(root, parentRel);
  const path = rel === '' || rel === '.' ? root : `${parent}/${goBase(rel)}`;
  if (!path.startsWith(root)) throw new CopyError(`${JSON.stringify(header.name)} is outside of ${JSON.stringify(root)}`);

  let existing: Stats | undefined;
  try { existing = await lstat(path); } catch { /* absent */ }
  if (existing) {
    if (existing.isDirectory() && !isDirEntry) throw new CopyError(`cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(root)}`);
    if (!existing.isDirectory() && isDirEntry) throw new CopyError(`cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(root)}`);
    if (!(existing.isDirectory() && isDirEntry)) await rm(path, { recursive: true, force: true });
  }
  const mode = (header.mode ?? 0o644) & 0o7777;
  const mtime = header.mtime ?? new Date();
  switch (header.type) {
    case 'directory':
      if (!existing) await mkdir(path, { mode });
      await chmod(path, mode);
      dirTimes.push({ path, mtime });
      stream.resume();
      return;
    case 'file':
    case 'contiguous-file':
    case undefined:
      await new Promise<void>((resolve, reject) => {
        const file = createWriteStream(path, { mode });
        file.once('finish', resolve);
        file.once('error', reject);
        stream.once('error', reject);
        stream.pipe(file);
      });
      await chmod(path, mode);
      await utimes(path, mtime, mtime);
      return;
    case 'link': {
      stream.resume();
      const targetRel = goClean((header.linkname ?? '').replace(/^\/+/, ''));
      if (targetRel === '.' || targetRel === '..' || targetRel.startsWith('../')) throw new CopyError(`invalid hardlink target ${JSON.stringify(header.linkname)}`);
      await link(await resolveInRoot(root, targetRel), path);
      return;
    }
    case 'symlink': {
      stream.resume();
      const target = header.linkname ?? '';
      const joined = goJoin(goDir(path), target);
      if (!isAbs(target) && !(joined === root || joined.startsWith(`${root}/`))) {
        throw new CopyError(`invalid symlink ${JSON.stringify(path)} -> ${JSON.stringify(target)}`);
      }
      await symlink(target, path);
      await lutimes(path, mtime, mtime).catch(() => {});
      return;
    }
    default:
      // Devices and FIFOs need mknod, which the CLI does not do: they are left out.
      stream.resume();
  }
}

/** archive.CopyTo: extracts `content` (an archive of `src`) to the local `dstPath`. */
export async function copyTo(content: Readable, src: CopyInfo, dstPath: string): Promise<void> {
  const dst = await copyInfoDestinationPath(dstPath);
  const plan = prepareArchiveCopy(src, dst);
  const archive = plan.rebase ? rebaseArchiveEntries(content, plan.rebase.from, plan.rebase.to) : content;
  await untar(archive, plan.dstDir);
}
