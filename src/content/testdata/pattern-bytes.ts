/**
 * Deterministic test content, the same in a test and in the child process it kills, so the
 * test knows what the whole blob would have been.
 */
export function patternBytes(size: number, seed = 7): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
