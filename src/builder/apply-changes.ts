import { InvalidArgumentError } from '../base/index.js';
import type { ExecutionConfig } from '../oci/index.js';
import { DockerfileError, envFromList, expandInstruction, parseDockerfileAst, parseInstruction } from './dockerfile/index.js';
import { applyConfigInstruction, copyConfig, isConfigInstruction, type ConfigState } from './config-instructions.js';

/**
 * The instructions `docker commit --change` and `docker import --change` accept: Docker's
 * validCommitCommands (HEALTHCHECK and STOPSIGNAL included, as current Docker has them).
 */
const CHANGE_KEYWORDS: ReadonlySet<string> = new Set([
  'cmd', 'entrypoint', 'env', 'expose', 'healthcheck', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir',
]);

/** The message without the Dockerfile location, which means nothing for a `--change` value. */
function withoutLocation(err: unknown): unknown {
  if (err instanceof DockerfileError) return new InvalidArgumentError(err.detail, { cause: err });
  return err;
}

/**
 * Applies `--change` instructions (each one Dockerfile line, e.g. `CMD ["sh"]`) to an image
 * config and returns the new config; the input is not modified. The lines are parsed as one
 * Dockerfile, checked against the allowed set first (`run is not a valid change command`, as
 * Docker words it), then applied in order with the evaluator's own code, each expanded with
 * the environment the lines before it left. Throws InvalidArgumentError.
 */
export function applyChanges(config: ExecutionConfig, changes: readonly string[]): ExecutionConfig {
  if (changes.length === 0) return copyConfig(config);
  let ast;
  try {
    ast = parseDockerfileAst(changes.join('\n'));
  } catch (err) {
    throw withoutLocation(err);
  }
  for (const node of ast.nodes) {
    const keyword = node.keyword.toLowerCase();
    if (!CHANGE_KEYWORDS.has(keyword)) throw new InvalidArgumentError(`${keyword} is not a valid change command`);
  }
  const state: ConfigState = { config: copyConfig(config), cmdSet: false };
  try {
    const instructions = ast.nodes.map(parseInstruction);
    for (const instruction of instructions) {
      const expanded = expandInstruction(instruction, { env: envFromList(state.config.Env ?? []), escapeToken: ast.escapeToken });
      if (!isConfigInstruction(expanded)) throw new InvalidArgumentError(`${instruction.keyword.toLowerCase()} is not a valid change command`);
      applyConfigInstruction(state, expanded);
    }
  } catch (err) {
    throw withoutLocation(err);
  }
  return state.config;
}
