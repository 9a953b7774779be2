import { InvalidArgumentError } from '../../base/index.js';

/**
 * The shell patterns of `${var#pat}`, `${var%pat}` and `${var/pat/repl}` as BuildKit
 * implements them: `*` and `?` wildcards, backslash escapes, no bracket expressions. They
 * are compiled to regular expressions with Go's semantics (`.` stops at `\n` only, and
 * global replacement skips an empty match right after a previous match).
 */

/** Go's `.`: any character but a newline (JS's `.` also stops at \r, U+2028 and U+2029). */
const ANY_CHAR = '[^\\n]';
const REGEX_SPECIALS = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

/**
 * Compiles a shell pattern. `greedy` picks `*` as longest (`##`, `%%`, `/`) or shortest
 * (`#`, `%`) match; `anchored` ties the match to the start of the value.
 */
export function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  // Go's text/scanner skips a byte-order mark at the very start of its input.
  let i = chars[0] === '\uFEFF' ? 1 : 0;
  let out = anchored ? '^' : '';
  const star = greedy ? `${ANY_CHAR}*` : `${ANY_CHAR}*?`;
  while (i < chars.length) {
    const tok = chars[i++]!;
    if (tok === '*') {
      out += star;
    } else if (tok === '?') {
      out += ANY_CHAR;
    } else if (tok === '\\') {
      // `\}` and `\/` only protect the character from ending the ${...}; the escape is
      // not part of the pattern, and the character is handled on the next round.
      const next = chars[i];
      if (next === '}' || next === '/') continue;
      i++;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new InvalidArgumentError(`invalid escape '\\${next ?? '\uFFFD'}'`);
      }
      out += '\\' + next;
    } else if (REGEX_SPECIALS.has(tok)) {
      out += '\\' + tok;
    } else {
      out += tok;
    }
  }
  return new RegExp(out, 'u');
}

function compile(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  try {
    return shellPatternToRegex(pattern, greedy, anchored);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidArgumentError(`invalid pattern (${pattern}) in substitution: ${reason}`);
  }
}

/** `${var#pattern}` / `${var##pattern}`: removes the shortest/longest matching prefix. */
export function trimPatternPrefix(pattern: string, value: string, greedy: boolean): string {
  const match = compile(pattern, greedy, true).exec(value);
  return match ? value.slice(match.index + match[0].length) : value;
}

/** Reverses a pattern, keeping each escape before the character it escapes (`a\*c` → `c\*a`). */
export function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last;) {
    const tok = chars[i]!;
    const outIdx = last - i;
    if (tok === '\\' && i !== last) {
      out[outIdx - 1] = tok;
      out[outIdx] = chars[i + 1]!;
      i += 2;
    } else {
      out[outIdx] = tok;
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

/**
 * `${var%pattern}` / `${var%%pattern}`: removes the shortest/longest matching suffix. A
 * regular expression cannot find the shortest rightmost match, so both the pattern and the
 * value are reversed and the prefix rule applied (BuildKit does the same).
 */
export function trimPatternSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseString(trimPatternPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/** `${var/pattern/replacement}`: the first match replaced, the replacement taken literally. */
export function replaceFirstPattern(pattern: string, value: string, replacement: string): string {
  const match = compile(pattern, true, false).exec(value);
  if (!match) return value;
  return value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
}

/**
 * `${var//pattern/replacement}`: every match replaced, with Go's `Regexp.ReplaceAllString`
 * rules: `$0`/`${0}` in the replacement is the match, `$$` a dollar, other `$name`s empty,
 * and an empty match right after a previous match is not replaced.
 */
export function replaceAllPattern(pattern: string, value: string, replacement: string): string {
  const re = new RegExp(compile(pattern, true, false).source, 'gu');
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= value.length) {
    re.lastIndex = searchPos;
    const match = re.exec(value);
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    out += value.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expandGoTemplate(replacement, match[0]);
    lastMatchEnd = end;
    // Always advance by at least one character, as Go does.
    const width = searchPos < value.length ? String.fromCodePoint(value.codePointAt(searchPos)!).length : 0;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + value.slice(lastMatchEnd);
}

const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;

/** Go's `Regexp.Expand` for a pattern without capture groups. */
function expandGoTemplate(template: string, matched: string): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = extractTemplateName(rest);
    if (!ref) {
      out += '$';
      continue;
    }
    rest = ref.rest;
    // Only group 0 (the whole match) exists; a leading zero makes it a (missing) name.
    if (/^[0-9]+$/.test(ref.name) && !(ref.name.length > 1 && ref.name.startsWith('0')) && Number(ref.name) === 0) {
      out += matched;
    }
  }
  return out + rest;
}

function extractTemplateName(s: string): { name: string; rest: string } | undefined {
  const chars = Array.from(s);
  let i = 0;
  const brace = chars[0] === '{';
  if (brace) i++;
  const start = i;
  while (i < chars.length && NAME_CHAR.test(chars[i]!)) i++;
  if (i === start) return undefined;
  const name = chars.slice(start, i).join('');
  if (brace) {
    if (chars[i] !== '}') return undefined;
    i++;
  }
  return { name, rest: chars.slice(i).join('') };
}
