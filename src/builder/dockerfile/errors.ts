import { InvalidArgumentError } from '../../base/index.js';

/**
 * A Dockerfile error tied to the lines it came from. It is an InvalidArgumentError (the
 * user's input is wrong, HTTP 400), and keeps the lines and the bare detail apart so the
 * evaluator can show a source excerpt the way BuildKit does.
 */
export class DockerfileError extends InvalidArgumentError {
  /** 1-based first line of the offending instruction. */
  readonly startLine: number;
  /** 1-based last line (equal to startLine for one-line instructions). */
  readonly endLine: number;
  /** The message without the location prefix, e.g. `unknown instruction: FORM`. */
  readonly detail: string;

  constructor(message: string, detail: string, startLine: number, endLine: number, options?: { cause?: unknown }) {
    super(message, options);
    this.detail = detail;
    this.startLine = startLine;
    this.endLine = Math.max(startLine, endLine);
  }
}

/**
 * The prefix every parse error carries. BuildKit says `dockerfile parse error on line N: …`
 * and the classic builder `Dockerfile parse error line N: …`; strata uses the wording of the
 * project brief, which keeps BuildKit's "on line" and the classic capital letter.
 */
export function parseErrorMessage(detail: string, line: number): string {
  return `Dockerfile parse error on line ${line}: ${detail}`;
}

/** A parse error located at the given lines. */
export function parseErrorAt(detail: string, startLine: number, endLine = startLine, cause?: unknown): DockerfileError {
  return new DockerfileError(parseErrorMessage(detail, startLine), detail, startLine, endLine, cause === undefined ? undefined : { cause });
}

/**
 * Runs `fn` and turns an unlocated InvalidArgumentError (thrown by the line-level helpers,
 * which do not know where they are) into a DockerfileError at the given lines. Errors that
 * already carry a location, and programming errors, pass through unchanged.
 */
export function atLines<T>(startLine: number, endLine: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DockerfileError) throw err;
    if (err instanceof InvalidArgumentError) throw parseErrorAt(err.message, startLine, endLine, err);
    throw err;
  }
}
