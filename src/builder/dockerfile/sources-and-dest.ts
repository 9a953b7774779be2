import { InvalidArgumentError } from '../../base/index.js';
import { chompHeredocContent, type Heredoc, tryParseHeredocWord } from './heredoc.js';
import type { SourceContent } from './instructions.js';

export interface SourcesAndDestination {
  readonly sources: string[];
  readonly contents: SourceContent[];
  readonly dest: string;
}

/**
 * Splits COPY/ADD arguments into sources and destination; `<<NAME` sources become inline
 * contents taken from the heredoc bodies read after the line. The caller has checked
 * that there are at least two arguments.
 */
export function splitSourcesAndDest(args: readonly string[], heredocs: readonly Heredoc[], keyword: 'ADD' | 'COPY'): SourcesAndDestination {
  const dest = args[args.length - 1]!;
  if (tryParseHeredocWord(dest)) throw new InvalidArgumentError(`${keyword} cannot accept a heredoc as a destination`);

  const bodies = new Map<string, Heredoc>();
  for (const heredoc of heredocs) bodies.set(heredoc.name, heredoc);

  const sources: string[] = [];
  const contents: SourceContent[] = [];
  for (const source of args.slice(0, -1)) {
    const spec = tryParseHeredocWord(source);
    if (!spec) {
      sources.push(source);
      continue;
    }
    const content = bodies.get(spec.name)?.content ?? '';
    contents.push({
      path: spec.name,
      data: spec.chomp ? chompHeredocContent(content) : content,
      expand: spec.expand,
    });
  }
  return { sources, contents, dest };
}
