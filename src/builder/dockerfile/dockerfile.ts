import type { DockerfileAst, ParseWarning } from './ast.js';
import { parseErrorAt } from './errors.js';
import { parseInstruction } from './instruction-parser.js';
import type { ArgInstruction, FromInstruction, Instruction } from './instructions.js';
import { parseDockerfileAst } from './parser.js';
import type { EscapeToken } from './shell-lex.js';

/** One build stage: its FROM and the instructions up to the next FROM. */
export interface BuildStage {
  /** `AS name`, lower-cased; '' for an unnamed stage (refer to it by index). */
  readonly name: string;
  readonly from: FromInstruction;
  readonly commands: readonly Instruction[];
}

/** A Dockerfile parsed and checked, ready for the evaluator. */
export interface ParsedDockerfile {
  readonly ast: DockerfileAst;
  /** Every instruction in file order, FROMs included. */
  readonly instructions: readonly Instruction[];
  /** ARGs before the first FROM: usable in FROM lines, and redeclarable inside stages. */
  readonly metaArgs: readonly ArgInstruction[];
  /** Empty when the file has only ARGs (BuildKit then fails with "no stages"; the evaluator decides). */
  readonly stages: readonly BuildStage[];
  readonly escapeToken: EscapeToken;
  readonly warnings: readonly ParseWarning[];
}

/**
 * Parses and checks a whole Dockerfile (BuildKit's `parser.Parse` then
 * `instructions.Parse`): every instruction typed and validated, grouped into stages.
 * Throws DockerfileError (an InvalidArgumentError) naming the line.
 */
export function parseDockerfile(input: string | Uint8Array): ParsedDockerfile {
  const ast = parseDockerfileAst(input);
  const instructions: Instruction[] = [];
  const metaArgs: ArgInstruction[] = [];
  const stages: { name: string; from: FromInstruction; commands: Instruction[] }[] = [];
  for (const node of ast.nodes) {
    const instruction = parseInstruction(node);
    instructions.push(instruction);
    if (instruction.kind === 'from') {
      stages.push({ name: instruction.stageName, from: instruction, commands: [] });
    } else if (stages.length === 0) {
      if (instruction.kind !== 'arg') throw parseErrorAt('no build stage in current context', node.startLine, node.endLine);
      metaArgs.push(instruction);
    } else {
      stages[stages.length - 1]!.commands.push(instruction);
    }
  }
  return { ast, instructions, metaArgs, stages, escapeToken: ast.escapeToken, warnings: ast.warnings };
}

/**
 * Parses one ONBUILD trigger stored in a base image (OnbuildInstruction.expression) when a
 * build starts FROM that image. Like BuildKit, the trigger is read as a one-instruction
 * Dockerfile with the default escape character, and its errors point at the FROM line of the
 * stage that runs it (`at`).
 */
export function parseOnbuildTrigger(expression: string, at: { readonly startLine: number; readonly endLine: number }): Instruction {
  const ast = parseDockerfileAst(expression);
  if (ast.nodes.length !== 1) throw parseErrorAt('onbuild trigger should be a single expression', at.startLine, at.endLine);
  const node = { ...ast.nodes[0]!, startLine: at.startLine, endLine: at.endLine };
  const instruction = parseInstruction(node);
  if (instruction.kind === 'from') throw parseErrorAt('FROM isn\'t allowed as an ONBUILD trigger', at.startLine, at.endLine);
  return instruction;
}
