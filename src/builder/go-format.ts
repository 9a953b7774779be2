import { goQuote, goQuoteList } from './dockerfile/go-quote.js';

/**
 * The few pieces of Go's fmt that Docker's classic builder prints into history entries
 * (`created_by`): they are part of the image config, so they are reproduced exactly.
 */

export { goQuote, goQuoteList };

/** `fmt.Sprintf("%v", []string{...})`: `[a b]`. */
export function goPlainList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** `fmt.Sprintf("%q", n)` for an integer: Go quotes it as a rune literal (`'\x00'`, `'A'`). */
export function goQuoteRune(n: number): string {
  if (n === 0x27) return "'\\''";
  if (n === 0x5c) return "'\\\\'";
  if (n >= 0x20 && n < 0x7f) return `'${String.fromCodePoint(n)}'`;
  const quoted = goQuote(String.fromCodePoint(n));
  return `'${quoted.slice(1, -1)}'`;
}

/** Go's `time.Duration.String()` of a nanosecond count: `0s`, `1.5s`, `2h45m0s`, `300ms`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const negative = ns < 0;
  let u = Math.abs(Math.trunc(ns));
  let out: string;
  if (u < 1e9) {
    // Below one second Go picks the largest unit that keeps an integer part.
    const [unit, scale] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = formatFraction(u, scale) + unit;
  } else {
    const hours = Math.floor(u / 3600e9);
    u -= hours * 3600e9;
    const minutes = Math.floor(u / 60e9);
    u -= minutes * 60e9;
    out = formatFraction(u, 1e9) + 's';
    if (hours > 0 || minutes > 0) out = `${minutes}m` + out;
    if (hours > 0) out = `${hours}h` + out;
  }
  return negative ? `-${out}` : out;
}

/** `value / scale` with the fraction's trailing zeros dropped, as Go prints durations. */
function formatFraction(value: number, scale: number): string {
  const whole = Math.floor(value / scale);
  const rest = value - whole * scale;
  if (rest === 0) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
