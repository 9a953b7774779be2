import { createReadStream } from 'node:fs';
import { DataCorruptError } from '../base/index.js';

/**
 * One line of conmon's k8s-file log (the CRI log format):
 * `2024-01-01T12:00:00.123456789+00:00 stdout F hello` — timestamp with nanoseconds and the
 * host's UTC offset, the stream, `F` for a line that ended in a newline or `P` for a partial
 * one (output without a newline, or a line longer than conmon's 8 KiB read buffer), then the
 * bytes without the newline. Stdout and stderr stay apart; bytes are kept as written.
 */
export interface LogEntry {
  /** RFC 3339 with nanoseconds, as conmon wrote it. */
  time: string;
  stream: 'stdout' | 'stderr';
  /** True for `P`: the next entry of the same stream continues this one without a newline. */
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

export function parseLogLine(line: Buffer): LogEntry {
  const first = line.indexOf(SPACE);
  const second = first < 0 ? -1 : line.indexOf(SPACE, first + 1);
  const third = second < 0 ? -1 : line.indexOf(SPACE, second + 1);
  const tag = second < 0 ? '' : line.subarray(second + 1, third < 0 ? line.length : third).toString('latin1');
  const stream = first < 0 ? '' : line.subarray(first + 1, second).toString('latin1');
  if (first < 0 || second < 0 || (stream !== 'stdout' && stream !== 'stderr') || (tag !== 'F' && tag !== 'P')) {
    throw new DataCorruptError(`malformed container log line: ${JSON.stringify(line.subarray(0, 80).toString('utf8'))}`);
  }
  return {
    time: line.subarray(0, first).toString('latin1'),
    stream,
    partial: tag === 'P',
    content: third < 0 ? Buffer.alloc(0) : Buffer.from(line.subarray(third + 1)),
  };
}

/**
 * The entries of a log file in order. `content` is what the process wrote, minus the
 * newline of `F` entries: append `\n` after an F entry to rebuild the stream.
 */
export async function* readLogEntries(path: string): AsyncGenerator<LogEntry> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path)) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let nl: number;
    while ((nl = pending.indexOf(0x0a)) >= 0) {
      const line = pending.subarray(0, nl);
      pending = pending.subarray(nl + 1);
      if (line.length > 0) yield parseLogLine(line);
    }
  }
  // A last line without its newline is one conmon is still writing: left for the next read.
}

/** The whole stdout and stderr a container wrote, rebuilt from its log. */
export async function readLogStreams(path: string): Promise<{ stdout: Buffer; stderr: Buffer }> {
  const parts: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  for await (const entry of readLogEntries(path)) {
    parts[entry.stream].push(entry.content);
    if (!entry.partial) parts[entry.stream].push(Buffer.from('\n'));
  }
  return { stdout: Buffer.concat(parts.stdout), stderr: Buffer.concat(parts.stderr) };
}
