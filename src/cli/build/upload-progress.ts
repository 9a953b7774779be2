import { Transform, type TransformCallback } from 'node:stream';
import { humanSize } from '../format/units.js';

const UPDATE_EVERY = 512 * 1024;
const MIN_INTERVAL_MS = 100;

/**
 * Counts the bytes of the build context on their way to the daemon and reports them as the
 * docker CLI does (moby's progress.Reader through the raw stream formatter):
 * `Sending build context to Docker daemon  2.048kB`. The last report, when the context has
 * been read to its end, ends with `\r\r\n`; on a terminal the reports before it (every
 * 512kB, at most every 100ms) end with `\r` and overwrite each other, elsewhere only the last
 * one is printed.
 */
export class UploadProgress extends Transform {
  private current = 0;
  private lastUpdate = 0;
  private lastShownAt = 0;

  constructor(private readonly report: (text: string) => void, private readonly terminal: boolean, private readonly action = 'Sending build context to Docker daemon') {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.current += chunk.length;
    if (this.terminal && this.current - this.lastUpdate > UPDATE_EVERY) {
      this.lastUpdate = this.current;
      const now = Date.now();
      if (now - this.lastShownAt >= MIN_INTERVAL_MS) {
        this.lastShownAt = now;
        this.report(`${this.line()}\r`);
      }
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    // An empty progress string ends its line itself (`\r\n`), then the closing status line.
    this.report(`${this.line()}${this.current > 0 ? '\r' : '\r\n'}\r\n`);
    done();
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.current;
  }

  private line(): string {
    // JSONProgress.String without a total: the size right-aligned in 8 columns (%8v).
    const size = this.current > 0 ? humanSize(this.current).padStart(8) : '';
    return `${this.action} ${size}`;
  }
}
