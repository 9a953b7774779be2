/**
 * Character classes and string helpers with Go's semantics.
 *
 * BuildKit's parser is written in Go, and its observable behaviour depends on Go's
 * definitions (`unicode.IsSpace`, `strings.TrimSpace`, RE2's `\s`), which differ from
 * JavaScript's `\s` and `String.prototype.trim` (JS counts U+FEFF as space and not
 * U+0085, for instance). Every place that must behave like BuildKit uses these.
 */

/** Go's `unicode.IsSpace`: Latin-1 spaces plus the Unicode White_Space property. */
export function isGoSpace(ch: string): boolean {
  switch (ch) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case '\u0085': case '\u00a0': case '\u1680':
    case '\u2028': case '\u2029': case '\u202f': case '\u205f': case '\u3000':
      return true;
    default:
      return ch >= '\u2000' && ch <= '\u200a' && ch.length === 1;
  }
}

/** The whitespace of BuildKit's `reWhitespace` (`[\t\v\f\r ]+`): ASCII only, no newline. */
export function isAsciiBlank(ch: string): boolean {
  return ch === '\t' || ch === '\v' || ch === '\f' || ch === '\r' || ch === ' ';
}

/** Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function goTrimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s[i]!)) i++;
  return s.slice(i);
}

/** Go's `strings.TrimRightFunc(s, unicode.IsSpace)`. */
export function goTrimRightSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/** Go's `strings.TrimSpace`. */
export function goTrimSpace(s: string): string {
  return goTrimRightSpace(goTrimLeftSpace(s));
}

/** Splits on runs of `[\t\v\f\r ]` like Go's `regexp.Split(s, n)` with BuildKit's `reWhitespace`. */
export function splitOnAsciiBlanks(s: string, limit = -1): string[] {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < s.length) {
    if (limit > 0 && parts.length === limit - 1) break;
    if (isAsciiBlank(s[i]!)) {
      let end = i;
      while (end < s.length && isAsciiBlank(s[end]!)) end++;
      parts.push(s.slice(start, i));
      start = end;
      i = end;
    } else {
      i++;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

const LETTER = /^\p{L}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** Go's `unicode.IsLetter` for one code point. */
export function isGoLetter(ch: string): boolean {
  return LETTER.test(ch);
}

/** Go's `unicode.IsDigit` (category Nd) for one code point. */
export function isGoDigit(ch: string): boolean {
  return DECIMAL_DIGIT.test(ch);
}

/** Number of bytes `s` takes in UTF-8; Go measures lines and offsets in bytes. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

/** Orders strings as Go's byte-wise comparison does (code point order, not UTF-16 order). */
export function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) {
    const x = left[i]!.codePointAt(0)!;
    const y = right[i]!.codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return left.length - right.length;
}
