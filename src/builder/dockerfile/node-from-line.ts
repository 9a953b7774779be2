import type { DockerfileNode } from './ast.js';
import {
  type LineArguments,
  parseBlankSeparated,
  splitHealthcheckArguments,
  parseMaybeJson,
  parseMaybeJsonToList,
  parseNameValues,
  parseNamesOrNameValues,
  parseWholeString,
} from './line-parsers.js';
import type { EscapeToken } from './shell-lex.js';
import { splitCommand } from './split-command.js';

/** Where a node sits in the file; the parser fills in heredocs and lines after reading them. */
export interface NodePlacement {
  readonly startLine: number;
  readonly endLine: number;
  readonly comments: readonly string[];
}

type ArgumentReader = (rest: string, escapeToken: EscapeToken) => LineArguments;

/** Which argument reader each instruction uses. */
const ARGUMENT_READERS: ReadonlyMap<string, ArgumentReader> = new Map<string, ArgumentReader>([
  ['add', parseMaybeJsonToList],
  ['arg', parseNamesOrNameValues],
  ['cmd', parseMaybeJson],
  ['copy', parseMaybeJsonToList],
  ['entrypoint', parseMaybeJson],
  ['env', (rest, escape) => parseNameValues(rest, 'ENV', escape)],
  ['expose', parseBlankSeparated],
  ['from', parseBlankSeparated],
  ['healthcheck', splitHealthcheckArguments],
  ['label', (rest, escape) => parseNameValues(rest, 'LABEL', escape)],
  ['maintainer', parseWholeString],
  ['run', parseMaybeJson],
  ['shell', parseMaybeJson],
  ['stopsignal', parseWholeString],
  ['user', parseWholeString],
  ['volume', parseMaybeJsonToList],
  ['workdir', parseWholeString],
]);

/** Unknown keywords get one empty argument, as BuildKit's parser keeps them (see ast.ts). */
const UNKNOWN_ARGUMENTS: LineArguments = { args: [''], json: false };

/**
 * Turns one logical line into a node (BuildKit's `newNodeFromLine`). Throws an unlocated
 * InvalidArgumentError for malformed arguments; the caller adds the line numbers.
 */
export function nodeFromLine(line: string, escapeToken: EscapeToken, placement: NodePlacement): DockerfileNode {
  const { keyword, flags, rest } = splitCommand(line, escapeToken);
  const lower = keyword.toLowerCase();
  let args: LineArguments;
  let trigger: DockerfileNode | undefined;
  if (lower === 'onbuild') {
    // ONBUILD's argument is a whole instruction, parsed the same way (without comments).
    trigger = rest === '' ? undefined : nodeFromLine(rest, escapeToken, { ...placement, comments: [] });
    args = { args: [], json: false };
  } else {
    const reader = ARGUMENT_READERS.get(lower);
    args = reader ? reader(rest, escapeToken) : UNKNOWN_ARGUMENTS;
  }
  return {
    keyword,
    flags,
    args: args.args,
    json: args.json,
    ...(trigger ? { trigger } : {}),
    heredocs: [],
    original: line,
    startLine: placement.startLine,
    endLine: placement.endLine,
    comments: placement.comments,
  };
}

const HEREDOC_INSTRUCTIONS: ReadonlySet<string> = new Set(['add', 'copy', 'run']);

/** RUN, COPY and ADD in shell form (also as ONBUILD triggers) may open heredocs. */
export function canContainHeredoc(node: DockerfileNode): boolean {
  const target = node.keyword.toLowerCase() === 'onbuild' && node.trigger ? node.trigger : node;
  return HEREDOC_INSTRUCTIONS.has(target.keyword.toLowerCase()) && !target.json;
}
