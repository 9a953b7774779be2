import type { DockerfileAst, DockerfileNode, ParseWarning } from './ast.js';
import { continuationTrimmer, type ContinuationResult } from './continuation.js';
import { DirectiveParser, type ParserDirective, toEscapeToken } from './directives.js';
import { atLines, parseErrorAt } from './errors.js';
import { goTrimLeftSpace, goTrimSpace } from './go-text.js';
import { type Heredoc, type HeredocSpec, heredocsFromLine } from './heredoc.js';
import { LineScanner } from './line-scanner.js';
import { canContainHeredoc, nodeFromLine } from './node-from-line.js';
import type { EscapeToken } from './shell-lex.js';

const EMPTY_CONTINUATION_URL = 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/';
const EMPTY_CONTINUATION_DETAIL = 'Empty continuation lines will become errors in a future release';

/** Go's trimNewline: every trailing CR and LF. */
function trimNewline(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === '\n' || line[end - 1] === '\r')) end--;
  return line.slice(0, end);
}

function isComment(line: string): boolean {
  return goTrimLeftSpace(line).startsWith('#');
}

function isBlank(line: string): boolean {
  return goTrimLeftSpace(trimNewline(line)) === '';
}

/**
 * The state that changes while reading: the escape token (set by a directive) and with it
 * the line-continuation rule.
 */
class LineProcessor {
  escapeToken: EscapeToken = '\\';
  readonly directives: ParserDirective[] = [];
  private readonly directiveParser = new DirectiveParser();
  private trimmer = continuationTrimmer('\\');

  /**
   * Prepares one physical line: line ending removed, leading blanks too for the first line
   * of an instruction, a directive applied, a comment turned into an empty line. Every
   * line goes past the directive parser, which stops looking after the first non-directive.
   */
  process(raw: string, lineNumber: number, stripLeadingBlanks: boolean): { text: string; isDirective: boolean } {
    let token = trimNewline(raw);
    if (stripLeadingBlanks) token = goTrimLeftSpace(token);
    const directive = atLines(lineNumber, lineNumber, () => {
      const found = this.directiveParser.parseLine(token, lineNumber);
      if (found?.name === 'escape') this.setEscapeToken(toEscapeToken(found.value));
      return found;
    });
    if (directive) this.directives.push(directive);
    return { text: isComment(token) ? '' : token, isDirective: directive !== undefined };
  }

  trimContinuation(line: string): ContinuationResult {
    return this.trimmer(line);
  }

  private setEscapeToken(token: EscapeToken): void {
    this.escapeToken = token;
    this.trimmer = continuationTrimmer(token);
  }
}

/**
 * Reads the bodies of the heredocs an instruction opened, one after the other, each up to
 * its delimiter line (`<<-` delimiters may be indented with tabs). Returns the heredocs and
 * the number of the last line read.
 */
function readHeredocBodies(scanner: LineScanner, specs: readonly HeredocSpec[], startLine: number, lineBefore: number): { heredocs: Heredoc[]; lastLine: number } {
  let currentLine = lineBefore;
  const heredocs: Heredoc[] = [];
  for (const spec of specs) {
    let content = '';
    let terminated = false;
    for (let bodyLine = scanner.next(); bodyLine !== undefined; bodyLine = scanner.next()) {
      currentLine++;
      let candidate = trimNewline(bodyLine);
      if (spec.chomp) candidate = candidate.replace(/^\t+/, '');
      if (candidate === spec.name) {
        terminated = true;
        break;
      }
      content += bodyLine;
    }
    if (!terminated) throw parseErrorAt('unterminated heredoc', startLine, currentLine);
    heredocs.push({ ...spec, content });
  }
  return { heredocs, lastLine: currentLine };
}

/**
 * Parses a Dockerfile into its instructions (BuildKit's `parser.Parse`): parser directives,
 * comments, line continuations (comment and blank lines inside a continuation are skipped,
 * blank ones with a warning), and heredoc bodies. Arguments are split per keyword but not
 * interpreted; `parseInstruction` (or `parseDockerfile`) gives them meaning. Throws DockerfileError naming the
 * line on malformed input.
 */
export function parseDockerfileAst(input: string | Uint8Array): DockerfileAst {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const scanner = new LineScanner(text);
  const lines = new LineProcessor();
  const nodes: DockerfileNode[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];
  let currentLine = 0;

  for (let raw = scanner.next(); raw !== undefined; raw = scanner.next()) {
    if (currentLine === 0 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
    if (isComment(raw)) {
      // BuildKit cuts the first byte of the raw line, which keeps the `#` of an indented
      // comment in its text; dropping the `#` itself is what it means to do.
      const comment = goTrimSpace(goTrimLeftSpace(raw).slice(1));
      // A bare `#` line separates comment blocks.
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    const first = lines.process(raw, currentLine + 1, true);
    if (first.isDirective) comments.pop();
    currentLine++;

    const startLine = currentLine;
    let { text: lineText, continues } = lines.trimContinuation(first.text);
    if (!continues && lineText === '') continue;

    let logical = lineText;
    let hasEmptyContinuationLine = false;
    while (continues) {
      const next = scanner.next();
      if (next === undefined) break;
      const processed = lines.process(next, currentLine + 1, false);
      currentLine++;
      if (isComment(next)) continue;
      if (isBlank(processed.text)) {
        hasEmptyContinuationLine = true;
        continue;
      }
      ({ text: lineText, continues } = lines.trimContinuation(processed.text));
      logical += lineText;
    }

    if (hasEmptyContinuationLine) {
      warnings.push({
        short: `Empty continuation line found in: ${logical}`,
        detail: EMPTY_CONTINUATION_DETAIL,
        url: EMPTY_CONTINUATION_URL,
        line: currentLine,
      });
    }

    const placement = { startLine, endLine: currentLine, comments };
    let node = atLines(startLine, currentLine, () => nodeFromLine(logical, lines.escapeToken, placement));

    if (canContainHeredoc(node) && logical.includes('<<')) {
      const specs = atLines(startLine, currentLine, () => heredocsFromLine(logical));
      const bodies = readHeredocBodies(scanner, specs, startLine, currentLine);
      currentLine = bodies.lastLine;
      node = { ...node, heredocs: bodies.heredocs, endLine: currentLine };
    }

    nodes.push(node);
    comments = [];
  }

  if (nodes.length === 0) throw parseErrorAt('file with no instructions', Math.max(currentLine, 1));
  const scanError = scanner.error;
  if (scanError !== undefined) throw parseErrorAt(scanError, currentLine + 1);

  return { nodes, escapeToken: lines.escapeToken, directives: lines.directives, warnings };
}
