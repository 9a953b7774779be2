/**
 * OCI whiteout entries, applied either as overlayfs whiteouts (the target is an upper dir) or
 * as deletions (the target is a full tree). Whiteouts hide only what lower layers had, so
 * nothing this same archive created is ever removed by them.
 */
import { readdir, rm } from 'node:fs/promises';
import { lchownSync, lutimesSync } from 'node:fs';
import { InvalidArgumentError } from '../base/index.js';
import { lsetxattr, mkWhiteout } from '../host/index.js';
import { joinEntryName } from './entry-name.js';
import { clearSlot, lstatIfExists } from './apply-entry.js';
import type { ApplyState } from './apply-state.js';
import type { TarHeader } from './tar-format.js';
import { OPAQUE_WHITEOUT, OVERLAY_OPAQUE_VALUE, OVERLAY_OPAQUE_XATTR, whiteoutTarget } from './whiteouts.js';

/** Applies the whiteout entry `base` (`.wh.<name>` or `.wh..wh..opq`) found in directory `parentRel`. */
export async function applyWhiteout(parentRel: string, base: string, header: TarHeader, state: ApplyState): Promise<void> {
  const entryName = header.name;
  if (base === OPAQUE_WHITEOUT) return applyOpaque(parentRel, entryName, state);

  const victim = whiteoutTarget(base);
  if (victim === undefined || victim === '' || victim === '.' || victim === '..') {
    throw new InvalidArgumentError(`whiteout ${JSON.stringify(entryName)} does not name a file that can be deleted`);
  }
  const overlay = state.whiteouts === 'overlay';
  // A deletion under a directory that does not exist has nothing to delete; an overlay
  // whiteout still needs its directory in the upper dir to hide the lower file.
  const parent = state.root.openDirectory(parentRel, entryName, overlay);
  if (!parent) return;
  try {
    if (state.applied.has(joinEntryName(parent.rel, victim))) return;
    const path = parent.child(victim);
    if (overlay) {
      await clearSlot(path, false);
      mkWhiteout(path);
      // The marker's owner and time, so the upper dir packs back to the same layer.
      lchownSync(path, header.uid, header.gid);
      lutimesSync(path, header.atime ?? header.mtime, header.mtime);
    } else {
      await rm(path, { recursive: true, force: true });
    }
  } finally {
    parent.close();
  }
}

async function applyOpaque(dirRel: string, entryName: string, state: ApplyState): Promise<void> {
  const overlay = state.whiteouts === 'overlay';
  const dir = state.root.openDirectory(dirRel, entryName, overlay);
  if (!dir) return;
  try {
    if (overlay) lsetxattr(dir.self, OVERLAY_OPAQUE_XATTR, Buffer.from(OVERLAY_OPAQUE_VALUE));
    else await removeUnapplied(dir.self, dir.rel, state.applied);
  } finally {
    dir.close();
  }
}

/**
 * Empties a directory of what the lower layers put there: every child this archive did not
 * create goes, and directories this archive did list are kept but cleaned the same way.
 */
async function removeUnapplied(path: string, rel: string, applied: Set<string>): Promise<void> {
  for (const name of await readdir(path)) {
    const childRel = joinEntryName(rel, name);
    // Only real directories (lstat, below) are descended into, so no symlink is ever followed.
    const childPath = `${path}/${name}`;
    if (!applied.has(childRel)) {
      await rm(childPath, { recursive: true, force: true });
      continue;
    }
    const stat = lstatIfExists(childPath);
    if (stat?.isDirectory()) await removeUnapplied(childPath, childRel, applied);
  }
}
