import { mkdir, readdir, readFile, rm, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  writeJsonAtomic, NotFoundError, ConflictError, InvalidArgumentError, errnoCode, type Logger, silentLogger,
} from '../base/index.js';
import type { ContainerRecord } from './container-record.js';

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Container records, one directory per container (`<root>/<id>/container.json` plus its
 * bundle, log and run files), cached in memory: the daemon is the only writer. Names are
 * unique; lookups take a full ID, a name, or a unique ID prefix, as Docker's do.
 */
export class ContainerStore {
  private readonly records = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();
  private readonly reservedNames = new Set<string>();

  constructor(readonly root: string, private readonly log: Logger = silentLogger) {}

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const id of await readdir(this.root)) {
      if (id.startsWith('.')) {
        await rm(join(this.root, id), { recursive: true, force: true }); // a removal that was cut short
        continue;
      }
      try {
        const record = JSON.parse(await readFile(this.recordPath(id), 'utf8')) as ContainerRecord;
        this.records.set(record.id, record);
        this.byName.set(record.name, record.id);
      } catch (err) {
        // A create cut short before its record was written: nothing refers to it.
        if (errnoCode(err) === 'ENOENT') {
          this.log.warn('removing container directory without a record', { id });
          await rm(join(this.root, id), { recursive: true, force: true });
        } else throw err;
      }
    }
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  private recordPath(id: string): string {
    return join(this.root, id, 'container.json');
  }

  /** Reserves a name for a container being created; throws Docker's conflict when taken. */
  reserveName(name: string, id: string): string {
    if (!NAME_RE.test(name)) {
      throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const clean = name.replace(/^\//, '');
    const holder = this.byName.get(clean);
    if (holder !== undefined || this.reservedNames.has(clean)) {
      throw new ConflictError(`Conflict. The container name "/${clean}" is already in use by container "${holder ?? 'being created'}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.reservedNames.add(clean);
    return clean;
  }

  releaseName(name: string): void {
    this.reservedNames.delete(name);
  }

  async save(record: ContainerRecord): Promise<void> {
    await writeJsonAtomic(this.recordPath(record.id), record);
    const previous = this.records.get(record.id);
    if (previous && previous.name !== record.name) this.byName.delete(previous.name);
    this.records.set(record.id, record);
    this.byName.set(record.name, record.id);
    this.reservedNames.delete(record.name);
  }

  /** Removes the record and the container's directory (renamed away first, then deleted). */
  async delete(id: string): Promise<void> {
    const record = this.records.get(id);
    const trash = join(this.root, `.removing-${randomBytes(6).toString('hex')}`);
    try {
      await rename(this.dir(id), trash);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    this.records.delete(id);
    if (record) this.byName.delete(record.name);
    await rm(trash, { recursive: true, force: true });
  }

  list(): ContainerRecord[] {
    return [...this.records.values()];
  }

  tryGet(idOrName: string): ContainerRecord | undefined {
    const exact = this.records.get(idOrName);
    if (exact) return exact;
    const byName = this.byName.get(idOrName.replace(/^\//, ''));
    if (byName) return this.records.get(byName);
    if (/^[0-9a-f]+$/.test(idOrName)) {
      const matches = [...this.records.keys()].filter((id) => id.startsWith(idOrName));
      if (matches.length > 1) throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${idOrName}`);
      if (matches.length === 1) return this.records.get(matches[0]!);
    }
    return undefined;
  }

  get(idOrName: string): ContainerRecord {
    const record = this.tryGet(idOrName);
    if (!record) throw new NotFoundError(`No such container: ${idOrName}`);
    return record;
  }
}
