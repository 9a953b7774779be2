import type { RunDevice } from './run-device.js';

/**
 * The typed instructions of a Dockerfile (BuildKit's `instructions` package): each
 * DockerfileNode given its meaning and checked. Values are as written: word expansion
 * (`$VAR`) happens later, in the evaluator, through `expandInstruction`.
 */

interface InstructionBase {
  /** The keyword as written (`RUN`, `run`…). */
  readonly keyword: string;
  /** The instruction's text as one logical line, trimmed (used for history and cache keys). */
  readonly source: string;
  readonly startLine: number;
  readonly endLine: number;
  /** Comment lines right above the instruction. */
  readonly comments: readonly string[];
}

/** `NAME=value` of ENV and LABEL. */
export interface KeyValuePair {
  readonly key: string;
  readonly value: string;
  /** Written in the legacy `ENV NAME value` form, without `=`. */
  readonly noDelimiter: boolean;
}

/** One name of an ARG, with its default if it has one. */
export interface ArgDefinition {
  readonly key: string;
  /** Undefined for `ARG NAME` (no default), '' for `ARG NAME=`. */
  readonly value?: string;
  /** From a comment `# NAME description` right above. */
  readonly docComment: string;
}

/** A heredoc body that RUN hands to its command. */
export interface InlineFile {
  readonly name: string;
  /** The body as written; strip leading tabs with chompHeredocContent when `chomp`. */
  readonly data: string;
  readonly chomp: boolean;
}

/** The command of RUN, CMD and ENTRYPOINT. */
export interface ShellDependentCommandLine {
  /** Shell form: one string. Exec (JSON) form: the argv. */
  readonly args: readonly string[];
  /** Shell form: run `args[0]` through the stage's SHELL (default `/bin/sh -c`). */
  readonly prependShell: boolean;
  /** Heredoc bodies opened on the line (RUN only). */
  readonly files: readonly InlineFile[];
}

/** A COPY/ADD source given inline as a heredoc (`COPY <<EOF /dest`). */
export interface SourceContent {
  /** The heredoc name, used as the file name. */
  readonly path: string;
  /** The body, tabs already stripped for `<<-`. */
  readonly data: string;
  /** Expand `$VAR`s in the body (the delimiter was not quoted). */
  readonly expand: boolean;
}

/** Docker's image-config healthcheck. Durations are nanoseconds; 0 means "inherit the default". */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", ...argv]` or `["CMD-SHELL", "command"]`. */
  readonly test: readonly string[];
  readonly interval: number;
  readonly timeout: number;
  readonly startPeriod: number;
  readonly startInterval: number;
  readonly retries: number;
}

export type RunNetwork = 'default' | 'none' | 'host';
export type RunSecurity = 'sandbox' | 'insecure';

export interface FromInstruction extends InstructionBase {
  readonly kind: 'from';
  readonly baseName: string;
  /** `AS name`, lower-cased; '' when the stage has no name. */
  readonly stageName: string;
  /** `--platform`, '' when not given. */
  readonly platform: string;
  readonly docComment: string;
}

export interface RunInstruction extends InstructionBase {
  readonly kind: 'run';
  readonly command: ShellDependentCommandLine;
  /** `--mount` values as written; parse them with parseRunMount and an expander at build time. */
  readonly mounts: readonly string[];
  readonly network: RunNetwork;
  readonly security: RunSecurity;
  readonly devices: readonly RunDevice[];
  /** The flags written, e.g. `['mount']`. */
  readonly flagsUsed: readonly string[];
}

export interface CmdInstruction extends InstructionBase {
  readonly kind: 'cmd';
  readonly command: ShellDependentCommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  readonly kind: 'entrypoint';
  /** No arguments (`ENTRYPOINT []`) resets the entrypoint: BuildKit stores null. */
  readonly command: ShellDependentCommandLine;
}

export interface ShellInstruction extends InstructionBase {
  readonly kind: 'shell';
  readonly shell: readonly string[];
}

export interface EnvInstruction extends InstructionBase {
  readonly kind: 'env';
  readonly pairs: readonly KeyValuePair[];
}

export interface LabelInstruction extends InstructionBase {
  readonly kind: 'label';
  readonly pairs: readonly KeyValuePair[];
}

export interface MaintainerInstruction extends InstructionBase {
  readonly kind: 'maintainer';
  readonly maintainer: string;
}

interface SourcesAndDest {
  /** Paths (or, for ADD, URLs and git repositories) to copy. */
  readonly sources: readonly string[];
  /** Inline heredoc sources. */
  readonly contents: readonly SourceContent[];
  readonly dest: string;
  readonly chown: string;
  readonly chmod: string;
  readonly link: boolean;
  readonly excludes: readonly string[];
}

export interface AddInstruction extends InstructionBase, SourcesAndDest {
  readonly kind: 'add';
  /** `--keep-git-dir`, undefined when not written. */
  readonly keepGitDir?: boolean;
  readonly checksum: string;
  /** `--unpack`, undefined when not written (archives from the context are unpacked by default). */
  readonly unpack?: boolean;
}

export interface CopyInstruction extends InstructionBase, SourcesAndDest {
  readonly kind: 'copy';
  /** `--from` stage name, index or image; '' for the build context. Never expanded. */
  readonly from: string;
  readonly parents: boolean;
}

export interface OnbuildInstruction extends InstructionBase {
  readonly kind: 'onbuild';
  /**
   * The trigger as text (heredoc bodies appended), stored in the image and parsed again
   * with parseDockerfile when a build uses the image as its base.
   */
  readonly expression: string;
}

export interface WorkdirInstruction extends InstructionBase {
  readonly kind: 'workdir';
  readonly path: string;
}

export interface HealthcheckInstruction extends InstructionBase {
  readonly kind: 'healthcheck';
  readonly health: HealthConfig;
}

export interface ExposeInstruction extends InstructionBase {
  readonly kind: 'expose';
  /** As written (sorted, as BuildKit does); each is expanded with ProcessWords, then parsed as port specs. */
  readonly ports: readonly string[];
}

export interface UserInstruction extends InstructionBase {
  readonly kind: 'user';
  readonly user: string;
}

export interface VolumeInstruction extends InstructionBase {
  readonly kind: 'volume';
  readonly volumes: readonly string[];
}

export interface StopSignalInstruction extends InstructionBase {
  readonly kind: 'stopsignal';
  readonly signal: string;
}

export interface ArgInstruction extends InstructionBase {
  readonly kind: 'arg';
  readonly args: readonly ArgDefinition[];
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | EnvInstruction
  | LabelInstruction
  | MaintainerInstruction
  | AddInstruction
  | CopyInstruction
  | OnbuildInstruction
  | WorkdirInstruction
  | HealthcheckInstruction
  | ExposeInstruction
  | UserInstruction
  | VolumeInstruction
  | StopSignalInstruction
  | ArgInstruction;

export type InstructionKind = Instruction['kind'];

/** Every instruction keyword Docker accepts, upper-case. */
export const INSTRUCTION_KEYWORDS: readonly string[] = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];
