import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyLayer, decompressIfNeeded, readTarEntries } from '../archive/index.js';
import { memoryHeadroomBytes, mountRaw, pageSizeBytes, unmountIfMounted, MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID } from '../host/index.js';

/** A build context unpacked into a private directory, and how to remove it. */
export interface UnpackedContext {
  root: string;
  /** Where the files are: a tmpfs of the build's own, or a directory on the store's disk. */
  medium: 'tmpfs' | 'disk';
  dispose(): Promise<void>;
}

/** Kernel memory a tmpfs entry costs beyond its pages (inode and dentry), counted against the budget. */
const ENTRY_OVERHEAD = 1024;
/** A context larger than this never goes to memory, however much is free. */
const TMPFS_MAX_BYTES = 1 << 30;

/**
 * Unpacks the context tar of `POST /build`. Creating inodes is what a big context costs on
 * disk (on some disks a millisecond each, while the bytes are few), and the context lives only
 * as long as the build, so a context that fits comfortably in memory — at most 1 GiB and a
 * quarter of the memory left to the daemon (MemAvailable, or its cgroup's limit if closer),
 * counting each entry's inode — is unpacked into a tmpfs mounted for this build alone; a larger
 * one, or one the tmpfs cannot take, goes to disk under `spoolDir`. Either way the tar is
 * first spooled to `spoolDir` (one sequential write), which is how its size is known before
 * choosing and how a failed tmpfs unpack can start again. Throws InvalidArgumentError for a
 * tar that is not valid; nothing is left behind then. `tmpfsBudget` replaces the memory rule.
 */
export async function unpackContext(tar: Readable, scratchDir: string, spoolDir: string, options: { tmpfsBudget?: number } = {}): Promise<UnpackedContext> {
  await mkdir(spoolDir, { recursive: true, mode: 0o700 });
  const name = `context-${randomBytes(8).toString('hex')}`;
  const spool = join(spoolDir, `${name}.tar`);
  try {
    await pipeline(tar, createWriteStream(spool, { mode: 0o600 }));
    const footprint = await tmpfsFootprint(spool, pageSizeBytes());
    const budget = options.tmpfsBudget ?? Math.min(TMPFS_MAX_BYTES, (await memoryHeadroomBytes()) / 4);
    if (footprint.pages + footprint.entries * ENTRY_OVERHEAD <= budget) {
      const inMemory = await unpackOnTmpfs(spool, join(scratchDir, name), footprint.pages);
      if (inMemory) return inMemory;
    }
    return await unpackOnDisk(spool, join(spoolDir, name));
  } finally {
    await rm(spool, { force: true });
  }
}

/**
 * What the archive's entries take on a tmpfs: bytes of whole pages for file content and
 * symlink text (a short link may take none, counted anyway), none for directories and hard
 * links; and the number of entries. Reading it through also checks that the archive is a
 * valid tar.
 */
async function tmpfsFootprint(spool: string, page: number): Promise<{ pages: number; entries: number }> {
  let pages = 0;
  let entries = 0;
  const plain = decompressIfNeeded(createReadStream(spool));
  try {
    for await (const entry of readTarEntries(plain[Symbol.asyncIterator]())) {
      entries++;
      if (entry.header.type === 'file') pages += Math.ceil(entry.header.size / page) * page;
      else if (entry.header.type === 'symlink') pages += page;
      for await (const _ of entry.body) { /* skipped */ }
    }
  } finally {
    plain.destroy();
  }
  return { pages, entries };
}

/** Unpacks onto a tmpfs sized for the archive; undefined when that failed, so disk is tried. */
async function unpackOnTmpfs(spool: string, root: string, needed: number): Promise<UnpackedContext | undefined> {
  await mkdir(root, { mode: 0o700 });
  let mounted = false;
  const dispose = async () => {
    if (mounted) unmountIfMounted(root, MNT_DETACH);
    mounted = false;
    await rm(root, { recursive: true, force: true });
  };
  try {
    // A tar without an entry for its root gives it Docker's 0755 (`COPY . /dst` copies it).
    mountRaw('tmpfs', root, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, `size=${needed + 16 * pageSizeBytes()},mode=0755`);
    mounted = true;
    await applyLayer(createReadStream(spool), root, { whiteouts: 'delete', memoryBacked: true });
    return { root, medium: 'tmpfs', dispose };
  } catch {
    // No tmpfs here (no right to mount one), or the archive holds something a tmpfs cannot
    // (an xattr it lacks): disk decides, and names the entry if the archive itself is at fault.
    await dispose().catch(() => {});
    return undefined;
  }
}

async function unpackOnDisk(spool: string, root: string): Promise<UnpackedContext> {
  await mkdir(root, { mode: 0o700 });
  await chmod(root, 0o755);
  const dispose = () => rm(root, { recursive: true, force: true });
  try {
    await applyLayer(createReadStream(spool), root, { whiteouts: 'delete' });
    return { root, medium: 'disk', dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
