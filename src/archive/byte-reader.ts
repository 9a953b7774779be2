import { DataCorruptError } from '../base/index.js';

/**
 * Pull-based reading of a byte stream in exact amounts, so a tar parser can ask for "the next
 * 512 bytes" or "the next n bytes of content" and backpressure comes for free: nothing is read
 * from the source before it is asked for.
 */
export class ByteReader {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  /** Bytes handed out or skipped so far: the archive offset of the next read. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Exactly `n` bytes, or null when the source ended cleanly before the first of them. */
  async readExactly(n: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const chunk = await this.take(n - have);
      if (!chunk) {
        if (have === 0) return null;
        throw new DataCorruptError(`tar archive truncated at byte ${this.offset}`);
      }
      parts.push(chunk);
      have += chunk.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  /** Up to `max` bytes (at least one), or null at the end of the source. */
  async take(max: number): Promise<Buffer | null> {
    if (this.pending.length === 0) {
      if (this.ended) return null;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return null;
      }
      this.pending = next.value;
      if (this.pending.length === 0) return this.take(max);
    }
    const chunk = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(chunk.length);
    this.offset += chunk.length;
    return chunk;
  }

  /** Discards up to `n` bytes; returns how many there were before the input ended. */
  async skipAtMost(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const chunk = await this.take(left);
      if (!chunk) break;
      left -= chunk.length;
    }
    return n - left;
  }

  /** Discards exactly `n` bytes; the archive must have them. */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const chunk = await this.take(left);
      if (!chunk) throw new DataCorruptError(`tar archive truncated at byte ${this.offset}`);
      left -= chunk.length;
    }
  }
}
