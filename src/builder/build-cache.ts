import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, errnoCode, sha256Of, writeJsonAtomic, type Digest } from '../base/index.js';
import type { ImageService } from '../images/index.js';

/**
 * What makes two build steps the same: the image they start from, the instruction as it
 * will be recorded in history after expansion (for COPY/ADD this holds the checksum of the
 * sources' content and metadata, never their mtimes), and anything else that changes the
 * result but is not in the history line (`extra`, e.g. `--chmod`).
 */
export interface CacheKey {
  parent: Digest | undefined;
  createdBy: string;
  extra?: string;
}

interface CacheRecord {
  key: CacheKey;
  imageId: Digest;
  createdAt: string;
}

/** Bumped when what a key means changes, so older records are simply not found. */
const KEY_VERSION = 1;

/**
 * The build cache: one small JSON record per step key under `<root>/builder/cache/`, written
 * atomically, naming the image the step produced. A record is only trusted while that image
 * still exists with the same parent: the cache chains through images built here, and an
 * image removed with `rmi` takes its cache entries with it (the stale records are deleted
 * when found). Records, not image annotations, so that a cache hit needs one file read.
 */
export class BuildCache {
  constructor(readonly dir: string) {}

  private path(key: CacheKey): string {
    const id = sha256Of(JSON.stringify([KEY_VERSION, key.parent ?? '', key.createdBy, key.extra ?? '']));
    return join(this.dir, `${digestHex(id)}.json`);
  }

  /** The image a step with this key produced before, if it is still there. */
  async lookup(key: CacheKey, images: ImageService): Promise<Digest | undefined> {
    const path = this.path(key);
    let record: CacheRecord;
    try {
      record = JSON.parse(await readFile(path, 'utf8')) as CacheRecord;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || err instanceof SyntaxError) return undefined;
      throw err;
    }
    const image = images.store.has(record.imageId) ? images.store.get(record.imageId) : undefined;
    if (!image || image.parent !== key.parent || record.key.createdBy !== key.createdBy) {
      await rm(path, { force: true });
      return undefined;
    }
    return record.imageId;
  }

  async record(key: CacheKey, imageId: Digest): Promise<void> {
    const record: CacheRecord = { key, imageId, createdAt: new Date().toISOString() };
    await writeJsonAtomic(this.path(key), record);
  }
}
