/**
 * A faithful copy of a directory tree, as a full-copy snapshot (the native driver) needs it:
 * every entry keeps its type, mode, owner, timestamps (to the nanosecond) and extended
 * attributes; hard links stay hard links; symlinks, devices, FIFOs and sockets are recreated,
 * never followed. File data goes through copy_file_range/FICLONE, so on file systems with
 * reflinks (btrfs, xfs) a copy shares the blocks instead of duplicating them.
 */
import { constants as fsConstants, type BigIntStats } from 'node:fs';
import { chmod, copyFile, lchown, link, lstat, mkdir, readdir, readlink, symlink, lutimes } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../base/index.js';
import { sys, check } from './libc.js';
import { major, minor, mknod } from './device.js';
import { lgetxattr, llistxattr, lremovexattr, lsetxattr } from './xattr.js';

/** Non-directory entries of one directory copied at the same time; bounds open files. */
const FILE_CONCURRENCY = 8;

/**
 * Copies the tree at `src` to `dst`. `dst` may be missing or an empty directory; its own
 * metadata is set from `src`. Names that are not valid UTF-8 are not supported (Node
 * decodes them lossily).
 */
export async function copyTree(src: string, dst: string): Promise<void> {
  const rootStat = await lstat(src, { bigint: true });
  if (!rootStat.isDirectory()) throw new InvalidArgumentError(`copy source "${src}" is not a directory`);
  await mkdir(dst, { recursive: true, mode: 0o700 });
  await new TreeCopier().copyDirectory(src, dst, rootStat);
}

class TreeCopier {
  /** dev:ino of multiply-linked sources → the copy made for the first name seen. */
  private readonly firstCopies = new Map<string, Promise<string>>();

  async copyDirectory(src: string, dst: string, st: BigIntStats): Promise<void> {
    const names = (await readdir(src)).sort();
    const entries = await Promise.all(names.map(async (name) => ({ name, st: await lstat(join(src, name), { bigint: true }) })));
    const subdirs = entries.filter((e) => e.st.isDirectory());
    const others = entries.filter((e) => !e.st.isDirectory());

    await runBounded(others, FILE_CONCURRENCY, (e) => this.copyNonDirectory(join(src, e.name), join(dst, e.name), e.st));
    // Directories one after another: their own entries already run in parallel, and
    // recursing in parallel would multiply the number of open files by the depth.
    for (const e of subdirs) {
      const child = join(dst, e.name);
      // 0700 until the children are in, whatever the final mode: it is set afterwards.
      await mkdir(child, { mode: 0o700 });
      await this.copyDirectory(join(src, e.name), child, e.st);
    }
    // Last, because creating the children changed this directory's mtime.
    await applyMetadata(src, dst, st);
  }

  private async copyNonDirectory(src: string, dst: string, st: BigIntStats): Promise<void> {
    if (st.nlink > 1n) {
      const inode = `${st.dev}:${st.ino}`;
      const first = this.firstCopies.get(inode);
      if (first) {
        await link(await first, dst);
        return;
      }
      // Registered before the first await, so a sibling name of this inode processed
      // concurrently waits for this copy instead of making a second one.
      const copy = createEntry(src, dst, st).then(() => dst);
      this.firstCopies.set(inode, copy);
      await copy;
      return;
    }
    await createEntry(src, dst, st);
  }
}

async function createEntry(src: string, dst: string, st: BigIntStats): Promise<void> {
  if (st.isFile()) {
    await copyFile(src, dst, fsConstants.COPYFILE_FICLONE);
  } else if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dst);
  } else {
    // Character and block devices, FIFOs and sockets: mknod takes the type bits in `mode`.
    mknod(dst, Number(st.mode), major(st.rdev), minor(st.rdev));
  }
  await applyMetadata(src, dst, st);
}

/**
 * Owner, then mode (chown clears set-id bits), then xattrs (chown clears
 * security.capability), then times (everything before touched ctime/mtime).
 */
async function applyMetadata(src: string, dst: string, st: BigIntStats): Promise<void> {
  await lchown(dst, Number(st.uid), Number(st.gid));
  if (!st.isSymbolicLink()) await chmod(dst, Number(st.mode & 0o7777n));
  copyXattrs(src, dst);
  await setTimes(dst, st);
}

function copyXattrs(src: string, dst: string): void {
  const wanted = llistxattr(src);
  // A new entry may have inherited attributes the source lacks (default ACLs of the parent).
  for (const name of llistxattr(dst)) {
    if (!wanted.includes(name)) lremovexattr(dst, name);
  }
  for (const name of wanted) {
    const value = lgetxattr(src, name);
    if (value !== undefined) lsetxattr(dst, name, value);
  }
}

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const SYS_utimensat: number | undefined = ({ x64: 280, arm64: 88 } as Record<string, number>)[process.arch];

/**
 * utimensat(2) with nanoseconds and without following symlinks. Node's utimes takes seconds
 * as a double, which loses the nanoseconds; a differ comparing a copy with its source would
 * then see every file as modified.
 */
async function setTimes(path: string, st: BigIntStats): Promise<void> {
  if (SYS_utimensat === undefined) {
    await lutimes(path, st.atime, st.mtime); // other architectures: microsecond precision
    return;
  }
  const times = Buffer.alloc(32);
  writeTimespec(times, 0, st.atimeNs);
  writeTimespec(times, 16, st.mtimeNs);
  check(sys.syscall(SYS_utimensat, 'int', AT_FDCWD, 'str', path, 'void *', times, 'int', AT_SYMLINK_NOFOLLOW), 'utimensat', path);
}

function writeTimespec(buf: Buffer, offset: number, ns: bigint): void {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) { sec -= 1n; nsec += 1_000_000_000n; } // before 1970: tv_nsec must be positive
  buf.writeBigInt64LE(sec, offset);
  buf.writeBigInt64LE(nsec, offset + 8);
}

async function runBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
