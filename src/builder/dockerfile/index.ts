/**
 * Dockerfile parsing and Docker's word expansion, with BuildKit's behaviour and messages.
 *
 *   parseDockerfile(text)        → instructions typed and checked, grouped into stages
 *   parseDockerfileAst(text)     → the raw instruction nodes (dumpAst prints BuildKit's debug form)
 *   expandInstruction(i, {env})  → $VAR expansion of the fields Docker expands
 *   ShellLex                     → ProcessWord / ProcessWords on any string
 *
 * Pure: no I/O. Errors are DockerfileError (an InvalidArgumentError) naming the line.
 */
export type { DockerfileAst, DockerfileNode, ParseWarning } from './ast.js';
export type { DirectiveName, ParserDirective } from './directives.js';
export { DockerfileError } from './errors.js';
export { dumpAst, dumpNode } from './dump.js';
export { type BuildStage, type ParsedDockerfile, parseDockerfile, parseOnbuildTrigger } from './dockerfile.js';
export { parseDockerfileAst } from './parser.js';
export { parseInstruction } from './instruction-parser.js';
export type {
  AddInstruction,
  ArgDefinition,
  ArgInstruction,
  CmdInstruction,
  CopyInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  FromInstruction,
  HealthConfig,
  HealthcheckInstruction,
  InlineFile,
  Instruction,
  InstructionKind,
  KeyValuePair,
  LabelInstruction,
  MaintainerInstruction,
  OnbuildInstruction,
  RunInstruction,
  RunNetwork,
  RunSecurity,
  ShellDependentCommandLine,
  ShellInstruction,
  SourceContent,
  StopSignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './instructions.js';
export { INSTRUCTION_KEYWORDS } from './instructions.js';
export { chompHeredocContent, type Heredoc, type HeredocSpec, parseHeredocWord, tryParseHeredocWord } from './heredoc.js';
export { type CacheSharing, type MountType, type MountValueExpander, parseRunMount, type RunMount } from './run-mount.js';
export { parseRunDevice, type RunDevice } from './run-device.js';
export {
  createWordExpander,
  EXPANDED_INSTRUCTIONS,
  expandInstruction,
  expandRunMounts,
  type ExpansionOptions,
} from './expansion.js';
export { type EscapeToken, ShellLex, type ShellLexOptions, type WordExpansion } from './shell-lex.js';
export { EMPTY_ENV, envFromList, envFromRecord, type ShellEnv } from './shell-env.js';
