import { InvalidArgumentError } from '../../base/index.js';
import { DockerfileError } from './errors.js';
import type { Instruction, InstructionKind, KeyValuePair, RunInstruction, SourceContent } from './instructions.js';
import { parseRunMount, type RunMount } from './run-mount.js';
import { EMPTY_ENV, type ShellEnv } from './shell-env.js';
import { type EscapeToken, ShellLex } from './shell-lex.js';

/**
 * Which instruction arguments Docker expands, and how (BuildKit's `Expand` methods and the
 * special cases in its dispatcher). The evaluator calls `expandInstruction` with the
 * environment in effect at that point of the stage (ENV and ARG values so far; for FROM, the
 * meta ARGs before the first FROM).
 *
 * Expanded: ENV and LABEL (names and values), ADD and COPY (sources, destination, --chown,
 * --chmod, ADD --checksum, and heredoc bodies whose delimiter is unquoted), WORKDIR, USER,
 * VOLUME, STOPSIGNAL, EXPOSE (split into words), ARG (default values only), FROM (image and
 * --platform), and RUN --mount values (through expandRunMounts).
 *
 * Not expanded: RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK (the shell in the container
 * expands them), MAINTAINER, ONBUILD (expanded when the trigger runs in the child build),
 * COPY --from (a variable there is an error), --exclude patterns, --link, --parents.
 */
export const EXPANDED_INSTRUCTIONS: ReadonlySet<InstructionKind> = new Set<InstructionKind>([
  'add', 'arg', 'copy', 'env', 'expose', 'from', 'label', 'stopsignal', 'user', 'volume', 'workdir',
]);

export interface ExpansionOptions {
  /** Variables visible to this instruction. */
  readonly env: ShellEnv;
  /** The Dockerfile's escape character (ParsedDockerfile.escapeToken). */
  readonly escapeToken: EscapeToken;
  /** Receives the names referenced but not set, e.g. to warn about undefined variables. */
  readonly onUnmatched?: (names: ReadonlySet<string>, instruction: Instruction) => void;
}

/** Expands one word (BuildKit's ProcessWord) and remembers unset names for reporting. */
class Expander {
  readonly unmatched = new Set<string>();
  private readonly lex: ShellLex;
  /** Heredoc bodies: quotes are literal text there and the escape is always backslash. */
  private readonly bodyLex = new ShellLex('\\', { skipProcessQuotes: true });

  constructor(private readonly options: ExpansionOptions) {
    this.lex = new ShellLex(options.escapeToken);
  }

  word = (word: string): string => this.record(this.lex.processWordWithMatches(word, this.options.env));

  words = (word: string): string[] => {
    const expansion = this.lex.processWordWithMatches(word, this.options.env);
    this.record(expansion);
    return [...expansion.words];
  };

  body = (data: string): string => this.record(this.bodyLex.processWordWithMatches(data, this.options.env));

  /** Whether the word stays the same with no variable set, i.e. uses no variables. */
  isLiteral = (word: string): boolean => this.lex.processWord(word, EMPTY_ENV) === word;

  private record(expansion: { result: string; unmatched: ReadonlySet<string> }): string {
    for (const name of expansion.unmatched) this.unmatched.add(name);
    return expansion.result;
  }
}

function locate(instruction: Instruction, err: unknown): unknown {
  if (err instanceof InvalidArgumentError && !(err instanceof DockerfileError)) {
    return new DockerfileError(err.message, err.message, instruction.startLine, instruction.endLine, { cause: err });
  }
  return err;
}

function expandPairs(pairs: readonly KeyValuePair[], expander: Expander): KeyValuePair[] {
  return pairs.map((pair) => ({ ...pair, key: expander.word(pair.key), value: expander.word(pair.value) }));
}

function expandContents(contents: readonly SourceContent[], expander: Expander): SourceContent[] {
  return contents.map((content) => (content.expand ? { ...content, data: expander.body(content.data) } : content));
}

const fail = (message: string) => new InvalidArgumentError(message);

function expandFields(instruction: Instruction, expander: Expander): Instruction {
  switch (instruction.kind) {
    case 'env':
    case 'label':
      return { ...instruction, pairs: expandPairs(instruction.pairs, expander) };
    case 'add':
      return {
        ...instruction,
        chown: expander.word(instruction.chown),
        chmod: expander.word(instruction.chmod),
        checksum: expander.word(instruction.checksum),
        sources: instruction.sources.map(expander.word),
        dest: expander.word(instruction.dest),
        contents: expandContents(instruction.contents, expander),
      };
    case 'copy': {
      // Stage references must be resolvable before the build, so --from takes no variables.
      if (instruction.from !== '' && !expander.isLiteral(instruction.from)) {
        throw fail('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
      }
      return {
        ...instruction,
        chown: expander.word(instruction.chown),
        chmod: expander.word(instruction.chmod),
        sources: instruction.sources.map(expander.word),
        dest: expander.word(instruction.dest),
        contents: expandContents(instruction.contents, expander),
      };
    }
    case 'workdir':
      return { ...instruction, path: expander.word(instruction.path) };
    case 'user':
      return { ...instruction, user: expander.word(instruction.user) };
    case 'stopsignal':
      return { ...instruction, signal: expander.word(instruction.signal) };
    case 'volume':
      return { ...instruction, volumes: instruction.volumes.map(expander.word) };
    case 'expose':
      return { ...instruction, ports: instruction.ports.flatMap(expander.words) };
    case 'arg':
      // Only defaults are expanded; a --build-arg value replaces the default unexpanded.
      return { ...instruction, args: instruction.args.map((arg) => (arg.value === undefined ? arg : { ...arg, value: expander.word(arg.value) })) };
    case 'from': {
      const baseName = expander.word(instruction.baseName);
      if (baseName === '') throw fail(`base name (${instruction.baseName}) should not be blank`);
      let platform = instruction.platform;
      if (platform !== '') {
        try {
          platform = expander.word(platform);
        } catch (err) {
          // BuildKit names the (empty, since failed) result here, hence "platform :".
          throw fail(`failed to process arguments for platform : ${err instanceof Error ? err.message : String(err)}`);
        }
        if (platform === '') throw fail(`empty platform value from expression ${instruction.platform}`);
      }
      return { ...instruction, baseName, platform };
    }
    default:
      return instruction;
  }
}

/**
 * Returns a copy of the instruction with Docker's word expansion applied to exactly the
 * fields Docker expands (see EXPANDED_INSTRUCTIONS); other instructions come back as they
 * are. Throws DockerfileError at the instruction's lines for bad syntax or `${X:?msg}`.
 */
export function expandInstruction<T extends Instruction>(instruction: T, options: ExpansionOptions): T {
  const expander = new Expander(options);
  let expanded: Instruction;
  try {
    expanded = expandFields(instruction, expander);
  } catch (err) {
    throw locate(instruction, err);
  }
  if (expander.unmatched.size > 0) options.onUnmatched?.(expander.unmatched, instruction);
  return expanded as T;
}

/** RUN's `--mount` values, each field's value expanded, parsed and fully validated. */
export function expandRunMounts(run: RunInstruction, options: ExpansionOptions): RunMount[] {
  const expander = new Expander(options);
  try {
    const mounts = run.mounts.map((spec) => parseRunMount(spec, expander.word));
    if (expander.unmatched.size > 0) options.onUnmatched?.(expander.unmatched, run);
    return mounts;
  } catch (err) {
    throw locate(run, err);
  }
}

/** A one-word expander over a fixed environment, for callers outside instructions. */
export function createWordExpander(options: Pick<ExpansionOptions, 'env' | 'escapeToken'>): (word: string) => string {
  const lex = new ShellLex(options.escapeToken);
  return (word) => lex.processWord(word, options.env);
}
