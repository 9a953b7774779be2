import { randomBytes } from 'node:crypto';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

export interface AtomicWriteOptions {
  mode?: number;
  /**
   * fsync the data and the directory (default true), so the new content survives a crash.
   * Files that are rewritten from records on every use (run state, bundles) only need the
   * rename's atomicity, and skip the fsyncs.
   */
  durable?: boolean;
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never
 * a part: the data goes to a temp file beside the target, is fsynced, then renamed over it,
 * and the directory is fsynced so the rename survives a crash.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, modeOrOptions: number | AtomicWriteOptions = {}): Promise<void> {
  const options = typeof modeOrOptions === 'number' ? { mode: modeOrOptions } : modeOrOptions;
  const mode = options.mode ?? 0o644;
  const durable = options.durable ?? true;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (durable) await fsyncDir(dir);
}

/** A JSON record, written atomically; `compact` drops the indentation (for large generated files). */
export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions & { compact?: boolean } = {}): Promise<void> {
  await writeFileAtomic(path, (options.compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)) + '\n', options);
}

/** Makes a rename or unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Temp files left by an interrupted writeFileAtomic start with a dot and carry this marker. */
export function isAtomicTempName(name: string): boolean {
  return name.startsWith('.') && name.includes('.tmp-');
}
