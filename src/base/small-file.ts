import { closeSync, constants, openSync, readSync } from 'node:fs';

/**
 * Files up to this size are read (and, into memory, written) with one synchronous call:
 * microseconds from the page cache or a tmpfs, where a stream or a thread-pool round trip per
 * call costs far more, and a context, a COPY or a layer has thousands of them.
 */
export const SMALL_FILE = 64 * 1024;

/**
 * The content of a small regular file whose lstat said `size`, read without following a
 * symlink put in its place; at most `size` bytes, fewer if it shrank meanwhile.
 */
export function readSmallFile(source: string, size: number): Buffer {
  const fd = openSync(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) break; // grew: the copy takes what the stat promised
    }
    return buffer.subarray(0, Math.min(length, size));
  } finally {
    closeSync(fd);
  }
}
