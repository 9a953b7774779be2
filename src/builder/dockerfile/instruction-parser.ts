import { InvalidArgumentError } from '../../base/index.js';
import type { DockerfileNode } from './ast.js';
import { BuildFlags } from './build-flags.js';
import { atLines } from './errors.js';
import { goQuote } from './go-quote.js';
import { compareCodePoints, goTrimSpace } from './go-text.js';
import { parseHealthConfig } from './healthcheck.js';
import {
  type ArgDefinition,
  type FromInstruction,
  type Instruction,
  INSTRUCTION_KEYWORDS,
  type KeyValuePair,
  type RunNetwork,
  type RunSecurity,
  type ShellDependentCommandLine,
} from './instructions.js';
import { parseRunDevice } from './run-device.js';
import { parseRunMount } from './run-mount.js';
import { splitSourcesAndDest } from './sources-and-dest.js';
import { withSuggestion } from './suggest.js';

const fail = (message: string) => new InvalidArgumentError(message);
const atLeastOneArgument = (keyword: string) => fail(`${keyword} requires at least one argument`);
const exactlyOneArgument = (keyword: string) => fail(`${keyword} requires exactly one argument`);
const noDestination = (keyword: string) =>
  fail(`${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
const blankNames = (keyword: string) => fail(`${keyword} names can not be blank`);

/** Stage names: lower-case letter first, then letters, digits, `-`, `_` and `.`. */
const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
/** `(?i)^\s*ONBUILD\s*` with RE2's ASCII `\s`. */
const ONBUILD_PREFIX = /^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i;

/** The arguments as BuildKit's `nodeArgs` sees them: ONBUILD's trigger keyword first. */
function nodeArgs(node: DockerfileNode): string[] {
  if (node.trigger) return [node.trigger.keyword, ...nodeArgs(node.trigger)];
  return [...node.args];
}

/** The description in a `# NAME description` comment right above the instruction. */
function docComment(comments: readonly string[], name: string): string {
  if (name === '') return '';
  for (const line of comments) {
    if (line.startsWith(name + ' ')) return line.slice(name.length + 1);
  }
  return '';
}

function keyValuePairs(args: readonly string[], keyword: 'ENV' | 'LABEL'): KeyValuePair[] {
  if (args.length === 0) throw atLeastOneArgument(keyword);
  if (args.length % 3 !== 0) throw fail(`Bad input to ${keyword}, too many arguments`);
  const pairs: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i] === '') throw blankNames(keyword);
    pairs.push({ key: args[i]!, value: args[i + 1]!, noDelimiter: args[i + 2] === '' });
  }
  return pairs;
}

function commandLine(node: DockerfileNode, args: readonly string[]): ShellDependentCommandLine {
  return {
    // Shell form is one string even if the parser saw it in pieces.
    args: node.json ? [...args] : args.length === 0 ? [] : [args.join(' ')],
    prependShell: !node.json,
    files: node.heredocs.map((heredoc) => ({ name: heredoc.name, data: heredoc.content, chomp: heredoc.chomp })),
  };
}

function stageName(args: readonly string[]): string {
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    const name = args[2]!.toLowerCase();
    if (!VALID_STAGE_NAME.test(name)) {
      throw fail(`invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`);
    }
    return name;
  }
  if (args.length !== 1) throw fail('FROM requires either one or three arguments');
  return '';
}

function parseFrom(node: DockerfileNode, args: string[], base: Base): FromInstruction {
  const name = stageName(args);
  const flags = new BuildFlags(node.flags).addString('platform').parse();
  return {
    ...base,
    kind: 'from',
    baseName: args[0]!,
    stageName: name,
    platform: flags.string('platform'),
    docComment: docComment(node.comments, name),
  };
}

function parseRun(node: DockerfileNode, args: string[], base: Base): Instruction {
  const flags = new BuildFlags(node.flags)
    .addStrings('device')
    .addStrings('mount')
    .addString('network', 'default')
    .addString('security', 'sandbox')
    .parse();
  const devices = flags.strings('device').map(parseRunDevice);
  const mounts = flags.strings('mount');
  // Without an expander this only checks what can be checked before the build.
  for (const mount of mounts) parseRunMount(mount);
  const network = flags.string('network');
  if (network !== 'default' && network !== 'none' && network !== 'host') throw fail(`invalid network mode ${goQuote(network)}`);
  const security = flags.string('security');
  if (security !== 'sandbox' && security !== 'insecure') throw fail(`security ${goQuote(security)} is not valid`);
  return {
    ...base,
    kind: 'run',
    command: commandLine(node, args),
    mounts,
    network: network as RunNetwork,
    security: security as RunSecurity,
    devices,
    flagsUsed: flags.usedNames(),
  };
}

function parseOnbuild(node: DockerfileNode, args: string[], base: Base): Instruction {
  if (args.length === 0) throw atLeastOneArgument('ONBUILD');
  new BuildFlags(node.flags).parse();
  const trigger = goTrimSpace(args[0]!).toUpperCase();
  if (trigger === 'ONBUILD') throw fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw fail(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = node.original.replace(ONBUILD_PREFIX, '');
  // Heredoc bodies travel with the trigger so that it can be parsed again as a Dockerfile.
  for (const heredoc of node.heredocs) expression += '\n' + heredoc.content + heredoc.name;
  return { ...base, kind: 'onbuild', expression };
}

function parseArg(node: DockerfileNode, args: string[], base: Base): Instruction {
  if (args.length < 1) throw atLeastOneArgument('ARG');
  const definitions: ArgDefinition[] = args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq < 0) return { key: arg, docComment: docComment(node.comments, arg) };
    const key = arg.slice(0, eq);
    if (key === '') throw blankNames('ARG');
    return { key, value: arg.slice(eq + 1), docComment: docComment(node.comments, key) };
  });
  return { ...base, kind: 'arg', args: definitions };
}

type Base = Pick<Instruction, 'keyword' | 'source' | 'startLine' | 'endLine' | 'comments'>;
type InstructionReader = (node: DockerfileNode, args: string[], base: Base) => Instruction;

/** The one argument of MAINTAINER, WORKDIR and USER, which take no flags. */
function singleArgument(node: DockerfileNode, args: readonly string[], keyword: string): string {
  if (args.length !== 1) throw exactlyOneArgument(keyword);
  new BuildFlags(node.flags).parse();
  return args[0]!;
}

const READERS: ReadonlyMap<string, InstructionReader> = new Map<string, InstructionReader>([
  ['env', (node, args, base) => {
    new BuildFlags(node.flags).parse();
    return { ...base, kind: 'env', pairs: keyValuePairs(args, 'ENV') };
  }],
  ['label', (node, args, base) => {
    new BuildFlags(node.flags).parse();
    return { ...base, kind: 'label', pairs: keyValuePairs(args, 'LABEL') };
  }],
  ['maintainer', (node, args, base) => ({ ...base, kind: 'maintainer', maintainer: singleArgument(node, args, 'MAINTAINER') })],
  ['workdir', (node, args, base) => ({ ...base, kind: 'workdir', path: singleArgument(node, args, 'WORKDIR') })],
  ['user', (node, args, base) => ({ ...base, kind: 'user', user: singleArgument(node, args, 'USER') })],
  ['add', (node, args, base) => {
    if (args.length < 2) throw noDestination('ADD');
    const flags = new BuildFlags(node.flags)
      .addString('chown').addString('chmod').addBool('link').addBool('keep-git-dir')
      .addString('checksum').addBool('unpack').addStrings('exclude')
      .parse();
    return {
      ...base,
      kind: 'add',
      ...splitSourcesAndDest(args, node.heredocs, 'ADD'),
      chown: flags.string('chown'),
      chmod: flags.string('chmod'),
      link: flags.bool('link'),
      ...(flags.isUsed('keep-git-dir') ? { keepGitDir: flags.bool('keep-git-dir') } : {}),
      checksum: flags.string('checksum'),
      ...(flags.isUsed('unpack') ? { unpack: flags.bool('unpack') } : {}),
      excludes: flags.strings('exclude'),
    };
  }],
  ['copy', (node, args, base) => {
    if (args.length < 2) throw noDestination('COPY');
    const flags = new BuildFlags(node.flags)
      .addString('chown').addString('from').addString('chmod').addBool('link')
      .addStrings('exclude').addBool('parents')
      .parse();
    return {
      ...base,
      kind: 'copy',
      ...splitSourcesAndDest(args, node.heredocs, 'COPY'),
      from: flags.string('from'),
      chown: flags.string('chown'),
      chmod: flags.string('chmod'),
      link: flags.bool('link'),
      parents: flags.bool('parents'),
      excludes: flags.strings('exclude'),
    };
  }],
  ['from', parseFrom],
  ['onbuild', parseOnbuild],
  ['run', parseRun],
  ['cmd', (node, args, base) => {
    new BuildFlags(node.flags).parse();
    return { ...base, kind: 'cmd', command: commandLine(node, args) };
  }],
  ['entrypoint', (node, args, base) => {
    new BuildFlags(node.flags).parse();
    return { ...base, kind: 'entrypoint', command: commandLine(node, args) };
  }],
  ['healthcheck', (node, args, base) => ({ ...base, kind: 'healthcheck', health: parseHealthConfig(args, node.json, node.flags) })],
  ['expose', (node, args, base) => {
    if (args.length === 0) throw atLeastOneArgument('EXPOSE');
    new BuildFlags(node.flags).parse();
    return { ...base, kind: 'expose', ports: [...args].sort(compareCodePoints) };
  }],
  ['volume', (node, args, base) => {
    if (args.length === 0) throw atLeastOneArgument('VOLUME');
    new BuildFlags(node.flags).parse();
    const volumes = args.map((volume) => {
      const trimmed = goTrimSpace(volume);
      if (trimmed === '') throw fail('VOLUME specified can not be an empty string');
      return trimmed;
    });
    return { ...base, kind: 'volume', volumes };
  }],
  // STOPSIGNAL and ARG never look at their flags in BuildKit; written flags are ignored.
  ['stopsignal', (_node, args, base) => {
    if (args.length !== 1) throw exactlyOneArgument('STOPSIGNAL');
    return { ...base, kind: 'stopsignal', signal: args[0]! };
  }],
  ['arg', parseArg],
  ['shell', (node, args, base) => {
    new BuildFlags(node.flags).parse();
    const shell = node.json ? [...args] : args.length === 0 ? [] : [args.join(' ')];
    if (shell.length === 0) throw atLeastOneArgument('SHELL');
    if (!node.json) throw fail('SHELL requires the arguments to be in JSON form');
    return { ...base, kind: 'shell', shell };
  }],
]);

/**
 * Gives one parsed node its meaning (BuildKit's `ParseInstruction`), checking argument
 * counts, flags and values with BuildKit's messages. Throws DockerfileError
 * `Dockerfile parse error on line N: …`.
 */
export function parseInstruction(node: DockerfileNode): Instruction {
  return atLines(node.startLine, node.endLine, () => {
    const reader = READERS.get(node.keyword.toLowerCase());
    if (!reader) {
      throw fail(withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, INSTRUCTION_KEYWORDS, false));
    }
    const base: Base = {
      keyword: node.keyword,
      source: goTrimSpace(node.original),
      startLine: node.startLine,
      endLine: node.endLine,
      comments: node.comments,
    };
    return reader(node, nodeArgs(node), base);
  });
}
