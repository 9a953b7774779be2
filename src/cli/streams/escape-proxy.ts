/**
 * The detach sequence on a TTY's input (moby/term's EscapeProxy and ToBytes): typing it
 * (default ctrl-p ctrl-q) ends the input with a detach instead of passing the keys on. A
 * partial sequence is held back until the next key shows whether it completes.
 */
export const DEFAULT_DETACH_KEYS = [16, 17];

const ASCII = ['ctrl-@', ...Array.from({ length: 26 }, (_x, i) => `ctrl-${String.fromCharCode(97 + i)}`), 'ctrl-[', 'ctrl-\\', 'ctrl-]', 'ctrl-^', 'ctrl-_'];

/** term.ToBytes: `ctrl-p,ctrl-q`, `a,b`, `DEL`… to bytes; throws on a key it does not know. */
export function detachKeyBytes(keys: string): number[] {
  const out: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const code = ASCII.indexOf(key);
    if (code >= 0) out.push(code);
    else if (key === 'DEL') out.push(127);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return out;
}

export class EscapeProxy {
  private matched = 0;

  constructor(private readonly sequence: number[] = DEFAULT_DETACH_KEYS) {}

  /** Passes `chunk` through; `detached` is true when the sequence was completed in it. */
  filter(chunk: Buffer): { data: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.sequence[this.matched]) {
        this.matched++;
        if (this.matched === this.sequence.length) {
          this.matched = 0;
          return { data: Buffer.from(out), detached: true };
        }
        continue;
      }
      if (this.matched > 0) out.push(...this.sequence.slice(0, this.matched));
      this.matched = 0;
      if (byte === this.sequence[0]) this.matched = 1;
      else out.push(byte);
    }
    return { data: Buffer.from(out), detached: false };
  }
}
