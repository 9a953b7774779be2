import { InvalidArgumentError } from '../../base/index.js';
import { goTrimLeftSpace } from './go-text.js';
import type { EscapeToken } from './shell-lex.js';

/** The parser directives Docker knows. Others make the line an ordinary comment. */
export type DirectiveName = 'syntax' | 'escape' | 'check';

/** A `# name=value` line at the top of a Dockerfile. */
export interface ParserDirective {
  /** Lower-cased: directive names are case-insensitive. */
  readonly name: DirectiveName;
  readonly value: string;
  /** 1-based line of the directive. */
  readonly line: number;
}

const KNOWN_DIRECTIVES: ReadonlySet<string> = new Set<DirectiveName>(['syntax', 'escape', 'check']);

/** `name = value` after the comment mark; RE2's `\s` is `[\t\n\f\r ]` and `.` stops at `\n`. */
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/u;

/**
 * Recognises parser directives with Docker's rules: they must come first, each line must
 * look like `# name=value` with a known name, and the first line that is not one (an
 * instruction, a blank line, any other comment) ends the directive section for good. A
 * directive may appear only once.
 */
export class DirectiveParser {
  private done = false;
  private readonly seen = new Set<string>();

  /**
   * Looks at one line (already stripped of its line ending and leading blanks). Returns
   * the directive it holds, if any; throws InvalidArgumentError for a repeated directive.
   */
  parseLine(line: string, lineNumber: number): ParserDirective | undefined {
    if (this.done) return undefined;
    if (!line.startsWith('#')) {
      this.done = true;
      return undefined;
    }
    const match = DIRECTIVE.exec(goTrimLeftSpace(line.slice(1)));
    if (!match) {
      this.done = true;
      return undefined;
    }
    const name = match[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(name)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) throw new InvalidArgumentError(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    return { name: name as DirectiveName, value: match[2]!, line: lineNumber };
  }
}

/** Validates an `# escape=` value: only backslash and backtick are allowed. */
export function toEscapeToken(value: string): EscapeToken {
  if (value !== '`' && value !== '\\') {
    throw new InvalidArgumentError(`invalid escape token '${value}' does not match \` or \\`);
  }
  return value;
}
