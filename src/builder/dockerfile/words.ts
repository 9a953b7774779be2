import { isGoSpace } from './go-text.js';
import type { EscapeToken } from './shell-lex.js';

/**
 * Splits ENV, LABEL and ARG arguments into words on unquoted whitespace, keeping quotes
 * and escapes in the words: they are removed later, by word expansion, so that
 * `ENV a="x y"` stays one word `a="x y"` here (BuildKit's `parseWords`).
 */
export function splitQuotedWords(rest: string, escapeToken: EscapeToken): string[] {
  const chars = Array.from(rest);
  const n = chars.length;
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOK = false;
  let word = '';

  for (let pos = 0; pos <= n; pos++) {
    let ch = pos < n ? chars[pos]! : '';
    if (phase === 'spaces') {
      if (pos === n) break;
      if (isGoSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === n) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === '\'' || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === n) continue; // an escape at the very end is dropped
        // Outside quotes an escape and the character after it are both kept, even a quote.
        word += ch;
        ch = chars[++pos]!;
      }
      word += ch;
      continue;
    }
    // Inside quotes: the escape is special except inside single quotes.
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== '\'') {
      if (pos + 1 === n) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = chars[++pos]!;
    }
    word += ch;
  }
  return words;
}
