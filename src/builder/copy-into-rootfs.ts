import {
  closeSync, constants, createReadStream, lstatSync, fchmodSync, fchownSync, futimesSync, open as openCallback, write as writeCallback, type Stats,
} from 'node:fs';
import { chmod, lchown, lutimes, mkdir, open, readlink, rm, symlink, utimes, type FileHandle } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { readSmallFile, SMALL_FILE } from '../base/index.js';
import { applyLayer } from '../archive/index.js';
import type { Owner } from './copy-owner.js';
import { ensureDirectoryInRoot, isDirectoryInRoot } from './rootfs-paths.js';
import { hostPath, walkTree, type SourceEntry } from './source-tree.js';
import { isTarArchive } from './tar-detect.js';

export interface CopyOptions {
  /** `--chown`; without it context files become 0:0 and image files keep their owner. */
  chown?: Owner;
  /** `--chmod` permission bits for every file and directory copied. */
  chmod?: number;
  /** ADD: a tar (plain or gzip) from the context is extracted into the destination instead of copied. */
  extractArchives: boolean;
}

/** Directory times are set after their children are written, which would change them. */
type PendingTimes = { path: string; stat: Stats }[];

function ownerFor(entry: SourceEntry, stat: Stats, options: CopyOptions): Owner {
  if (options.chown) return options.chown;
  return entry.tree.kind === 'image' ? { uid: stat.uid, gid: stat.gid } : { uid: 0, gid: 0 };
}

/** Removes what is at `target` unless it is a directory and a directory is wanted there. */
async function clearTarget(target: string, keepDirectory: boolean): Promise<boolean> {
  // Synchronous: a microsecond call, made for every file copied.
  const existing = lstatSync(target, { throwIfNoEntry: false });
  if (!existing) return false;
  if (keepDirectory && existing.isDirectory()) return true;
  await rm(target, { recursive: true, force: true });
  return false;
}

const CHUNK = 256 * 1024;
/** Directories whose files are copied at once (see copyDirectoryContents). */
const PARALLEL_DIRECTORIES = 4;
/** Files gathered from the walk before they are copied (see copyDirectoryContents). */
const LEAF_BATCH = 4096;

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Streams one open file into another, a chunk at a time. */
async function copyContent(input: FileHandle, output: FileHandle): Promise<void> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
    if (bytesRead === 0) return;
    let written = 0;
    while (written < bytesRead) written += (await output.write(buffer, written, bytesRead - written)).bytesWritten;
  }
}

function writeAt(fd: number, data: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => writeCallback(fd, data, offset, data.length - offset, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Opens a new file, asynchronously: creating an inode is the slow step on many disks. */
function createFile(target: string): Promise<number> {
  return new Promise((resolve, reject) => openCallback(target, CREATE_FLAGS, 0o600, (err, fd) => (err ? reject(err) : resolve(fd))));
}

/**
 * Copies one non-directory entry to `target` (whose parent is a verified real directory).
 * The cheap calls (reading a small source, metadata on the new file) are synchronous; the
 * create and the write are not, so that copies into several directories overlap them (see
 * copyDirectoryContents).
 */
async function copyLeaf(source: string, stat: Stats, target: string, owner: Owner, options: CopyOptions): Promise<void> {
  if (!stat.isFile() && !stat.isSymbolicLink()) return; // devices, FIFOs and sockets are not copied
  await clearTarget(target, false);
  if (stat.isSymbolicLink()) {
    // A link is copied as a link, whatever it points at: it is never followed on the host.
    await symlink(await readlink(source), target);
    await lchown(target, owner.uid, owner.gid);
    await lutimes(target, stat.atime, stat.mtime);
    return;
  }
  const mode = options.chmod ?? stat.mode & 0o7777;
  if (stat.size <= SMALL_FILE) {
    const content = readSmallFile(source, stat.size);
    const fd = await createFile(target);
    try {
      // Written through the thread pool: on a disk busy writing back, a write can be held up.
      for (let written = 0; written < content.length;) written += await writeAt(fd, content, written);
      fchownSync(fd, owner.uid, owner.gid);
      fchmodSync(fd, mode); // after chown, which clears setuid bits
      futimesSync(fd, stat.atime, stat.mtime);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const input = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const output = await open(target, CREATE_FLAGS, 0o600);
    try {
      await copyContent(input, output);
      await output.chown(owner.uid, owner.gid);
      await output.chmod(mode); // after chown, which clears setuid bits
      await output.utimes(stat.atime, stat.mtime);
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

interface PendingLeaf { source: string; stat: Stats; target: string; owner: Owner }

/**
 * Copies the contents of a source directory into `destHost`, an existing real directory.
 * Directories are made in walk order (parents first); files are gathered in batches and the
 * files of each directory in a batch copied by one of a few workers, each working in a
 * different directory. Creating files in one directory is serialised by the kernel, but
 * creates in different directories overlap, and on a disk where a create costs near a
 * millisecond that halves a large COPY. Each name is written once, so the order of the files
 * does not matter.
 */
async function copyDirectoryContents(entry: SourceEntry, destHost: string, options: CopyOptions, times: PendingTimes): Promise<void> {
  const made = new Map<string, string>([[entry.rel, destHost]]);
  let leavesByDirectory = new Map<string, PendingLeaf[]>();
  let pending = 0;
  for await (const child of walkTree(entry.tree, entry.rel)) {
    const parentRel = posix.dirname(child.rel) === '.' ? '' : posix.dirname(child.rel);
    const parentHost = made.get(parentRel);
    if (parentHost === undefined) continue; // its directory was not copied (not a directory)
    const target = join(parentHost, posix.basename(child.rel));
    const owner = ownerFor(entry, child.stat, options);
    const source = hostPath(entry.tree, child.rel);
    if (child.stat.isDirectory()) {
      if (!(await clearTarget(target, true))) await mkdir(target, { mode: 0o700 });
      await lchown(target, owner.uid, owner.gid);
      await chmod(target, options.chmod ?? child.stat.mode & 0o7777);
      made.set(child.rel, target);
      times.push({ path: target, stat: child.stat });
    } else {
      let leaves = leavesByDirectory.get(parentHost);
      if (!leaves) leavesByDirectory.set(parentHost, (leaves = []));
      leaves.push({ source, stat: child.stat, target, owner });
      // A bounded batch: a tree of a million files is never held in memory at once.
      if (++pending >= LEAF_BATCH) {
        await copyLeavesSideBySide([...leavesByDirectory.values()], options);
        leavesByDirectory = new Map();
        pending = 0;
      }
    }
  }
  await copyLeavesSideBySide([...leavesByDirectory.values()], options);
}

/** Copies the files of several directories at once, one worker a directory at a time. */
async function copyLeavesSideBySide(directories: PendingLeaf[][], options: CopyOptions): Promise<void> {
  let failed = false;
  const worker = async () => {
    try {
      for (let leaves = directories.shift(); leaves && !failed; leaves = directories.shift()) {
        for (const leaf of leaves) {
          if (failed) return;
          await copyLeaf(leaf.source, leaf.stat, leaf.target, leaf.owner, options);
        }
      }
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  const workers = Array.from({ length: Math.min(PARALLEL_DIRECTORIES, directories.length) }, worker);
  // Every worker has stopped before this returns, failed or not: nothing writes after the step ends.
  const results = await Promise.allSettled(workers);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * Writes COPY/ADD sources into a step's mounted rootfs with Docker's rules: a directory's
 * contents go into the destination; a file goes into it when the destination ends in `/` or
 * is a directory, else becomes it; ADD extracts local tar archives into it (with the secure
 * applier). Missing parents are created 0755 for the copy's owner. Nothing is written
 * outside the rootfs: destinations resolve inside it, and entries are created without
 * following what was there.
 */
export async function copyIntoRootfs(rootfs: string, entries: readonly SourceEntry[], dest: string, options: CopyOptions): Promise<void> {
  const times: PendingTimes = [];
  const wantsDirectory = dest.endsWith('/');
  for (const entry of entries) {
    const source = hostPath(entry.tree, entry.rel);
    const owner = ownerFor(entry, entry.stat, options);
    if (entry.stat.isDirectory()) {
      const { host, existed } = await ensureDirectoryInRoot(rootfs, dest, owner);
      if (!existed) {
        await chmod(host, options.chmod ?? entry.stat.mode & 0o7777);
        times.push({ path: host, stat: entry.stat });
      }
      await copyDirectoryContents(entry, host, options, times);
    } else if (options.extractArchives && entry.tree.kind === 'context' && entry.stat.isFile() && (await isTarArchive(source))) {
      const { host } = await ensureDirectoryInRoot(rootfs, dest, owner);
      await applyLayer(createReadStream(source), host, { whiteouts: 'delete' });
    } else {
      const target = wantsDirectory || (await isDirectoryInRoot(rootfs, dest)) ? posix.join(dest, basename(entry.original)) : dest;
      const { host: parentHost } = await ensureDirectoryInRoot(rootfs, posix.dirname(target), owner);
      await copyLeaf(source, entry.stat, join(parentHost, posix.basename(target)), owner, options);
    }
  }
  for (const { path, stat } of times.reverse()) await utimes(path, stat.atime, stat.mtime);
}
