import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
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
 * What a container changed, as `docker diff` reports it. Docker compares the container's
 * whole file system with its image's, entry by entry; the same answer comes from the overlay
 * upper dir alone plus a stat of the lower entries it names, because every difference
 * between the two views has an entry in the upper dir. So the cost follows the number of
 * changes, not the size of the image. Docker's rules:
 * - an entry only in the container is added (A), and so is everything below it;
 * - an entry only in the image is deleted (D) — a deleted directory is one D;
 * - an entry in both is modified (C) when its type, mode, owner or device differ, or, for
 *   a non-directory, its size or mtime, or its file capabilities; a copy-up that changed
 *   none of these is no change;
 * - a directory with changes below it is reported as C before them, unless it is already
 *   reported (the root never is).
 * Within a directory, additions and modifications come before deletions (Docker's order),
 * each group sorted by name; Docker's own order within a group is unspecified.
 */
export async function overlayChanges(upperDir: string, lowerDirs: readonly string[]): Promise<Change[]> {
  const changes: Change[] = [];
  await compareDir(upperDir, '/', lowerDirs, false, changes);
  return changes;
}

/** The lower layers that show through at a directory, top-most first. */
type Contributors = readonly string[];

async function compareDir(upper: string, dir: string, lowers: Contributors, opaque: boolean, out: Change[]): Promise<void> {
  const seen = opaque ? [] : lowers;
  const names = (await readdir(join(upper, dir))).sort(byteOrder);
  const deletions: Change[] = [];
  for (const name of names) {
    const path = childPath(dir, name);
    const up = await lstat(join(upper, path), { bigint: true });
    if (isWhiteout(up)) {
      if (await lowerEntry(seen, path)) deletions.push({ Path: path, Kind: ChangeKind.Delete });
      continue;
    }
    const low = await lowerEntry(seen, path);
    if (!low) {
      out.push({ Path: path, Kind: ChangeKind.Add });
      if (up.isDirectory()) await addAll(upper, path, out);
      continue;
    }
    const modified = statDifferent(low.stat, up) || !sameCapabilities(join(low.layer, path), join(upper, path));
    const before = out.length;
    if (up.isDirectory()) {
      if (low.stat.isDirectory()) {
        const isOpaqueDir = isOpaque(join(upper, path));
        await compareDir(upper, path, await contributorsOf(seen, path), isOpaqueDir, out);
        if (isOpaqueDir) await deleteHidden(upper, path, await contributorsOf(seen, path), out);
      } else {
        await addAll(upper, path, out); // a file replaced by a directory: all it holds is new
      }
    }
    if (modified || out.length > before) out.splice(before, 0, { Path: path, Kind: ChangeKind.Modify });
  }
  out.push(...deletions);
}

/** Everything below an added directory is added. */
async function addAll(upper: string, dir: string, out: Change[]): Promise<void> {
  for (const name of (await readdir(join(upper, dir))).sort(byteOrder)) {
    const path = childPath(dir, name);
    const st = await lstat(join(upper, path), { bigint: true });
    if (isWhiteout(st)) continue; // nothing below to delete
    out.push({ Path: path, Kind: ChangeKind.Add });
    if (st.isDirectory()) await addAll(upper, path, out);
  }
}

/** An opaque directory hides every lower entry it does not hold itself: those are deleted. */
async function deleteHidden(upper: string, dir: string, lowers: Contributors, out: Change[]): Promise<void> {
  const present = new Set(await readdir(join(upper, dir)));
  const hidden = new Set<string>();
  for (const name of await mergedNames(lowers, dir)) if (!present.has(name)) hidden.add(name);
  for (const name of [...hidden].sort(byteOrder)) out.push({ Path: childPath(dir, name), Kind: ChangeKind.Delete });
}

/** The names the lower layers show in `dir` (whiteouts applied, opaque dirs respected). */
async function mergedNames(lowers: Contributors, dir: string): Promise<string[]> {
  const names = new Set<string>();
  const hidden = new Set<string>();
  for (const layer of lowers) {
    let entries: string[];
    try {
      entries = await readdir(join(layer, dir));
    } catch (err) {
      if (isMissing(err)) continue;
      throw err;
    }
    for (const name of entries) {
      if (names.has(name) || hidden.has(name)) continue;
      const st = await lstat(join(layer, dir, name), { bigint: true });
      if (isWhiteout(st)) hidden.add(name);
      else names.add(name);
    }
    if (isOpaque(join(layer, dir))) break;
  }
  return [...names];
}

/** The entry the lower layers show at `path`, and the layer it comes from. */
async function lowerEntry(lowers: Contributors, path: string): Promise<{ stat: BigIntStats; layer: string } | undefined> {
  for (const layer of lowers) {
    const st = await lstatOrUndefined(join(layer, path));
    if (!st) continue;
    return isWhiteout(st) ? undefined : { stat: st, layer };
  }
  return undefined;
}

/**
 * The lower layers that show through at directory `path`: going down from the top, a
 * layer counts while it has the directory; a whiteout or non-directory there ends the list,
 * and so does an opaque directory (after itself).
 */
async function contributorsOf(lowers: Contributors, path: string): Promise<Contributors> {
  const out: string[] = [];
  for (const layer of lowers) {
    const st = await lstatOrUndefined(join(layer, path));
    if (!st) continue;
    if (!st.isDirectory()) break;
    out.push(layer);
    if (isOpaque(join(layer, path))) break;
  }
  return out;
}

/** Docker's statDifferent: directories' size and mtime are not a measure of change. */
function statDifferent(a: BigIntStats, b: BigIntStats): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return true;
  if (b.isDirectory()) return false;
  return a.size !== b.size || !sameFsTime(a.mtimeNs, b.mtimeNs);
}

/** Equal, or equal to the second when either side has no sub-second part. */
function sameFsTime(a: bigint, b: bigint): boolean {
  if (a === b) return true;
  const second = 1_000_000_000n;
  return a / second === b / second && (a % second === 0n || b % second === 0n);
}

function sameCapabilities(lowerPath: string, upperPath: string): boolean {
  const a = lgetxattr(lowerPath, 'security.capability');
  const b = lgetxattr(upperPath, 'security.capability');
  if (!a || !b) return !a && !b;
  return a.equals(b);
}

function isWhiteout(st: BigIntStats): boolean {
  return st.isCharacterDevice() && major(st.rdev) === 0 && minor(st.rdev) === 0;
}

function isOpaque(path: string): boolean {
  const value = lgetxattr(path, 'trusted.overlay.opaque');
  return value !== undefined && value.length === 1 && value[0] === 0x79; // 'y'
}

async function lstatOrUndefined(path: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

function isMissing(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
