import { readdir, readFile, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Digest, digestHex, isDigest, writeJsonAtomic, isAtomicTempName, Mutex,
  NotFoundError, InvalidArgumentError, isNotFound,
} from '../base/index.js';

/** What the store keeps about one image; its config and manifest live in the content store. */
export interface ImageRecord {
  /** The image ID: the digest of its config blob, as Docker defines it. */
  id: Digest;
  manifestDigest: Digest;
  /** The image this one was built or committed on, when made locally (Docker's "Parent"). */
  parent?: Digest;
  /** When the image entered this store. */
  addedAt: string;
}

interface NameEntry {
  id: Digest;
  taggedAt: string;
}

/**
 * Image records (one JSON file per image) and the name table (one JSON document mapping
 * normalised references to image IDs). Both are written atomically and cached in memory:
 * the daemon is the only writer. Callers serialise mutations with `mutate`.
 */
export class ImageStore {
  private readonly records = new Map<Digest, ImageRecord>();
  private names = new Map<string, NameEntry>();
  private readonly lock = new Mutex();
  private readonly recordsDir: string;
  private readonly namesFile: string;

  constructor(readonly root: string) {
    this.recordsDir = join(root, 'records');
    this.namesFile = join(root, 'names.json');
  }

  async init(): Promise<void> {
    await mkdir(this.recordsDir, { recursive: true });
    for (const file of await readdir(this.recordsDir)) {
      const path = join(this.recordsDir, file);
      if (isAtomicTempName(file)) {
        await rm(path, { force: true }); // an interrupted write: the old version is still in place
        continue;
      }
      const record = JSON.parse(await readFile(path, 'utf8')) as ImageRecord;
      this.records.set(record.id, record);
    }
    try {
      const table = JSON.parse(await readFile(this.namesFile, 'utf8')) as Record<string, NameEntry>;
      // A name pointing at a record that never got written (crash between the two writes)
      // is dropped rather than left dangling.
      this.names = new Map(Object.entries(table).filter(([, entry]) => this.records.has(entry.id)));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Runs a mutation with no other mutation interleaved. */
  mutate<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.run(work);
  }

  get(id: Digest): ImageRecord {
    const record = this.records.get(id);
    if (!record) throw new NotFoundError(`No such image: ${id}`);
    return record;
  }

  has(id: Digest): boolean {
    return this.records.has(id);
  }

  list(): ImageRecord[] {
    return [...this.records.values()];
  }

  async put(record: ImageRecord): Promise<void> {
    await writeJsonAtomic(join(this.recordsDir, `${digestHex(record.id)}.json`), record);
    this.records.set(record.id, record);
  }

  async delete(id: Digest): Promise<void> {
    for (const [name, entry] of this.names) if (entry.id === id) this.names.delete(name);
    await this.saveNames();
    await rm(join(this.recordsDir, `${digestHex(id)}.json`), { force: true });
    this.records.delete(id);
  }

  /** The image a normalised reference names, if any. */
  lookupName(name: string): Digest | undefined {
    return this.names.get(name)?.id;
  }

  /** Every name of `id`, sorted, with the time it was last tagged. */
  namesOf(id: Digest): { name: string; taggedAt: string }[] {
    const out: { name: string; taggedAt: string }[] = [];
    for (const [name, entry] of this.names) if (entry.id === id) out.push({ name, taggedAt: entry.taggedAt });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  allNames(): [string, Digest][] {
    return [...this.names].map(([name, entry]) => [name, entry.id]);
  }

  async setName(name: string, id: Digest): Promise<void> {
    this.get(id);
    this.names.set(name, { id, taggedAt: new Date().toISOString() });
    await this.saveNames();
  }

  async removeName(name: string): Promise<void> {
    if (!this.names.delete(name)) throw new NotFoundError(`No such image: ${name}`);
    await this.saveNames();
  }

  /**
   * Resolves a full ID (`sha256:<hex>` or `<hex>`) or a unique prefix of at least one hex
   * character, as Docker does. Undefined when nothing matches; an ambiguous prefix is an error.
   */
  resolveIdPrefix(value: string): Digest | undefined {
    const hex = value.startsWith('sha256:') ? value.slice(7) : value;
    if (!/^[a-f0-9]{1,64}$/.test(hex)) return undefined;
    if (hex.length === 64) {
      const full = `sha256:${hex}`;
      return isDigest(full) && this.records.has(full) ? full : undefined;
    }
    const matches = [...this.records.keys()].filter((id) => digestHex(id).startsWith(hex));
    if (matches.length > 1) throw new InvalidArgumentError(`image ID prefix "${value}" is ambiguous: it matches ${matches.length} images`);
    return matches[0];
  }

  private async saveNames(): Promise<void> {
    await writeJsonAtomic(this.namesFile, Object.fromEntries([...this.names].sort(([a], [b]) => (a < b ? -1 : 1))));
  }
}
