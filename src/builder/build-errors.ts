import { FailedPreconditionError, StrataError } from '../base/index.js';
import { DockerfileError, type Instruction } from './dockerfile/index.js';

/**
 * A RUN whose command exited non-zero. The message is Docker's; `exitCode` is what the API
 * puts in `errorDetail.code`.
 */
export class RunStepFailedError extends FailedPreconditionError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly startLine: number,
    readonly endLine: number,
  ) {
    super(`The command '${argv.join(' ')}' returned a non-zero code: ${exitCode}`);
  }
}

/**
 * Ties an error raised while evaluating an instruction to its lines. The message stays as
 * Docker words it (`COPY failed: …`), since the stream has just named the step; the lines
 * travel on the DockerfileError. Errors that already know their place, and internal errors
 * (kinds other than bad input or missing objects), pass through unchanged.
 */
export function atInstruction(instruction: Pick<Instruction, 'startLine' | 'endLine'>, err: unknown): unknown {
  if (err instanceof DockerfileError || err instanceof RunStepFailedError) return err;
  if (err instanceof StrataError && (err.kind === 'invalid-argument' || err.kind === 'not-found')) {
    return new DockerfileError(err.message, err.message, instruction.startLine, instruction.endLine, { cause: err });
  }
  return err;
}

/** An input problem at an instruction, worded as Docker does. */
export function instructionError(instruction: Pick<Instruction, 'startLine' | 'endLine'>, message: string): DockerfileError {
  return new DockerfileError(message, message, instruction.startLine, instruction.endLine);
}
