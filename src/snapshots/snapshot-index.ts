import { chmod, mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AlreadyExistsError, ConflictError, FailedPreconditionError, InvalidArgumentError, NotFoundError,
  errnoCode, errorMessage, fsyncDir, isAtomicTempName, silentLogger, writeJsonAtomic, Mutex, type Logger,
} from '../base/index.js';
import { mountsUnder, unmountIfMounted, MNT_DETACH } from '../host/index.js';
import { measureUsage } from './measure-usage.js';
import {
  metaToUsage, parseDirMeta, parseRecord, type DirMeta, type SnapshotRecord,
} from './snapshot-record.js';
import { DIFF_ID_LABEL, type SnapshotKind, type Usage } from './snapshotter.js';
import { DIR_ID_PATTERN, RECORDS_DIR_NAME, newDirId, type StoreLayout } from './store-layout.js';

export interface SnapshotIndexOptions {
  logger?: Logger;
  /** How a tree's usage is measured; tests slow it down to catch operations mid-way. */
  measure?: (dir: string) => Promise<Usage>;
}

export interface NewSnapshot {
  name: string;
  kind: SnapshotKind;
  parent?: string;
  labels?: Record<string, string>;
}

/**
 * The snapshot records of one snapshotter root: an in-memory index loaded once at start-up
 * (the daemon is the only writer of the store), with every change persisted atomically
 * before it is visible in memory. Both drivers use it; they differ only in what goes into a
 * snapshot's directory and how it is mounted.
 *
 * Crash safety comes from the order of writes: a directory is complete before a record
 * names it; a commit writes the committed record before deleting the active one; a removal
 * deletes the record before the directory. Start-up then repairs whatever an interruption
 * left: orphan directories go, records whose directory is missing go, and an active record
 * whose directory a committed record already names was a finished commit and goes.
 */
export class SnapshotIndex {
  private readonly records = new Map<string, SnapshotRecord>();
  /** Meta of directories named by committed records and views (never of active ones). */
  private readonly metas = new Map<string, DirMeta>();
  /**
   * Names being created → their parent. Creating runs partly outside the mutex (copying a
   * tree, measuring), so the name must already count as taken and the parent as in use.
   */
  private readonly reserved = new Map<string, string | undefined>();
  /** Active snapshots whose commit is under way: neither removable nor committable again. */
  private readonly committing = new Set<string>();
  private readonly mutex = new Mutex();
  private loading?: Promise<void>;

  private readonly log: Logger;
  private readonly measure: (dir: string) => Promise<Usage>;

  constructor(readonly layout: StoreLayout, options: SnapshotIndexOptions = {}) {
    this.log = options.logger ?? silentLogger;
    this.measure = options.measure ?? measureUsage;
  }

  /** Loads and repairs the store; runs once, again only if it failed. */
  load(): Promise<void> {
    this.loading ??= this.recover().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  get(name: string): SnapshotRecord {
    const record = this.records.get(name);
    if (!record) throw new NotFoundError(`snapshot "${name}" not found`);
    return record;
  }

  /** The named snapshot and its ancestors, nearest first. */
  lineage(name: string): SnapshotRecord[] {
    const chain: SnapshotRecord[] = [];
    for (let record: SnapshotRecord | undefined = this.get(name); record; ) {
      chain.push(record);
      record = record.parent === undefined ? undefined : this.get(record.parent);
    }
    return chain;
  }

  all(): SnapshotRecord[] {
    return [...this.records.values()];
  }

  /** Directories of committed snapshots that hold the layer with this diffID. */
  committedDirsWithDiffId(diffId: string): string[] {
    const dirs = new Set<string>();
    for (const record of this.records.values()) {
      if (record.kind === 'committed' && this.metas.get(record.dir)?.diffId === diffId) dirs.add(record.dir);
    }
    return [...dirs];
  }

  /**
   * Creates a snapshot in a new directory. `populate` fills the directory (its `fs` exists)
   * outside the lock; the record is written only once it succeeded.
   */
  async createInNewDir(spec: NewSnapshot, populate: (dir: string, parent?: SnapshotRecord) => Promise<void>): Promise<SnapshotRecord> {
    await this.load();
    spec = withoutEmptyParent(spec);
    const parent = await this.mutex.run(async () => this.reserve(spec));
    try {
      const dir = await this.makeDir();
      try {
        await populate(dir, parent);
        return await this.mutex.run(() => this.insert(spec, dir));
      } catch (err) {
        await rm(this.layout.dirPath(dir), { recursive: true, force: true });
        throw err;
      }
    } finally {
      this.reserved.delete(spec.name);
    }
  }

  /**
   * Creates a snapshot sharing an existing directory, the one `choose` picks given the
   * parent's lineage (nearest first); nothing is created when it picks none.
   */
  async createInSharedDir(spec: NewSnapshot, choose: (lineage: SnapshotRecord[]) => string | undefined): Promise<SnapshotRecord | undefined> {
    await this.load();
    spec = withoutEmptyParent(spec);
    return this.mutex.run(async () => {
      const parent = this.checkNew(spec);
      const dir = choose(parent ? this.lineage(parent.name) : []);
      return dir === undefined ? undefined : this.insert(spec, dir);
    });
  }

  /**
   * Turns active `key` into committed `name` in the same directory, measuring its usage once
   * (outside the lock: trees can be large) and recording it with the diffID label, if any.
   */
  async commit(name: string, key: string, labels: Record<string, string> = {}): Promise<SnapshotRecord> {
    await this.load();
    const active = await this.mutex.run(async () => {
      const record = this.get(key);
      if (record.kind !== 'active') {
        throw new FailedPreconditionError(`snapshot "${key}" is ${record.kind === 'view' ? 'a view' : 'committed'}; only active snapshots can be committed`);
      }
      if (this.committing.has(key)) throw new ConflictError(`snapshot "${key}" is already being committed`);
      checkLabels(labels);
      this.checkNameFree(name);
      this.reserved.set(name, record.parent);
      this.committing.add(key);
      return record;
    });
    try {
      const usage = await this.measure(this.layout.fsPath(active.dir));
      return await this.mutex.run(async () => {
        const diffId = labels[DIFF_ID_LABEL];
        const meta: DirMeta = diffId === undefined ? { ...usage } : { diffId, ...usage };
        await writeJsonAtomic(this.layout.metaPath(active.dir), meta);
        const committed = await this.insert({ name, kind: 'committed', parent: active.parent, labels }, active.dir);
        this.metas.set(active.dir, meta);
        await this.deleteRecord(key);
        return committed;
      });
    } finally {
      this.reserved.delete(name);
      this.committing.delete(key);
    }
  }

  /**
   * Removes a snapshot's record, and its directory when no other record names it. Refused
   * while another snapshot (or one being created) has it as parent.
   */
  async remove(name: string): Promise<void> {
    await this.load();
    const trash = await this.mutex.run(async () => {
      const record = this.get(name);
      if (this.committing.has(name)) throw new ConflictError(`cannot remove snapshot "${name}": it is being committed`);
      const children = this.childrenOf(name);
      if (children.length > 0) {
        throw new ConflictError(`cannot remove snapshot "${name}": it is the parent of ${children.map((c) => `"${c}"`).join(', ')}`);
      }
      await this.deleteRecord(name);
      if (this.isDirNamed(record.dir)) return undefined;
      this.metas.delete(record.dir);
      // Renamed away under the lock (cheap), deleted after it (may be slow).
      const trash = this.layout.trashPath(record.dir);
      try {
        await rename(this.layout.dirPath(record.dir), trash);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return undefined;
        throw err;
      }
      return trash;
    });
    if (trash) {
      await rm(trash, { recursive: true, force: true }).catch((err: unknown) => {
        // Collected at the next start-up.
        this.log.warn('could not delete snapshot directory', { dir: trash, error: errorMessage(err) });
      });
    }
  }

  /**
   * Figures recorded at commit for committed snapshots (and views sharing a committed
   * directory); measured now for active snapshots and views with a directory of their own.
   */
  async usage(name: string): Promise<Usage> {
    await this.load();
    const record = this.get(name);
    const meta = this.metas.get(record.dir);
    if (record.kind !== 'active' && meta) return metaToUsage(meta);
    return this.measure(this.layout.fsPath(record.dir));
  }

  // ---- creation -------------------------------------------------------------------------

  /** Validates a new snapshot and holds its name; returns the parent record. */
  private reserve(spec: NewSnapshot): SnapshotRecord | undefined {
    const parent = this.checkNew(spec);
    this.reserved.set(spec.name, spec.parent);
    return parent;
  }

  private checkNew(spec: NewSnapshot): SnapshotRecord | undefined {
    if (typeof spec.name !== 'string' || spec.name === '') throw new InvalidArgumentError('a snapshot key must be a non-empty string');
    checkLabels(spec.labels ?? {});
    this.checkNameFree(spec.name);
    if (spec.parent === undefined) return undefined;
    const parent = this.records.get(spec.parent);
    if (!parent) throw new NotFoundError(`parent snapshot "${spec.parent}" not found`);
    if (parent.kind !== 'committed') {
      throw new InvalidArgumentError(`parent snapshot "${spec.parent}" is not committed (it is ${parent.kind === 'view' ? 'a view' : 'active'})`);
    }
    return parent;
  }

  private checkNameFree(name: string): void {
    if (this.records.has(name) || this.reserved.has(name)) throw new AlreadyExistsError(`snapshot "${name}" already exists`);
  }

  private async makeDir(): Promise<string> {
    for (;;) {
      const dir = newDirId();
      try {
        await mkdir(this.layout.dirPath(dir), { mode: 0o700 });
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue;
        throw err;
      }
      await mkdir(this.layout.fsPath(dir));
      await chmod(this.layout.fsPath(dir), 0o755); // whatever the umask
      return dir;
    }
  }

  private async insert(spec: NewSnapshot, dir: string): Promise<SnapshotRecord> {
    const record: SnapshotRecord = { name: spec.name, kind: spec.kind, dir, labels: { ...spec.labels }, created: new Date().toISOString() };
    if (spec.parent !== undefined) record.parent = spec.parent;
    await writeJsonAtomic(this.layout.recordPath(record.name), record);
    this.records.set(record.name, record);
    return record;
  }

  // ---- removal --------------------------------------------------------------------------

  private childrenOf(name: string): string[] {
    const children = [...this.records.values()].filter((r) => r.parent === name).map((r) => r.name);
    for (const [pending, parent] of this.reserved) if (parent === name) children.push(pending);
    return children;
  }

  private isDirNamed(dir: string): boolean {
    for (const record of this.records.values()) if (record.dir === dir) return true;
    return false;
  }

  private async deleteRecord(name: string): Promise<void> {
    try {
      await unlink(this.layout.recordPath(name));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    this.records.delete(name);
    await fsyncDir(this.layout.recordsDir);
  }

  // ---- start-up -------------------------------------------------------------------------

  private async recover(): Promise<void> {
    await mkdir(this.layout.root, { recursive: true, mode: 0o700 });
    await mkdir(this.layout.recordsDir, { recursive: true, mode: 0o700 });
    this.records.clear();
    this.metas.clear();
    for (const record of await this.readRecords()) this.records.set(record.name, record);

    for (const record of this.all()) {
      if (!(await exists(this.layout.fsPath(record.dir)))) await this.dropRecord(record, 'its directory is missing');
    }
    const committedDirs = new Set(this.all().filter((r) => r.kind === 'committed').map((r) => r.dir));
    for (const record of this.all()) {
      if (record.kind === 'active' && committedDirs.has(record.dir)) await this.dropRecord(record, 'it was committed');
    }
    // A child of a dropped record cannot be mounted any more; drop down the tree.
    for (let dropped = true; dropped; ) {
      dropped = false;
      for (const record of this.all()) {
        if (record.parent === undefined || !this.records.has(record.name)) continue;
        if (this.records.get(record.parent)?.kind !== 'committed') {
          await this.dropRecord(record, `its parent "${record.parent}" is gone`);
          dropped = true;
        }
      }
    }
    for (const record of this.all()) {
      if (record.kind === 'active' || this.metas.has(record.dir)) continue;
      const meta = await this.readMeta(record.dir);
      if (meta) this.metas.set(record.dir, meta);
    }
    await this.removeOrphans();
  }

  private async readRecords(): Promise<SnapshotRecord[]> {
    const records: SnapshotRecord[] = [];
    for (const file of await readdir(this.layout.recordsDir)) {
      const path = join(this.layout.recordsDir, file);
      if (isAtomicTempName(file)) {
        await rm(path, { force: true }); // an interrupted write; the old version, if any, stands
        continue;
      }
      let record: SnapshotRecord | undefined;
      try {
        record = parseRecord(JSON.parse(await readFile(path, 'utf8')));
      } catch {
        record = undefined;
      }
      if (!record || this.layout.recordPath(record.name) !== path) {
        this.log.warn('removing unreadable snapshot record', { file: path });
        await rm(path, { force: true });
        continue;
      }
      records.push(record);
    }
    return records;
  }

  private async dropRecord(record: SnapshotRecord, why: string): Promise<void> {
    this.log.warn('dropping snapshot record', { name: record.name, reason: why });
    await this.deleteRecord(record.name);
  }

  private async readMeta(dir: string): Promise<DirMeta | undefined> {
    try {
      return parseDirMeta(JSON.parse(await readFile(this.layout.metaPath(dir), 'utf8')));
    } catch {
      return undefined; // usage falls back to measuring
    }
  }

  /**
   * Deletes what no record names: directories of interrupted creations, trash of
   * interrupted removals, scratch of an interrupted kernel probe. Entries that do not look
   * like ours are left alone, in case the root was pointed at the wrong place.
   */
  private async removeOrphans(): Promise<void> {
    const named = new Set(this.all().map((r) => r.dir));
    for (const entry of await readdir(this.layout.root)) {
      if (entry === RECORDS_DIR_NAME || named.has(entry)) continue;
      if (!DIR_ID_PATTERN.test(entry) && !entry.startsWith('.trash-') && !entry.startsWith('.probe-')) {
        this.log.warn('unexpected entry in snapshot root left alone', { entry });
        continue;
      }
      const path = join(this.layout.root, entry);
      for (const point of await mountsUnder(path)) unmountIfMounted(point, MNT_DETACH);
      this.log.info('removing orphan snapshot directory', { dir: path });
      await rm(path, { recursive: true, force: true });
    }
  }
}

/** Callers coming from the API say "no parent" with an empty string, as containerd does. */
function withoutEmptyParent(spec: NewSnapshot): NewSnapshot {
  return spec.parent === '' ? { ...spec, parent: undefined } : spec;
}

function checkLabels(labels: Record<string, string>): void {
  if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new InvalidArgumentError('snapshot labels must map strings to strings');
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
