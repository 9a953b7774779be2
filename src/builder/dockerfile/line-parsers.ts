import { InvalidArgumentError } from '../../base/index.js';
import { goQuote } from './go-quote.js';
import { isGoSpace, splitOnAsciiBlanks } from './go-text.js';
import { parseJsonStringArray } from './json-form.js';
import type { EscapeToken } from './shell-lex.js';
import { splitQuotedWords } from './words.js';

/**
 * The per-keyword argument readers (BuildKit's line parsers). Each gets the arguments left
 * after the keyword and the flags, already trimmed, and returns the argument list of the
 * node. Nothing here interprets values; that is the instruction parser's job.
 */

export interface LineArguments {
  readonly args: string[];
  readonly json: boolean;
}

const NO_ARGS: LineArguments = { args: [], json: false };

function plain(args: string[]): LineArguments {
  return { args, json: false };
}

/** CMD, RUN, ENTRYPOINT, SHELL: JSON form, or the whole rest as one shell-form string. */
export function parseMaybeJson(rest: string): LineArguments {
  if (rest === '') return NO_ARGS;
  const json = parseJsonStringArray(rest);
  return json ? { args: json, json: true } : plain([rest]);
}

/** ADD, COPY, VOLUME: JSON form, or words separated by blanks. */
export function parseMaybeJsonToList(rest: string): LineArguments {
  const json = parseJsonStringArray(rest);
  return json ? { args: json, json: true } : parseBlankSeparated(rest);
}

/** FROM, EXPOSE: words separated by blanks, quotes not special. */
export function parseBlankSeparated(rest: string): LineArguments {
  return rest === '' ? NO_ARGS : plain(splitOnAsciiBlanks(rest));
}

/** MAINTAINER, USER, WORKDIR, STOPSIGNAL: the rest as one string. */
export function parseWholeString(rest: string): LineArguments {
  return rest === '' ? NO_ARGS : plain([rest]);
}

/** ARG: `name` and `name=value` words, quotes kept for expansion to remove. */
export function parseNamesOrNameValues(rest: string, escapeToken: EscapeToken): LineArguments {
  return plain(splitQuotedWords(rest, escapeToken));
}

/**
 * ENV and LABEL. The first word decides the syntax: without `=` it is the legacy
 * `ENV name value with spaces`, where the value is everything after the name; with `=` every
 * word must be `name=value`. The result is triples (name, value, separator).
 */
export function parseNameValues(rest: string, keyword: 'ENV' | 'LABEL', escapeToken: EscapeToken): LineArguments {
  const words = splitQuotedWords(rest, escapeToken);
  if (words.length === 0) return NO_ARGS;

  if (!words[0]!.includes('=')) {
    const parts = splitOnAsciiBlanks(rest, 2);
    if (parts.length < 2) throw new InvalidArgumentError(`${keyword} must have two arguments`);
    return plain([parts[0]!, parts[1]!, '']);
  }

  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new InvalidArgumentError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    args.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return plain(args);
}

/**
 * HEALTHCHECK: a type word, then a command in JSON or shell form
 * (`HEALTHCHECK CMD ["a"]` → `CMD`, `a`; `HEALTHCHECK NONE` → `NONE`).
 */
export function splitHealthcheckArguments(rest: string): LineArguments {
  const chars = Array.from(rest);
  let sep = 0;
  while (sep < chars.length && !isGoSpace(chars[sep]!)) sep++;
  if (sep === 0) return NO_ARGS;
  let next = sep;
  while (next < chars.length && isGoSpace(chars[next]!)) next++;
  const type = chars.slice(0, sep).join('');
  const command = parseMaybeJson(chars.slice(next).join(''));
  return { args: [type, ...command.args], json: command.json };
}
