import type { Readable, Writable } from 'node:stream';
import { createApiClient, resolveHost, toDaemonError, DaemonError, JsonStreamError, type Docker } from '../api/client/index.js';
import { productVersion, PRODUCT_NAME } from '../api/types/index.js';
import { isStrataError } from '../base/index.js';
import { parseFlags, flagUsages, FlagError, type FlagSpec } from './parser/flags.js';
import { optionsFrom, StatusError, UsageError, type CommandSpec, type CommandContext, type ArgsRule } from './parser/command.js';
import { topLevelCommands, commandGroups } from './commands/index.js';
import { FormatError } from './format/formatter.js';

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'debug', short: 'D', type: 'bool', description: 'Enable debug mode' },
  { name: 'host', short: 'H', type: 'string', valueName: 'string', description: 'Daemon socket to connect to (default: $STRATA_HOST, else unix:///run/strata/strata.sock; DOCKER_HOST is not read)' },
  { name: 'log-level', short: 'l', type: 'string', description: 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal")', default: 'info' },
  { name: 'version', short: 'v', type: 'bool', description: 'Print version information and quit' },
];

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

/** Runs one CLI invocation; returns the exit status (docker's: 0, 1, 125 for flag errors…). */
export async function cliMain(argv: string[], io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const err = (text: string) => { io.stderr.write(text); };
  // A reader that went away (`strata export c | head`): stop quietly, as docker does when
  // SIGPIPE ends it, instead of dying on an unhandled EPIPE.
  if (io.stdout === process.stdout && process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(128 + 13);
      throw e;
    });
  }
  // Global flags come before the command; they stop at the first argument.
  let global;
  try {
    global = parseFlags(argv, GLOBAL_FLAGS, { interspersed: false });
  } catch (e) {
    if (e instanceof FlagError) {
      err(`${e.message}\n\nUsage:  ${PRODUCT_NAME} [OPTIONS] COMMAND\n\nRun '${PRODUCT_NAME} --help' for more information\n`);
      return 125;
    }
    throw e;
  }
  if (global.values.get('version') === true) {
    io.stdout.write(`${PRODUCT_NAME} version ${productVersion()}\n`);
    return 0;
  }
  const [name, ...rest] = global.args;
  if (global.help || name === undefined || name === 'help') {
    io.stdout.write(rootHelp());
    return 0;
  }
  const resolved = findCommand(name, rest);
  if (!resolved) {
    err(`${PRODUCT_NAME}: unknown command: ${PRODUCT_NAME} ${name}\n\nRun '${PRODUCT_NAME} --help' for more information\n`);
    return 1;
  }
  if ('group' in resolved) {
    const groupName = resolved.group.name;
    if (resolved.unknown !== undefined) {
      err(`${PRODUCT_NAME}: unknown command: ${PRODUCT_NAME} ${groupName} ${resolved.unknown}\n\nUsage:  ${PRODUCT_NAME} ${groupName} COMMAND\n\nRun '${PRODUCT_NAME} ${groupName} --help' for more information\n`);
      return 1;
    }
    io.stdout.write(groupHelp(resolved.group));
    return 0;
  }
  const { spec, path, args } = resolved;
  const usageLine = `${PRODUCT_NAME} ${path} ${spec.usage}`.trimEnd();
  let parsed;
  try {
    parsed = parseFlags(args, [...spec.flags, ...GLOBAL_FLAGS.filter((g) => !spec.flags.some((f) => f.name === g.name || (g.short && f.short === g.short)))], { interspersed: spec.interspersed ?? true });
  } catch (e) {
    if (e instanceof FlagError) {
      err(`${e.message}\n\nUsage:  ${usageLine}\n\nRun '${PRODUCT_NAME} ${path} --help' for more information\n`);
      return 125;
    }
    throw e;
  }
  if (parsed.help) {
    io.stdout.write(commandHelp(spec, path, usageLine));
    return 0;
  }
  const argsProblem = checkArgs(spec.args, parsed.args.length, path);
  if (argsProblem) {
    err(`${PRODUCT_NAME}: ${argsProblem}\n\nUsage:  ${usageLine}\n\nRun '${PRODUCT_NAME} ${path} --help' for more information\n`);
    return 1;
  }
  const hostFlag = (parsed.given.has('host') ? parsed.values.get('host') : global.values.get('host')) as string | undefined;
  const host = resolveHost(hostFlag || undefined, io.env);
  let docker: Docker | undefined;
  const ctx: CommandContext = {
    host,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    out: (text) => { if (text) io.stdout.write(text); },
    err: (text) => { if (text) io.stderr.write(text); },
    async call(request) {
      docker ??= createApiClient(host);
      try {
        return await request(docker);
      } catch (e) {
        throw toDaemonError(e, host);
      }
    },
  };
  try {
    await spec.run(ctx, optionsFrom(parsed.values, parsed.given), parsed.args);
    return 0;
  } catch (e) {
    return reportFailure(e, err);
  }
}

/** Prints a failure as docker does and gives its exit status. */
function reportFailure(e: unknown, err: (text: string) => void): number {
  if (e instanceof StatusError) {
    if (e.message) err(`${e.message}\n`);
    return e.status;
  }
  if (e instanceof DaemonError) {
    err(`${e.unreachable ? e.message : `Error response from daemon: ${e.message}`}\n`);
    return 1;
  }
  if (e instanceof JsonStreamError) {
    err(`${e.message}\n`);
    return 1;
  }
  if (e instanceof UsageError || e instanceof FormatError || isStrataError(e)) {
    err(`${(e as Error).message}\n`);
    return 1;
  }
  err(`${(e as Error)?.message ?? String(e)}\n`);
  return 1;
}

type Found = { spec: CommandSpec; path: string; args: string[] } | { group: (typeof commandGroups)[number]; unknown?: string };

function findCommand(name: string, rest: string[]): Found | undefined {
  const top = topLevelCommands.find((c) => c.name === name || c.aliases?.includes(name));
  if (top) return { spec: top, path: top.name, args: rest };
  const group = commandGroups.find((g) => g.name === name);
  if (!group) return undefined;
  // Flags before the subcommand (`image --help`) show the group's help.
  const subName = rest.find((a) => !a.startsWith('-'));
  if (subName === undefined || rest[0] !== subName) return { group };
  const spec = group.commands.find((c) => c.name === subName || c.aliases?.includes(subName));
  if (!spec) return { group, unknown: subName };
  return { spec, path: `${group.name} ${spec.name}`, args: rest.slice(1) };
}

function checkArgs(rule: ArgsRule, n: number, path: string): string | undefined {
  const plural = (k: number) => (k === 1 ? 'argument' : 'arguments');
  const cmd = `'${PRODUCT_NAME} ${path}'`;
  switch (rule.kind) {
    case 'none': return n === 0 ? undefined : `${cmd} accepts no arguments`;
    case 'exact': return n === rule.n ? undefined : `${cmd} requires ${rule.n} ${plural(rule.n)}`;
    case 'min': return n >= rule.n ? undefined : `${cmd} requires at least ${rule.n} ${plural(rule.n)}`;
    case 'max': return n <= rule.n ? undefined : `${cmd} requires at most ${rule.n} ${plural(rule.n)}`;
    case 'range': return n >= rule.min && n <= rule.max ? undefined : `${cmd} requires at least ${rule.min} and at most ${rule.max} ${plural(rule.max)}`;
  }
}

function commandHelp(spec: CommandSpec, path: string, usageLine: string): string {
  let text = `\nUsage:  ${usageLine}\n\n${spec.short}\n`;
  if (spec.aliasLine) text += `\nAliases:\n  ${spec.aliasLine}\n`;
  const visible = spec.flags.filter((f) => !f.hidden);
  if (visible.length > 0) text += `\nOptions:\n${flagUsages(visible)}\n`;
  void path;
  return text;
}

function groupHelp(group: (typeof commandGroups)[number]): string {
  const width = Math.max(...group.commands.map((c) => c.name.length)) + 2;
  const lines = group.commands.map((c) => `  ${c.name.padEnd(width)}${c.short}`);
  return `\nUsage:  ${PRODUCT_NAME} ${group.name} COMMAND\n\n${group.short}\n\nCommands:\n${lines.join('\n')}\n\nRun '${PRODUCT_NAME} ${group.name} COMMAND --help' for more information on a command.\n`;
}

function rootHelp(): string {
  const list = (items: { name: string; short: string }[]) => items.map((c) => `  ${c.name.padEnd(12)}${c.short}`).join('\n');
  return `
Usage:  ${PRODUCT_NAME} [OPTIONS] COMMAND

A container engine with copy-on-write layered storage that speaks the Docker Engine API

Commands:
${list(topLevelCommands)}
${list([{ name: 'daemon', short: 'Run the strata daemon (same as stratad)' }])}

Management Commands:
${list(commandGroups)}

Global Options:
${flagUsages(GLOBAL_FLAGS)}

Run '${PRODUCT_NAME} COMMAND --help' for more information on a command.
`;
}
