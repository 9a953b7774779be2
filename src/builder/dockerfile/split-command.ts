import { goTrimSpace, isGoSpace, splitOnAsciiBlanks } from './go-text.js';
import type { EscapeToken } from './shell-lex.js';

/** A logical line cut into its keyword, its `--flags` and the rest. */
export interface SplitCommand {
  /** The instruction keyword as written (case kept). */
  readonly keyword: string;
  /** Leading `--name[=value]` words, quotes and escapes removed. */
  readonly flags: string[];
  /** The arguments after the flags, trimmed. */
  readonly rest: string;
}

/** BuildKit's `splitCommand`: the same result whatever the leading or trailing blanks. */
export function splitCommand(line: string, escapeToken: EscapeToken): SplitCommand {
  const [keyword, afterKeyword] = splitOnAsciiBlanks(goTrimSpace(line), 2);
  if (afterKeyword === undefined) return { keyword: keyword!, flags: [], rest: '' };
  const { flags, rest } = extractBuilderFlags(afterKeyword, escapeToken);
  return { keyword: keyword!, flags, rest: goTrimSpace(rest) };
}

/**
 * Takes the leading words that start with `--` off an argument string. A flag word may
 * contain quotes (removed) and escapes (the next character taken literally); a bare `--`
 * ends the flags and is dropped. The first word not starting with `--` begins the rest.
 *
 * BuildKit walks bytes here and so mangles non-ASCII flag values (each byte becomes a
 * Latin-1 character); this walks characters and keeps them intact.
 */
export function extractBuilderFlags(line: string, escapeToken: EscapeToken): { flags: string[]; rest: string } {
  const chars = Array.from(line);
  const n = chars.length;
  const flags: string[] = [];
  const restFrom = (pos: number) => ({ flags, rest: chars.slice(pos).join('') });
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;

  for (let pos = 0; pos <= n; pos++) {
    const ch = pos < n ? chars[pos]! : '';
    if (phase === 'spaces') {
      if (pos === n) break;
      if (isGoSpace(ch)) continue;
      if (ch !== '-' || pos + 1 === n || chars[pos + 1] !== '-') return restFrom(pos);
      phase = 'word';
    }
    if (pos === n) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return restFrom(pos);
        if (blankOK || word.length > 0) flags.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === '\'' || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      let c = ch;
      if (c === escapeToken) {
        if (pos + 1 === n) continue; // an escape at the very end is dropped
        c = chars[++pos]!;
      }
      word += c;
      continue;
    }
    // Inside quotes.
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    let c = ch;
    if (c === escapeToken) {
      if (pos + 1 === n) {
        phase = 'word';
        continue;
      }
      c = chars[++pos]!;
    }
    word += c;
  }
  return { flags, rest: '' };
}
