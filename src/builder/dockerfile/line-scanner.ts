import { utf8Length } from './go-text.js';

/** BuildKit reads lines with Go's bufio.Scanner, whose buffer caps a line at 64 KiB. */
export const MAX_LINE_BYTES = 65535;

/**
 * Hands out the physical lines of a Dockerfile, each with its `\n` (a `\r` before it stays
 * and is trimmed later, so CRLF files work). A line longer than BuildKit accepts ends the
 * input, and `error` then says why; the parser reports it once everything before it has
 * been handled, as BuildKit does.
 */
export class LineScanner {
  private pos = 0;
  private tooLong = false;

  constructor(private readonly text: string) {}

  /** The next line, or undefined at the end of the input or at an over-long line. */
  next(): string | undefined {
    if (this.tooLong || this.pos >= this.text.length) return undefined;
    const newline = this.text.indexOf('\n', this.pos);
    const end = newline < 0 ? this.text.length : newline + 1;
    const line = this.text.slice(this.pos, end);
    const contentLength = newline < 0 ? line.length : line.length - 1;
    // A UTF-16 unit is at most 3 UTF-8 bytes, so short lines need no byte count.
    if (contentLength * 3 > MAX_LINE_BYTES && utf8Length(line.slice(0, contentLength)) > MAX_LINE_BYTES) {
      this.tooLong = true;
      return undefined;
    }
    this.pos = end;
    return line;
  }

  /** Why reading stopped early, if it did. */
  get error(): string | undefined {
    return this.tooLong ? `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}` : undefined;
  }
}
