import type { EscapeToken } from './shell-lex.js';

/** A line with its continuation mark removed, and whether the instruction goes on. */
export interface ContinuationResult {
  readonly text: string;
  readonly continues: boolean;
}

/**
 * Builds the line-continuation rule for an escape token. The token continues the line when
 * it is the last non-blank character (spaces and tabs may follow it) and is not itself
 * escaped by a token before it; a token alone on a line also continues. Like BuildKit, an
 * escaped token before the mark (`foo \\\`) is not recognised, since that needs look-behind
 * BuildKit's regular expression cannot express.
 */
export function continuationTrimmer(escapeToken: EscapeToken): (line: string) => ContinuationResult {
  const e = escapeToken === '\\' ? '\\\\' : '`';
  const mark = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`, 'u');
  return (line) => {
    if (!mark.test(line)) return { text: line, continues: false };
    return { text: line.replace(mark, '$1'), continues: true };
  };
}
