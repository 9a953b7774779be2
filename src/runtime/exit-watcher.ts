import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, type Logger, silentLogger } from '../base/index.js';

/** An exit conmon recorded: the code is the process's, or 128+signal when a signal ended it. */
export interface ExitRecord {
  exitCode: number;
  /** When conmon wrote the exit file (the file's mtime). */
  exitedAt: Date;
}

/** Exit files are `<id>`; GLib writes them through `<id>.XXXXXX` temp names, which hold a dot. */
function isIdName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name);
}

/** Reads `<dir>/<id>`: undefined when absent or not yet a whole number. */
export async function readExitFile(path: string): Promise<ExitRecord | undefined> {
  let text: string;
  let mtime: Date;
  try {
    [text, mtime] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtime)]);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  if (!/^-?\d+$/.test(text.trim())) return undefined;
  return { exitCode: Number(text.trim()), exitedAt: mtime };
}

/**
 * Watches conmon's --exit-dir with inotify (fs.watch) and emits `exit` (id, ExitRecord) when
 * an exit file appears, so no container is polled. conmon writes the file with
 * g_file_set_contents (temp file + rename), so it is whole when its name appears. Each
 * file is reported once; `forget(id)` re-arms an id (after the container is deleted).
 */
export class ExitWatcher extends EventEmitter {
  private watcher: FSWatcher | undefined;
  private readonly reported = new Set<string>();

  constructor(readonly dir: string, private readonly logger: Logger = silentLogger) {
    super();
  }

  async start(): Promise<void> {
    if (this.watcher) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.watcher = watch(this.dir, { persistent: true }, (_event, filename) => {
      if (typeof filename === 'string') {
        if (isIdName(filename)) void this.check(filename);
      } else {
        // No name: inotify's queue overflowed and events were lost; look at every file.
        void this.rescan();
      }
    });
    this.watcher.on('error', (err) => this.logger.error('exit watcher failed', { dir: this.dir, error: String(err) }));
  }

  private async check(id: string): Promise<void> {
    if (this.reported.has(id)) return;
    let record: ExitRecord | undefined;
    try {
      record = await readExitFile(join(this.dir, id));
    } catch (err) {
      this.logger.warn('cannot read exit file', { id, error: String(err) });
      return;
    }
    if (!record || this.reported.has(id)) return;
    this.reported.add(id);
    this.emit('exit', id, record);
  }

  private async rescan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      this.logger.warn('cannot list the exit dir', { dir: this.dir, error: String(err) });
      return;
    }
    for (const name of names) if (isIdName(name)) await this.check(name);
  }

  /** The recorded exit of `id`, if conmon wrote one (also after a daemon restart). */
  read(id: string): Promise<ExitRecord | undefined> {
    return readExitFile(join(this.dir, id));
  }

  /**
   * Calls `callback` once when `id` exits — at once if it already has. Returns a function
   * that cancels the subscription.
   */
  onExit(id: string, callback: (record: ExitRecord) => void): () => void {
    let done = false;
    const listener = (exitedId: string, record: ExitRecord) => {
      if (exitedId !== id || done) return;
      done = true;
      this.off('exit', listener);
      callback(record);
    };
    this.on('exit', listener);
    // The exit may have been written before we subscribed (or before the daemon started).
    void this.read(id).then((record) => { if (record) listener(id, record); }, () => {});
    return () => {
      done = true;
      this.off('exit', listener);
    };
  }

  forget(id: string): void {
    this.reported.delete(id);
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.removeAllListeners();
  }
}
