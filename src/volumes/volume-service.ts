import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  writeJsonAtomic, Mutex, NotFoundError, ConflictError, InvalidArgumentError, errnoCode, isAtomicTempName,
} from '../base/index.js';
import { measureUsage } from '../snapshots/index.js';

/** `docker volume inspect` JSON. */
export interface Volume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: 'local';
}

/** Docker marks volumes made for an unnamed `-v /path` or an image VOLUME with this label. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface CreateVolumeOptions {
  name?: string;
  labels?: Record<string, string>;
  driver?: string;
  driverOpts?: Record<string, string>;
}

/** Who uses a volume, told by the containers module: container IDs. */
export type VolumeUsersLookup = (name: string) => string[];

/**
 * Named volumes: directories under `<root>/<name>/_data` with a `meta.json` beside. A volume
 * appears whole or not at all: it is built in a temp directory and renamed into place.
 * Whether it is in use is asked of the containers, never counted.
 */
export class VolumeService {
  private readonly volumes = new Map<string, Volume>();
  private readonly lock = new Mutex();
  private usersOf: VolumeUsersLookup = () => [];

  constructor(readonly root: string) {}

  setUsersLookup(lookup: VolumeUsersLookup): void {
    this.usersOf = lookup;
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const name of await readdir(this.root)) {
      if (name.startsWith('.')) {
        // An interrupted create: never renamed into place, so never visible.
        await rm(join(this.root, name), { recursive: true, force: true });
        continue;
      }
      try {
        const meta = JSON.parse(await readFile(join(this.root, name, 'meta.json'), 'utf8')) as Volume;
        this.volumes.set(name, { ...meta, Mountpoint: this.dataDir(name) });
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
      }
    }
  }

  dataDir(name: string): string {
    return join(this.root, name, '_data');
  }

  /**
   * `docker volume create`: a new volume, or the existing one of that name (as Docker does)
   * when the options agree.
   */
  async create(options: CreateVolumeOptions = {}): Promise<Volume> {
    const driver = options.driver || 'local';
    if (driver !== 'local') throw new NotFoundError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const anonymous = !options.name;
    const name = options.name || randomBytes(32).toString('hex');
    validateName(name);
    for (const key of Object.keys(options.driverOpts ?? {})) {
      if (!['type', 'device', 'o', 'size'].includes(key)) throw new InvalidArgumentError(`invalid option key: "${key}"`);
    }
    return this.lock.run(async () => {
      const existing = this.volumes.get(name);
      if (existing) return existing;
      const labels = { ...(options.labels ?? {}) };
      if (anonymous) labels[ANONYMOUS_LABEL] = '';
      const volume: Volume = {
        CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        Driver: 'local',
        Labels: labels,
        Mountpoint: this.dataDir(name),
        Name: name,
        Options: options.driverOpts ?? {},
        Scope: 'local',
      };
      const staging = join(this.root, `.create-${randomBytes(6).toString('hex')}`);
      await mkdir(join(staging, '_data'), { recursive: true, mode: 0o755 });
      try {
        await writeJsonAtomic(join(staging, 'meta.json'), volume);
        await rename(staging, join(this.root, name));
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        throw err;
      }
      this.volumes.set(name, volume);
      return volume;
    });
  }

  get(name: string): Volume {
    const volume = this.volumes.get(name);
    if (!volume) throw new NotFoundError(`get ${name}: no such volume`);
    return volume;
  }

  has(name: string): boolean {
    return this.volumes.has(name);
  }

  list(): Volume[] {
    return [...this.volumes.values()].sort((a, b) => (a.Name < b.Name ? -1 : 1));
  }

  isAnonymous(volume: Volume): boolean {
    return ANONYMOUS_LABEL in volume.Labels;
  }

  inUse(name: string): string[] {
    return this.usersOf(name);
  }

  /** `docker volume rm`: refused while a container uses it (even with force, as Docker). */
  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    await this.lock.run(async () => {
      if (!this.volumes.has(name)) {
        if (options.force) return;
        throw new NotFoundError(`get ${name}: no such volume`);
      }
      const users = this.usersOf(name);
      if (users.length > 0) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      // Rename first so a crash mid-delete leaves a hidden directory, not a half volume.
      const trash = join(this.root, `.remove-${randomBytes(6).toString('hex')}`);
      await rename(join(this.root, name), trash);
      this.volumes.delete(name);
      await rm(trash, { recursive: true, force: true });
    });
  }

  /** Bytes a volume holds (a walk: only `system df -v` and prune ask). */
  async size(name: string): Promise<number> {
    return (await measureUsage(this.dataDir(name))).size;
  }

  /** `docker volume prune`: unused anonymous volumes, or every unused one with `all`. */
  async prune(options: { all?: boolean; labels?: (labels: Record<string, string>) => boolean } = {}): Promise<{ removed: string[]; reclaimed: number }> {
    const removed: string[] = [];
    let reclaimed = 0;
    for (const volume of this.list()) {
      if (!options.all && !this.isAnonymous(volume)) continue;
      if (options.labels && !options.labels(volume.Labels)) continue;
      if (this.usersOf(volume.Name).length > 0) continue;
      reclaimed += await this.size(volume.Name).catch(() => 0);
      await this.remove(volume.Name);
      removed.push(volume.Name);
    }
    return { removed, reclaimed };
  }
}

function validateName(name: string): void {
  if (name.length < 2) {
    throw new InvalidArgumentError(`volume name is too short, names should be at least two alphanumeric characters`);
  }
  if (!NAME_RE.test(name) || isAtomicTempName(name)) {
    throw new InvalidArgumentError(`"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}
