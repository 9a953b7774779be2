import { InvalidArgumentError } from '../../base/index.js';
import { goQuote } from './go-quote.js';
import { isGoDigit, isGoLetter, isGoSpace } from './go-text.js';
import type { ShellEnv } from './shell-env.js';
import { replaceAllPattern, replaceFirstPattern, trimPatternPrefix, trimPatternSuffix } from './shell-pattern.js';

/** The Dockerfile escape character, set with `# escape=`. */
export type EscapeToken = '\\' | '`';

export interface ShellLexOptions {
  /** Keep quote characters in the result (the heredoc detector uses this to see quoting). */
  readonly rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  readonly rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies are expanded this way). */
  readonly skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written (`$X`, `${X:-a}`) instead of expanding. */
  readonly skipUnsetEnv?: boolean;
}

/** The outcome of one expansion, with the variables it looked up (for lint-style warnings). */
export interface WordExpansion {
  /** The expanded word, inner spacing kept (ProcessWord). */
  readonly result: string;
  /** The expansion split into words the way the shell would (ProcessWords). */
  readonly words: readonly string[];
  /** Names that were referenced and set. */
  readonly matched: ReadonlySet<string>;
  /** Names that were referenced and unset. */
  readonly unmatched: ReadonlySet<string>;
}

/**
 * Docker's word expansion: BuildKit's shell lexer. It handles quotes, the escape token,
 * `$var`, `${var}`, the `-` `+` `?` modifiers (with and without `:`), the `#` `##` `%` `%%`
 * pattern removals and `/` `//` substitution. Unlike a real shell it never runs commands,
 * and positional and special parameters (`$1`, `$@`, `$?`…) are simply unset.
 */
export class ShellLex {
  readonly escapeToken: EscapeToken;
  readonly options: Required<ShellLexOptions>;

  constructor(escapeToken: EscapeToken = '\\', options: ShellLexOptions = {}) {
    this.escapeToken = escapeToken;
    this.options = {
      rawQuotes: options.rawQuotes ?? false,
      rawEscapes: options.rawEscapes ?? false,
      skipProcessQuotes: options.skipProcessQuotes ?? false,
      skipUnsetEnv: options.skipUnsetEnv ?? false,
    };
  }

  /** BuildKit's `ProcessWord`: expands `word` into one string. */
  processWord(word: string, env: ShellEnv): string {
    return this.processWordWithMatches(word, env).result;
  }

  /** BuildKit's `ProcessWords`: expands, then splits on unquoted whitespace. */
  processWords(word: string, env: ShellEnv): string[] {
    return [...this.processWordWithMatches(word, env).words];
  }

  /** Expands and reports which variables were used. Throws InvalidArgumentError on bad syntax. */
  processWordWithMatches(word: string, env: ShellEnv): WordExpansion {
    const processor = new WordProcessor(this, word, env);
    try {
      const { result, words } = processor.run();
      return { result, words, matched: processor.matched, unmatched: processor.unmatched };
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        throw new InvalidArgumentError(`failed to process ${goQuote(word)}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }
}

/** Collects the words of ProcessWords: unquoted whitespace from plain text or `$` splits. */
class WordCollector {
  private buffer = '';
  private inWord = false;
  private readonly words: string[] = [];

  addChar(ch: string): void {
    if (isGoSpace(ch)) {
      if (this.inWord && this.buffer.length > 0) {
        this.words.push(this.buffer);
        this.buffer = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.buffer += ch;
    this.inWord = true;
  }

  /** Adds expanded text, which is subject to word splitting. */
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  /** Adds quoted text, which is not. */
  addRawString(s: string): void {
    this.buffer += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buffer.length > 0) {
      this.words.push(this.buffer);
      this.buffer = '';
      this.inWord = false;
    }
    return this.words;
  }
}

function syntaxError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(message);
}

/** Positional parameters and these specials exist in a shell but are never set in a Dockerfile. */
function isSpecialParam(ch: string): boolean {
  return ch === '@' || ch === '*' || ch === '#' || ch === '?' || ch === '-' || ch === '$' || ch === '!' || ch === '0';
}

/** One pass over one word; a recursive-descent reader over its code points. */
class WordProcessor {
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly chars: string[];
  private pos: number;
  private rawEscapes: boolean;
  private readonly escapeToken: EscapeToken;
  private readonly options: Required<ShellLexOptions>;

  constructor(lex: ShellLex, word: string, private readonly env: ShellEnv) {
    this.escapeToken = lex.escapeToken;
    this.options = lex.options;
    this.rawEscapes = lex.options.rawEscapes;
    this.chars = Array.from(word);
    // Go's text/scanner, which BuildKit reads words with, drops a leading byte-order mark.
    this.pos = this.chars[0] === '\uFEFF' ? 1 : 0;
  }

  run(): { result: string; words: string[] } {
    return this.processStopOn(undefined, this.options.rawEscapes);
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    const ch = this.chars[this.pos];
    if (ch !== undefined) this.pos++;
    return ch;
  }

  private specialHandler(ch: string): (() => string) | undefined {
    switch (ch) {
      case '$': return () => this.processDollar();
      case '<': return () => this.processPossibleHeredoc();
      case '\'': return this.options.skipProcessQuotes ? undefined : () => this.processSingleQuote();
      case '"': return this.options.skipProcessQuotes ? undefined : () => this.processDoubleQuote();
      default: return undefined;
    }
  }

  /** Reads until `stopChar` (consumed) or the end of input when it is undefined. */
  private processStopOn(stopChar: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new WordCollector();
      for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
        if (stopChar !== undefined && ch === stopChar) {
          this.next();
          return { result, words: words.finish() };
        }
        const handler = this.specialHandler(ch);
        if (handler) {
          const expanded = handler();
          result += expanded;
          // Only a variable's value is split into words; quoted text stays one piece.
          if (ch === '$') words.addString(expanded);
          else words.addRawString(expanded);
          continue;
        }
        let c = this.next()!;
        if (c === this.escapeToken) {
          if (this.rawEscapes) {
            words.addRawChar(c);
            result += c;
          }
          const escaped = this.next();
          if (escaped === undefined) break; // an escape at the very end is dropped
          c = escaped;
          words.addRawChar(c);
        } else {
          words.addChar(c);
        }
        result += c;
      }
      if (stopChar !== undefined) {
        throw syntaxError(`unexpected end of statement while looking for matching ${stopChar}`);
      }
      return { result, words: words.finish() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  /** Everything up to the next `'` is literal; a single quote cannot be escaped inside. */
  private processSingleQuote(): string {
    let result = '';
    const open = this.next()!;
    if (this.options.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw syntaxError('unexpected end of statement while looking for matching single-quote');
      if (ch === '\'') {
        if (this.options.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  /** Literal except `$` expansions; the escape token only escapes `"`, `$` and itself. */
  private processDoubleQuote(): string {
    let result = '';
    const open = this.next()!;
    if (this.options.rawQuotes) result += open;
    for (;;) {
      const peeked = this.peek();
      if (peeked === undefined) throw syntaxError('unexpected end of statement while looking for matching double-quote');
      if (peeked === '"') {
        const close = this.next()!;
        if (this.options.rawQuotes) result += close;
        return result;
      }
      if (peeked === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.next()!;
      if (ch === this.escapeToken) {
        if (this.rawEscapes) result += ch;
        const following = this.peek();
        if (following === undefined) continue; // reported as an unterminated quote next round
        if (following === '"' || following === '$' || following === this.escapeToken) ch = this.next()!;
      }
      result += ch;
    }
  }

  private processDollar(): string {
    this.next(); // the '$'
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.options.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    this.next(); // the '{'
    const first = this.peek();
    if (first === undefined) throw syntaxError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw syntaxError('syntax error: bad substitution');

    const name = this.processName();
    let ch = this.next();
    // Go prints the end of input as the replacement character.
    let modifier = ch ?? '\uFFFD';
    if (ch === '}') {
      const value = this.getEnv(name);
      if (value === undefined && this.options.skipUnsetEnv) return '${' + name + '}';
      return value ?? '';
    }
    if (ch === '/') return this.processSubstitution(name);

    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      modifier += ch ?? '\uFFFD';
    } else if (ch !== '+' && ch !== '-' && ch !== '?' && ch !== '#' && ch !== '%') {
      throw syntaxError(`unsupported modifier (${modifier}) in substitution`);
    }

    // Patterns keep their escapes so that `\*` still means a literal star.
    const isPattern = ch === '#' || ch === '%';
    if (nullIsUnset && isPattern) throw syntaxError(`unsupported modifier (${modifier}) in substitution`);
    let word = this.readUntil('}', isPattern, "syntax error: missing '}'");

    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return '${' + name + modifier + word + '}';
    const unsetOrNull = value === undefined || (nullIsUnset && value === '');

    switch (ch) {
      case '-':
        return unsetOrNull ? word : value!;
      case '+':
        return unsetOrNull ? '' : word;
      case '?':
        if (value === undefined) throw syntaxError(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw syntaxError(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        return value;
      case '%':
      case '#': {
        // A doubled operator (%% or ##) removes the longest match instead of the shortest.
        let greedy = false;
        if (word.startsWith(ch)) {
          greedy = true;
          word = word.slice(1);
        }
        return ch === '%' ? trimPatternSuffix(word, value ?? '', greedy) : trimPatternPrefix(word, value ?? '', greedy);
      }
      default:
        throw syntaxError(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`; the first `/` is read. */
  private processSubstitution(name: string): string {
    const replaceAll = this.peek() === '/';
    if (replaceAll) this.next();
    const pattern = this.readUntil('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.readUntil('}', true, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return '${' + name + '/' + pattern + '/' + replacement + '}';
    return replaceAll
      ? replaceAllPattern(pattern, value ?? '', replacement)
      : replaceFirstPattern(pattern, value ?? '', replacement);
  }

  /** A nested word up to `stop`; running out of input is reported as `missingMessage`. */
  private readUntil(stop: string, rawEscapes: boolean, missingMessage: string): string {
    try {
      return this.processStopOn(stop, rawEscapes).result;
    } catch (err) {
      if (err instanceof InvalidArgumentError && this.peek() === undefined) throw syntaxError(missingMessage);
      throw err;
    }
  }

  /** A variable name: letters, digits and `_`; or a run of digits; or one special parameter. */
  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && isGoDigit(ch)) {
        while (this.peek() !== undefined && isGoDigit(this.peek()!)) name += this.next()!;
        return name;
      }
      if (name === '' && isSpecialParam(ch)) {
        this.next();
        return ch;
      }
      if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== '_') break;
      name += this.next()!;
    }
    return name;
  }

  /** `<<` (with any blanks after it) is kept together so heredoc words survive splitting. */
  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let space = '';
    for (let ch = this.peek(); ch === '\t' || ch === '\r' || ch === ' '; ch = this.peek()) {
      space += this.next()!;
    }
    return '<<' + space;
  }

  private getEnv(name: string): string | undefined {
    const value = this.env.get(name);
    if (value === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return value;
  }
}
