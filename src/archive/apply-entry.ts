/**
 * Creates one tar entry inside a pinned parent directory. The last component is never
 * followed: whatever is in the way is replaced (a directory is kept only for a directory entry),
 * and metadata goes on the new file itself — lchown, then chmod (chown clears setuid bits and
 * file capabilities, so both come after it), then xattrs, then times.
 *
 * The per-entry metadata calls are synchronous on purpose: each is a syscall of microseconds,
 * while a thread-pool round trip costs tens, and a layer has tens of thousands of entries.
 * So are the content writes of small files into a tmpfs. Other content writes and recursive
 * removals, which can take long, stay asynchronous, and every entry yields to the event loop
 * while the next one is read from the stream.
 */
import { rm } from 'node:fs/promises';
import {
  closeSync, fchmodSync, fchownSync, futimesSync, lchownSync, chmodSync, linkSync, lstatSync, lutimesSync, mkdirSync,
  openSync, symlinkSync, unlinkSync, write, writeSync, constants as fsConstants, type Stats,
} from 'node:fs';
import { errnoCode, InvalidArgumentError, SMALL_FILE } from '../base/index.js';
import { lsetxattr, mknod, S_IFBLK, S_IFCHR, S_IFIFO } from '../host/index.js';
import { cleanEntryName, copyEntryName, joinEntryName, splitEntryName } from './entry-name.js';
import type { ApplyState } from './apply-state.js';
import type { PinnedDir } from './layer-root.js';
import type { TarEntry } from './tar-reader.js';
import type { TarHeader } from './tar-format.js';
import { isOverlayXattr } from './whiteouts.js';

const CREATE_FILE = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

/** Applies a non-whiteout entry named `base` inside `parent`; returns nothing, records into `state`. */
export async function applyEntryIn(parent: PinnedDir, base: string, entry: TarEntry, state: ApplyState): Promise<void> {
  const { header } = entry;
  const path = parent.child(base);
  const rel = joinEntryName(parent.rel, base);
  switch (header.type) {
    case 'directory':
      await applyDirectory(path, rel, header, state);
      break;
    case 'file':
      await applyFile(path, entry, state.syncSmallWrites === true);
      break;
    case 'symlink':
      await clearSlot(path, false);
      symlinkSync(header.linkname, path);
      lchownSync(path, header.uid, header.gid);
      setXattrs(path, header);
      lutimesSync(path, atimeOf(header), header.mtime);
      break;
    case 'hardlink':
      await applyHardlink(path, header, state);
      break;
    case 'char-device':
    case 'block-device':
    case 'fifo':
      await applySpecial(path, header, state);
      break;
  }
  state.applied.add(rel);
}

/** Applies a directory entry that names the root itself (`./`): metadata only. */
export function applyRootDirectory(root: PinnedDir, header: TarHeader, state: ApplyState, rel = ''): void {
  setOwnerAndMode(root.self, header);
  setXattrs(root.self, header);
  state.directoryTimes.push({ rel, atime: atimeOf(header), mtime: header.mtime });
}

async function applyDirectory(path: string, rel: string, header: TarHeader, state: ApplyState): Promise<void> {
  if (!(await clearSlot(path, true))) mkdirSync(path, 0o700);
  setOwnerAndMode(path, header);
  setXattrs(path, header);
  state.directoryTimes.push({ rel, atime: atimeOf(header), mtime: header.mtime });
}

async function applyFile(path: string, entry: TarEntry, syncSmallWrites: boolean): Promise<void> {
  const { header } = entry;
  await clearSlot(path, false);
  // 0600 until the content is in: the final mode may be wider.
  const fd = openSync(path, CREATE_FILE, 0o600);
  try {
    let written = 0;
    for await (const chunk of entry.body) {
      // Into memory a small file's content goes with one synchronous write; anything else
      // through the thread pool, so a disk busy writing back blocks no one.
      if (syncSmallWrites && header.size <= SMALL_FILE) writeAllSync(fd, chunk);
      else await writeAll(fd, chunk);
      written += chunk.length;
    }
    if (written !== header.size) throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.name)} is short: ${written} of ${header.size} bytes`);
    fchownSync(fd, header.uid, header.gid);
    fchmodSync(fd, header.mode);
    setXattrs(path, header);
    futimesSync(fd, atimeOf(header), header.mtime);
  } finally {
    closeSync(fd);
  }
}

/**
 * A hard link's target is resolved like any entry name, inside the root, and its last
 * component is not followed: a link to a symlink links the symlink itself (as link(2) does).
 */
async function applyHardlink(path: string, header: TarHeader, state: ApplyState): Promise<void> {
  const targetRel = state.copy ? copyEntryName(header.linkname, 'hardlink target') : cleanEntryName(header.linkname);
  const described = `hard link ${JSON.stringify(header.name)} → ${JSON.stringify(header.linkname)}`;
  if (targetRel === '') throw new InvalidArgumentError(`${described} points at the root of the layer`);
  const { parent: targetParentRel, base: targetBase } = splitEntryName(targetRel);
  const targetParent = state.root.openDirectory(targetParentRel, header.name, false);
  if (!targetParent) throw new InvalidArgumentError(`${described}: the target is not in the layer`);
  try {
    const targetPath = targetParent.child(targetBase);
    const target = lstatIfExists(targetPath);
    if (!target) throw new InvalidArgumentError(`${described}: the target is not in the layer`);
    if (target.isDirectory()) throw new InvalidArgumentError(`${described}: the target is a directory`);
    const existing = lstatIfExists(path);
    // Already the same inode (a layer applied twice): unlinking first would destroy the target.
    if (existing && existing.dev === target.dev && existing.ino === target.ino) return;
    await clearSlot(path, false);
    linkSync(targetPath, path);
  } finally {
    targetParent.close();
  }
}

async function applySpecial(path: string, header: TarHeader, state: ApplyState): Promise<void> {
  if (header.type === 'char-device' && header.devmajor === 0 && header.devminor === 0 && state.whiteouts === 'overlay') {
    // In an upper dir a 0/0 character device *is* a whiteout; creating one would hide the lower file.
    throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.name)} is a 0/0 character device, which an overlay layer would read as a whiteout`);
  }
  const typeBits = header.type === 'fifo' ? S_IFIFO : header.type === 'block-device' ? S_IFBLK : S_IFCHR;
  await clearSlot(path, false);
  mknod(path, typeBits | (header.mode & 0o777), header.devmajor, header.devminor);
  setOwnerAndMode(path, header);
  setXattrs(path, header);
  lutimesSync(path, atimeOf(header), header.mtime);
}

/**
 * Makes room for a new entry at `path` without following it: a non-directory is unlinked; a
 * directory is kept when `keepDirectory` (returns true), else removed with its content.
 */
export async function clearSlot(path: string, keepDirectory: boolean): Promise<boolean> {
  const existing = lstatIfExists(path);
  if (!existing) return false;
  if (existing.isDirectory()) {
    if (keepDirectory) return true;
    // fs.rm never follows symlinks it meets inside; it removes the links themselves.
    await rm(path, { recursive: true, force: true });
  } else {
    unlinkSync(path);
  }
  return false;
}

/** Owner, then mode; only for paths whose last component is known not to be a symlink. */
function setOwnerAndMode(path: string, header: TarHeader): void {
  lchownSync(path, header.uid, header.gid);
  chmodSync(path, header.mode);
}

/** xattrs from the archive, except overlay's own, which only the applier itself may set. */
function setXattrs(path: string, header: TarHeader): void {
  for (const [name, value] of header.xattrs) {
    if (isOverlayXattr(name)) continue;
    try {
      lsetxattr(path, name, value);
    } catch (err) {
      throw new InvalidArgumentError(`cannot set xattr ${name} on tar entry ${JSON.stringify(header.name)}: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
  }
}

export function lstatIfExists(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function writeAllSync(fd: number, chunk: Buffer): void {
  for (let offset = 0; offset < chunk.length;) offset += writeSync(fd, chunk, offset);
}

async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    offset += await new Promise<number>((resolve, reject) => {
      write(fd, chunk, offset, chunk.length - offset, null, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }
}

function atimeOf(header: TarHeader): number {
  return header.atime ?? header.mtime;
}
