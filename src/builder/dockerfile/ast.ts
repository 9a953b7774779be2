import type { ParserDirective } from './directives.js';
import type { Heredoc } from './heredoc.js';
import type { EscapeToken } from './shell-lex.js';

/**
 * One instruction as the parser sees it, before any meaning is given to its arguments
 * (BuildKit's `parser.Node`, flattened). The argument layout depends on the keyword:
 *
 * - ENV, LABEL: triples `name, value, sep`; `sep` is `=` for `a=b` and `` for the legacy
 *   `ENV a b c` form (where the value is everything after the name);
 * - HEALTHCHECK: the type (`CMD`, `NONE`…) then the command;
 * - CMD, RUN, ENTRYPOINT, SHELL: one string in shell form, the elements in JSON form;
 * - ADD, COPY, VOLUME: the JSON elements, or the words split on blanks;
 * - ARG: the words, quotes kept (`a="1 2"`);
 * - FROM, EXPOSE: the words split on blanks;
 * - MAINTAINER, USER, WORKDIR, STOPSIGNAL: the whole rest as one string;
 * - ONBUILD: none; the trigger instruction is in `trigger`;
 * - unknown keywords: `['']`, as BuildKit keeps them until the instruction parser rejects them.
 */
export interface DockerfileNode {
  /** The keyword as written: `RUN`, `run`, `Run`… */
  readonly keyword: string;
  /** Leading `--flag[=value]` words, quotes removed. */
  readonly flags: readonly string[];
  readonly args: readonly string[];
  /** The arguments were written in JSON (exec) form. */
  readonly json: boolean;
  /** ONBUILD's instruction. */
  readonly trigger?: DockerfileNode;
  /** Bodies of `<<EOF` heredocs opened on the line (RUN, COPY, ADD, and ONBUILD of those). */
  readonly heredocs: readonly Heredoc[];
  /** The logical line: continuation marks removed, continued lines joined, comments dropped. */
  readonly original: string;
  /** 1-based first physical line. */
  readonly startLine: number;
  /** 1-based last physical line, heredoc bodies included. */
  readonly endLine: number;
  /** The comment lines right above the instruction (for descriptions of stages and ARGs). */
  readonly comments: readonly string[];
}

/** A warning that does not stop the build, e.g. an empty line inside a continuation. */
export interface ParseWarning {
  readonly short: string;
  readonly detail: string;
  readonly url: string;
  readonly line: number;
}

/** The parsed Dockerfile: its instructions in order and what the parser learned on the way. */
export interface DockerfileAst {
  readonly nodes: readonly DockerfileNode[];
  /** The escape character in effect (`# escape=`), needed again for word expansion. */
  readonly escapeToken: EscapeToken;
  readonly directives: readonly ParserDirective[];
  readonly warnings: readonly ParseWarning[];
}
