import { InvalidArgumentError } from '../base/index.js';
import type { Reference } from './reference.js';

const BAD_PATTERN = 'syntax error in pattern';
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;

function escapeForRegex(char: string): string {
  return char.replace(REGEX_SPECIAL, '\\$&');
}

/** One character of a class, honouring `\` escapes; Go refuses an unescaped `-` or `]` here. */
function classChar(pattern: string, at: number): { char: string; next: number } {
  let i = at;
  if (pattern[i] === '-' || pattern[i] === ']') throw new InvalidArgumentError(BAD_PATTERN);
  if (pattern[i] === '\\') i++;
  const char = pattern[i];
  if (char === undefined) throw new InvalidArgumentError(BAD_PATTERN);
  return { char, next: i + 1 };
}

/** Translates a `[...]` class starting at `at` (just past `[`); returns the regex source. */
function translateClass(pattern: string, at: number): { source: string; next: number } {
  let i = at;
  const negated = pattern[i] === '^';
  if (negated) i++;
  let body = '';
  let ranges = 0;
  for (;;) {
    if (i >= pattern.length) throw new InvalidArgumentError(BAD_PATTERN);
    if (pattern[i] === ']' && ranges > 0) {
      i++;
      break;
    }
    const lo = classChar(pattern, i);
    i = lo.next;
    let hi = lo;
    if (pattern[i] === '-') {
      hi = classChar(pattern, i + 1);
      i = hi.next;
    }
    ranges++;
    // Go treats an inverted range as matching nothing; a JS class would throw.
    if (lo.char <= hi.char) body += lo.char === hi.char ? escapeForRegex(lo.char) : `${escapeForRegex(lo.char)}-${escapeForRegex(hi.char)}`;
  }
  if (body === '') return { source: negated ? '[\\s\\S]' : '(?!)', next: i };
  return { source: `[${negated ? '^' : ''}${body}]`, next: i };
}

/**
 * Compiles a shell pattern with Go's `path.Match` rules: `*` is any run of non-`/`
 * characters, `?` one non-`/` character, `[...]`/`[^...]` a class, `\` escapes. A malformed
 * pattern throws InvalidArgumentError("syntax error in pattern"), even if it would not match.
 */
export function compilePathPattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i]!;
    if (char === '*') {
      source += '[^/]*';
      i++;
    } else if (char === '?') {
      source += '[^/]';
      i++;
    } else if (char === '[') {
      const cls = translateClass(pattern, i + 1);
      source += cls.source;
      i = cls.next;
    } else if (char === '\\') {
      const escaped = pattern[i + 1];
      if (escaped === undefined) throw new InvalidArgumentError(BAD_PATTERN);
      source += escapeForRegex(escaped);
      i += 2;
    } else {
      source += escapeForRegex(char);
      i++;
    }
  }
  return new RegExp(`^${source}$`);
}

/** Go's path.Match. */
export function pathMatch(pattern: string, name: string): boolean {
  return compilePathPattern(pattern).test(name);
}

/**
 * Whether a reference matches a pattern in its familiar form, as `docker images
 * --filter reference=…` and `docker images busybox` use it: tried against the familiar
 * string (`busybox:latest`), then the familiar name (`busybox`).
 */
export function familiarMatch(pattern: string, ref: Reference): boolean {
  const re = compilePathPattern(pattern);
  return re.test(ref.familiarString()) || re.test(ref.familiarName());
}
