import { InvalidArgumentError } from '../../base/index.js';
import { EMPTY_ENV } from './shell-env.js';
import { ShellLex } from './shell-lex.js';

/** One here-document attached to an instruction (`RUN <<EOF`, `COPY <<-"EOF" /dest`). */
export interface Heredoc {
  /** The delimiter word with its quotes removed, e.g. `EOF`. */
  readonly name: string;
  /** `3<<EOF` gives 3; 0 when no descriptor is written. */
  readonly fileDescriptor: number;
  /** False when any part of the delimiter was quoted: the body is then taken literally. */
  readonly expand: boolean;
  /** `<<-`: leading tabs are stripped from the body lines (and from the delimiter line). */
  readonly chomp: boolean;
  /** The body exactly as read, line endings included, tabs not yet stripped. */
  readonly content: string;
}

/** The delimiter part of a heredoc, before its body is read. */
export type HeredocSpec = Omit<Heredoc, 'content'>;

/** `[n]<<[-][blanks]word`; Go's `\s` is `[\t\n\f\r ]`. */
const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/u;

const plainLex = new ShellLex('\\', { skipUnsetEnv: true });
const quoteKeepingLex = new ShellLex('\\', { skipUnsetEnv: true, rawQuotes: true });
/** Splits a whole instruction line into words with quotes and escapes kept. */
const lineLex = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });

function countQuotes(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\'' || ch === '"') n++;
  return n;
}

/**
 * Recognises one word as a heredoc opener (BuildKit's `ParseHeredoc`). Returns undefined
 * for words that are not heredocs; throws InvalidArgumentError for a malformed delimiter
 * such as `<<'EOF`. The escape character is always backslash here, whatever `# escape=`
 * says, as in BuildKit.
 */
export function parseHeredocWord(word: string): HeredocSpec | undefined {
  const match = HEREDOC_WORD.exec(word);
  if (!match) return undefined;
  const rest = match[3]!;
  if (rest === '') return undefined;

  const words = plainLex.processWords(rest, EMPTY_ENV);
  if (words.length !== 1) return undefined;
  const rawWords = quoteKeepingLex.processWords(rest, EMPTY_ENV);
  if (rawWords.length !== 1) {
    throw new InvalidArgumentError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const name = words[0]!;
  // Lexing with and without quote removal: if the counts differ, part of the word was quoted.
  const expand = countQuotes(name) === countQuotes(rawWords[0]!);
  return {
    name,
    fileDescriptor: match[1] === '' ? 0 : Number(match[1]),
    expand,
    chomp: match[2] === '-',
  };
}

/** Like parseHeredocWord, but a malformed delimiter is simply "not a heredoc". */
export function tryParseHeredocWord(word: string): HeredocSpec | undefined {
  try {
    return parseHeredocWord(word);
  } catch {
    return undefined;
  }
}

/**
 * The heredocs an instruction line opens, in order. A line that does not lex (an
 * unbalanced quote) opens none, as in BuildKit.
 */
export function heredocsFromLine(line: string): HeredocSpec[] {
  let words: string[];
  try {
    words = lineLex.processWords(line, EMPTY_ENV);
  } catch {
    return [];
  }
  const specs: HeredocSpec[] = [];
  for (const word of words) {
    const spec = parseHeredocWord(word);
    if (spec) specs.push(spec);
  }
  return specs;
}

/** `<<-` bodies lose the leading tabs of every line (only tabs, as in the shell). */
export function chompHeredocContent(content: string): string {
  return content.split('\n').map((line) => line.replace(/^\t+/, '')).join('\n');
}
