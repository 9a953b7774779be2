import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * Where a snapshotter keeps things under its root (`<store>/snapshots/<driver>`):
 *
 *   records/<sha256 of name>.json   one record per snapshot key/name (SnapshotRecord)
 *   <id>/fs                          the layer's own files; for overlay also the upper dir
 *   <id>/work                        overlay workdir, active snapshots only
 *   <id>/meta.json                   facts about the directory, written at commit (DirMeta)
 *
 * Several records may share one `<id>` (overlay layers reused per diffID, native views);
 * a directory is deleted when no record names it. Anything else found in the root at
 * start-up is the leftover of an interrupted operation and is removed.
 */
export class StoreLayout {
  constructor(readonly root: string) {}

  get recordsDir(): string {
    return join(this.root, 'records');
  }

  /** Record files are named by a hash: keys are arbitrary strings, file names are not. */
  recordPath(name: string): string {
    return join(this.recordsDir, `${createHash('sha256').update(name).digest('hex')}.json`);
  }

  dirPath(id: string): string {
    return join(this.root, id);
  }

  fsPath(id: string): string {
    return join(this.root, id, 'fs');
  }

  workPath(id: string): string {
    return join(this.root, id, 'work');
  }

  metaPath(id: string): string {
    return join(this.root, id, 'meta.json');
  }

  /** A directory being deleted is renamed here first, so removal looks atomic. */
  trashPath(id: string): string {
    return join(this.root, `.trash-${id}-${randomBytes(3).toString('hex')}`);
  }
}

/** The name of the records directory inside the root; every other entry is a dir id. */
export const RECORDS_DIR_NAME = 'records';

/**
 * Directory ids are short on purpose: overlay lowerdir lists are made of them, and the mount
 * option string is limited to one page.
 */
export function newDirId(): string {
  return randomBytes(6).toString('hex');
}

export const DIR_ID_PATTERN = /^[0-9a-f]{12}$/;
