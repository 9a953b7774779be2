import { open, opendir, readlink, type FileHandle } from 'node:fs/promises';
import { closeSync, lstatSync, openSync, type BigIntStats } from 'node:fs';
import { readSmallFile, SMALL_FILE } from '../../base/index.js';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ContextExcludes } from './context-ignore.js';
import { encodeTarHeader, padding, END_OF_ARCHIVE, type TarHeader, type TarType } from './tar-writer.js';

/** A file put into the archive in place of (or, when absent, after) a context file. */
export interface ReplacedEntry {
  /** The new content. */
  data: Buffer;
  /** Mode and time when the context has no such file (an existing file keeps its own). */
  mode: number;
  mtime: number;
}

export interface ContextTarOptions {
  /** The context directory, absolute and with symlinks resolved. */
  dir: string;
  excludes: ContextExcludes;
  /**
   * Entries by tar name replaced with new content (docker's ReplaceFileTarWrapper); the ones
   * the walk did not meet are added at the end, in name order.
   */
  replace?: ReadonlyMap<string, ReplacedEntry>;
  /** A file that could not be added is skipped and reported here, as moby's tar writer does. */
  onSkipped?: (path: string, err: Error) => void;
}

const CHUNK = 64 * 1024;

/**
 * The build context as the docker CLI sends it (moby's archive.TarWithOptions with
 * ChownOpts 0:0): a tar of the directory's contents in lexical walk order, excluded paths
 * left out, owners 0:0 without names, mtimes in whole seconds, hard links as links and
 * symlinks as links (never followed). Streamed: one read buffer of a file at a time, no file
 * or listing of the whole tree held in memory.
 */
export function contextTar(options: ContextTarOptions): Readable {
  return Readable.from(batched(contextTarChunks(options), CHUNK), { objectMode: false, highWaterMark: CHUNK });
}

/**
 * The chunks joined into pieces of about `size` bytes: a context of small files is a header,
 * a few bytes and padding per file, and a piece per upload write keeps the writes few.
 */
async function* batched(chunks: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pieces: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    pieces.push(chunk);
    bytes += chunk.length;
    if (bytes >= size) {
      yield pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, bytes);
      pieces = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield Buffer.concat(pieces, bytes);
}

async function* contextTarChunks(options: ContextTarOptions): AsyncGenerator<Buffer> {
  const { dir, excludes } = options;
  const pending = new Map(options.replace ?? []);
  const seenInodes = new Map<string, string>();
  const skip = (path: string, err: unknown) => options.onSkipped?.(path, err as Error);

  for await (const item of walkContext(dir, excludes)) {
    const { rel, path, st } = item;
    if (st instanceof Error) {
      skip(path, st);
      continue;
    }
    const type = tarType(st);
    if (type === undefined) {
      skip(path, new Error('archive/tar: sockets not supported'));
      continue;
    }
    const name = type === 'dir' ? `${rel}/` : rel;
    const header: TarHeader = {
      name, type, mode: Number(st.mode & 0o7777n), uid: 0, gid: 0, size: 0, mtime: Number(st.mtimeMs / 1000n),
    };
    const replaced = type === 'file' ? pending.get(name) : undefined;
    if (replaced) {
      pending.delete(name);
      yield encodeTarHeader({ ...header, size: replaced.data.length });
      yield replaced.data;
      yield padding(replaced.data.length);
      continue;
    }
    if (type === 'symlink') {
      try {
        header.linkname = await readlink(path);
      } catch (err) {
        skip(path, err);
        continue;
      }
    } else if (type === 'char' || type === 'block') {
      header.devmajor = Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn));
      header.devminor = Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn));
    }
    if (type !== 'dir' && st.nlink > 1n) {
      const inode = `${st.dev}:${st.ino}`;
      const first = seenInodes.get(inode);
      if (first !== undefined) {
        yield encodeTarHeader({ ...header, type: 'hardlink', linkname: first });
        continue;
      }
      seenInodes.set(inode, name);
    }
    if (type !== 'file' || st.size === 0n) {
      yield encodeTarHeader(header);
      continue;
    }
    if (st.size <= BigInt(SMALL_FILE)) {
      // Read whole before its header is written, so the header gives the size actually read.
      let data: Buffer;
      try {
        data = readSmallFile(path, Number(st.size));
      } catch (err) {
        skip(path, err);
        continue;
      }
      yield Buffer.concat([encodeTarHeader({ ...header, size: data.length }), data, padding(data.length)]);
      continue;
    }
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      skip(path, err);
      continue;
    }
    try {
      const size = Number(st.size);
      yield encodeTarHeader({ ...header, size });
      // Exactly `size` bytes go out whatever happens to the file meanwhile: a file that shrank
      // is padded with zeros, one that grew is cut, so the archive stays well-formed.
      let offset = 0;
      while (offset < size) {
        const want = Math.min(CHUNK, size - offset);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buf, 0, want, offset);
        if (bytesRead === 0) {
          yield Buffer.alloc(size - offset);
          offset = size;
          break;
        }
        offset += bytesRead;
        yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
      }
      yield padding(size);
    } finally {
      await handle.close();
    }
  }
  const rest = [...pending.keys()].sort(byteOrder);
  for (const name of rest) {
    const entry = pending.get(name)!;
    yield encodeTarHeader({ name, type: 'file', mode: entry.mode, uid: 0, gid: 0, size: entry.data.length, mtime: entry.mtime });
    yield entry.data;
    yield padding(entry.data.length);
  }
  yield END_OF_ARCHIVE;
}

function tarType(st: BigIntStats): TarType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return undefined;
}

/** Go's string order: by bytes of UTF-8. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

interface WalkItem {
  rel: string;
  path: string;
  /** Its lstat, or why that failed (it went away since the listing). */
  st: BigIntStats | Error;
}

/** A directory being walked: its sorted names and how far the walk got. */
interface OpenDir {
  rel: string;
  names: string[];
  next: number;
}

/**
 * The context paths the archive holds, depth first in lexical order (Go's filepath.WalkDir):
 * excluded files are left out; an excluded directory is entered (without its own entry)
 * only when an exception pattern may bring something inside it back. Each directory's names
 * are read when it is entered; only the open directories' listings are kept.
 */
async function* walkContext(root: string, excludes: ContextExcludes): AsyncGenerator<WalkItem> {
  const stack: OpenDir[] = [{ rel: '', names: await listDir(root), next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.names.length) {
      stack.pop();
      continue;
    }
    const name = top.names[top.next++]!;
    const rel = top.rel === '' ? name : `${top.rel}/${name}`;
    const path = join(root, rel);
    let st: BigIntStats | Error;
    try {
      st = lstatSync(path, { bigint: true }); // a microsecond call, made for every entry
    } catch (err) {
      st = err as Error;
    }
    const isDir = !(st instanceof Error) && st.isDirectory();
    if (excludes.excludes(rel)) {
      if (isDir && excludes.hasExceptions && excludes.mayIncludeUnder(rel)) {
        stack.push({ rel, names: await listDir(path).catch(() => []), next: 0 });
      }
      continue;
    }
    yield { rel, path, st };
    if (isDir) stack.push({ rel, names: await listDir(path).catch(() => []), next: 0 });
  }
}

async function listDir(path: string): Promise<string[]> {
  const names: string[] = [];
  const dir = await opendir(path);
  for await (const entry of dir) names.push(entry.name);
  return names.sort(byteOrder);
}

/**
 * build.ValidateContextDirectory: every file that will be sent can be read, checked before
 * anything is sent. Excluded paths (and whole excluded directories) are not looked at;
 * symlinks and named pipes are not opened.
 */
export async function validateContextDirectory(root: string, excludes: ContextExcludes): Promise<void> {
  const stack: OpenDir[] = [];
  try {
    stack.push({ rel: '', names: await listDir(root), next: 0 });
  } catch (err) {
    throw walkError(root, err);
  }
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.names.length) {
      stack.pop();
      continue;
    }
    const name = top.names[top.next++]!;
    const rel = top.rel === '' ? name : `${top.rel}/${name}`;
    const path = join(root, rel);
    if (excludes.excludes(rel)) continue;
    let st;
    try {
      st = lstatSync(path);
    } catch (err) {
      throw walkError(path, err);
    }
    if (st.isSymbolicLink() || st.isFIFO()) continue;
    if (st.isDirectory()) {
      try {
        stack.push({ rel, names: await listDir(path), next: 0 });
      } catch (err) {
        throw walkError(path, err);
      }
      continue;
    }
    try {
      closeSync(openSync(path, 'r')); // synchronous: a microsecond call, made for every file
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw new Error(`no permission to read from '${path}'`);
    }
  }
}

function walkError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return new Error(`can't stat '${path}'`);
  if (code === 'ENOENT') return new Error(`file ('${path}') not found or excluded by .dockerignore`);
  return err as Error;
}
