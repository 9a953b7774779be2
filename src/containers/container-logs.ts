import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';
import { errnoCode } from '../base/index.js';
import { parseLogLine, type LogEntry } from '../runtime/index.js';
import type { ContainerService } from './container-service.js';
import { isRunningStatus } from './container-record.js';

export interface LogOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** Unix seconds (fractions allowed): only lines at or after. */
  since?: number;
  /** Unix seconds: only lines before. */
  until?: number;
  timestamps?: boolean;
  /** Only the last N lines ('all' or undefined: everything). */
  tail?: number;
  follow?: boolean;
  signal?: AbortSignal;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The line with its newline (and the timestamp prefix when asked for). */
  data: Buffer;
}

/**
 * `docker logs`: the container's output from conmon's log, stdout and stderr kept apart,
 * with Docker's `--tail`, `--since`, `--until`, `--timestamps` and `--follow`. Readable after
 * the container exited; following ends when the container stops and its output is drained.
 */
export async function* containerLogs(service: ContainerService, idOrName: string, options: LogOptions = {}): AsyncGenerator<LogLine> {
  const record = service.get(idOrName);
  const path = service.logPath(record.id);
  const wantStdout = options.stdout ?? true;
  const wantStderr = options.stderr ?? true;
  const reader = new LogFileReader(path);
  const wanted = (line: AssembledLine): boolean => {
    if (line.stream === 'stdout' ? !wantStdout : !wantStderr) return false;
    const seconds = line.timeNs / 1e9;
    if (options.since !== undefined && options.since > 0 && seconds < options.since) return false;
    if (options.until !== undefined && options.until > 0 && seconds >= options.until) return false;
    return true;
  };
  const render = (line: AssembledLine): LogLine => ({
    stream: line.stream,
    data: options.timestamps ? Buffer.concat([Buffer.from(`${line.timestamp} `), line.content]) : line.content,
  });

  const existing = (await reader.readAvailable()).filter(wanted);
  const start = options.tail !== undefined && options.tail >= 0 ? Math.max(0, existing.length - options.tail) : 0;
  for (const line of existing.slice(start)) yield render(line);
  if (!options.follow) return;

  while (!options.signal?.aborted) {
    const fresh = await reader.readAvailable();
    for (const line of fresh) if (wanted(line)) yield render(line);
    if (fresh.length > 0) continue;
    const current = service.store.tryGet(record.id);
    if (!current || !isRunningStatus(current.state.Status)) {
      for (const line of await reader.readAvailable()) if (wanted(line)) yield render(line);
      return;
    }
    await reader.waitForGrowth(1000, options.signal);
  }
}

interface AssembledLine {
  stream: 'stdout' | 'stderr';
  timestamp: string;
  timeNs: number;
  content: Buffer;
}

/** Reads a k8s-file log incrementally, joining partial (P) entries into whole lines. */
class LogFileReader {
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<'stdout' | 'stderr', { first?: LogEntry; parts: Buffer[] }> = {
    stdout: { parts: [] },
    stderr: { parts: [] },
  };

  constructor(private readonly path: string) {}

  async readAvailable(): Promise<AssembledLine[]> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    const out: AssembledLine[] = [];
    try {
      const { size } = await handle.stat();
      if (size < this.offset) this.offset = 0; // rotated: start over
      while (this.offset < size) {
        const length = Math.min(size - this.offset, 1 << 20);
        const buf = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buf, 0, length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.pending = this.pending.length ? Buffer.concat([this.pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        let nl: number;
        while ((nl = this.pending.indexOf(0x0a)) >= 0) {
          const raw = this.pending.subarray(0, nl);
          this.pending = this.pending.subarray(nl + 1);
          if (raw.length === 0) continue;
          const line = this.assemble(parseLogLine(raw));
          if (line) out.push(line);
        }
      }
    } finally {
      await handle.close();
    }
    return out;
  }

  private assemble(entry: LogEntry): AssembledLine | undefined {
    const acc = this.partial[entry.stream];
    if (entry.partial) {
      acc.first ??= entry;
      acc.parts.push(entry.content);
      return undefined;
    }
    const first = acc.first ?? entry;
    const content = Buffer.concat([...acc.parts, entry.content, Buffer.from('\n')]);
    acc.first = undefined;
    acc.parts = [];
    const { timestamp, ns } = dockerTimestamp(first.time);
    return { stream: entry.stream, timestamp, timeNs: ns, content };
  }

  /** Waits until the file changes or `ms` passes (inotify, with a timeout as a backstop). */
  async waitForGrowth(ms: number, signal?: AbortSignal): Promise<void> {
    await stat(this.path).catch(() => undefined);
    await new Promise<void>((resolve) => {
      let watcher: ReturnType<typeof watch> | undefined;
      const done = () => {
        clearTimeout(timer);
        watcher?.close();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      try {
        watcher = watch(this.path, done);
        watcher.on('error', done);
      } catch { /* not there yet: the timeout polls */ }
      signal?.addEventListener('abort', done);
    });
  }
}

/**
 * conmon writes RFC 3339 with nanoseconds and the local offset; Docker prints UTC with all
 * nine digits (`2024-01-02T03:04:05.123456789Z`).
 */
export function dockerTimestamp(time: string): { timestamp: string; ns: number } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return { timestamp: time, ns: Date.parse(time) * 1e6 };
  const fraction = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  const iso = new Date(ms).toISOString().slice(0, 19);
  return { timestamp: `${iso}.${fraction}Z`, ns: ms * 1e6 + Number(fraction) };
}
