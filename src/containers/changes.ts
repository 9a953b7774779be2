import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { lgetxattr, major, minor } from '../host/index.js';
import { errnoCode } from '../base/index.js';

/** Docker's change kinds: 0 modified, 1 added, 2 deleted (the API's numbers). */
export enum ChangeKind {
  Modify = 0,
  Add = 1,
  Delete = 2,
}

export interface Change {
  Path: string;
  Kind: ChangeKind;
}

/**
 * What a container changed, read from its overlay upper dir alone plus a stat of the lower
 * entries the upper dir names — so the cost follows the number of changes, not the size of
 * the image. The rules are Docker's, so `diff` prints what Docker prints:
 * - a 0/0 character device is a whiteout: the path was deleted (D);
 * - an opaque directory was deleted and made anew: D for it, A for what is in it now;
 * - an entry that also exists in a lower layer is modified (C), except a directory whose
 *   size, mode and mtime are unchanged (it is only in the upper dir as a parent);
 * - anything else was added (A);
 * - the parent of an added or deleted entry is reported as C once, before it, even when its
 *   own metadata did not change.
 * Entries come in the order of a lexical walk, parents before children.
 */
export async function overlayChanges(upperDir: string, lowerDirs: readonly string[]): Promise<Change[]> {
  const changes: Change[] = [];
  const changedDirs = new Set<string>();

  const visit = async (relDir: string): Promise<void> => {
    const names = (await readdir(join(upperDir, relDir))).sort(byteOrder);
    for (const name of names) {
      const path = relDir === '/' ? `/${name}` : `${relDir}/${name}`;
      const st = await lstat(join(upperDir, path));
      let kind: ChangeKind | undefined;
      if (isWhiteout(st) || (st.isDirectory() && isOpaque(join(upperDir, path)))) {
        kind = ChangeKind.Delete;
      } else {
        const lower = await lstatInLowers(lowerDirs, path);
        if (!lower) kind = ChangeKind.Add;
        else if (lower.isDirectory() && st.isDirectory() && sameDirMetadata(st, lower)) kind = undefined; // only a parent
        else kind = ChangeKind.Modify;
      }
      if (kind !== undefined) {
        if (st.isDirectory()) changedDirs.add(path);
        if (kind === ChangeKind.Add || kind === ChangeKind.Delete) {
          const parent = parentOf(path);
          if (parent !== '/' && !changedDirs.has(parent)) {
            changes.push({ Path: parent, Kind: ChangeKind.Modify });
            changedDirs.add(parent);
          }
        }
        changes.push({ Path: path, Kind: kind });
      }
      if (st.isDirectory()) await visit(path);
    }
  };
  await visit('/');
  return changes;
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && major(st.rdev) === 0 && minor(st.rdev) === 0;
}

function isOpaque(path: string): boolean {
  const value = lgetxattr(path, 'trusted.overlay.opaque');
  return value !== undefined && value.length === 1 && value[0] === 0x79; // 'y'
}

/** Docker compares size, mode and mtime (to the second when either has no sub-second part). */
function sameDirMetadata(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mode === b.mode && sameFsTime(a.mtimeMs, b.mtimeMs);
}

function sameFsTime(aMs: number, bMs: number): boolean {
  if (aMs === bMs) return true;
  const aSec = Math.floor(aMs / 1000);
  const bSec = Math.floor(bMs / 1000);
  const aWhole = aMs % 1000 === 0;
  const bWhole = bMs % 1000 === 0;
  return aSec === bSec && (aWhole || bWhole);
}

/** The first lower layer (top-most first) that has `path`, by lstat. */
async function lstatInLowers(lowerDirs: readonly string[], path: string): Promise<Stats | undefined> {
  for (const dir of lowerDirs) {
    try {
      return await lstat(join(dir, path));
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
  }
  return undefined;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
