import { Writable } from 'node:stream';

/**
 * Splits Docker's multiplexed stream (8-byte headers: stream id, 3 zero bytes, big-endian
 * length) back into stdout and stderr, for attach, exec and logs without a TTY.
 */
export class FrameDemuxer extends Writable {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly sinks: { stdout: (b: Buffer) => void; stderr: (b: Buffer) => void; stdin?: (b: Buffer) => void }) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const stream = this.pending[0]!;
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      const payload = this.pending.subarray(8, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      if (stream === 1) this.sinks.stdout(payload);
      else if (stream === 2) this.sinks.stderr(payload);
      else if (stream === 0) this.sinks.stdin?.(payload);
      else return done(new Error(`unrecognized stream id ${stream} in multiplexed stream`));
    }
    done();
  }

  /** Bytes received that do not yet make a whole frame. */
  get buffered(): number {
    return this.pending.length;
  }
}
