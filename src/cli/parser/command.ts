import type { Writable, Readable } from 'node:stream';
import type { Docker } from '../../api/client/index.js';
import type { FlagSpec, FlagValue } from './flags.js';

/** How many arguments a command takes, with docker's wording when that is not met. */
export type ArgsRule =
  | { kind: 'none' }
  | { kind: 'exact'; n: number }
  | { kind: 'min'; n: number }
  | { kind: 'max'; n: number }
  | { kind: 'range'; min: number; max: number };

/** An error the CLI reports itself and exits with `status` (e.g. 125 for `run` failures). */
export class StatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Wrong number of arguments: exit status 1, message and usage as docker prints them. */
export class UsageError extends Error {}

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface CommandContext extends Io {
  /** The daemon address in use (`unix:///…`). */
  host: string;
  out(text: string): void;
  err(text: string): void;
  /**
   * Runs requests against the daemon; what they throw comes back as a DaemonError carrying
   * the daemon's message (printed as "Error response from daemon: …").
   */
  call<T>(request: (docker: Docker) => Promise<T>): Promise<T>;
}

export interface Options {
  bool(name: string): boolean;
  string(name: string): string;
  strings(name: string): string[];
  int(name: string): number;
  /** True when the user gave the flag. */
  given(name: string): boolean;
}

export interface CommandSpec {
  /** `images`, or `ls` under the `image` group. */
  name: string;
  /** The usage line after the command path: `[OPTIONS] [REPOSITORY[:TAG]]`. */
  usage: string;
  short: string;
  aliases?: string[];
  /** How docker lists the other spellings (help's "Aliases:"). */
  aliasLine?: string;
  flags: FlagSpec[];
  args: ArgsRule;
  /** False for commands whose arguments may carry their own flags (run, exec, create, tag). */
  interspersed?: boolean;
  run(ctx: CommandContext, options: Options, args: string[]): Promise<void>;
}

/** A management command (`image`, `system`) holding subcommands. */
export interface CommandGroup {
  name: string;
  short: string;
  commands: CommandSpec[];
}

export function optionsFrom(values: Map<string, FlagValue>, given: Set<string>): Options {
  return {
    bool: (n) => values.get(n) === true,
    string: (n) => String(values.get(n) ?? ''),
    strings: (n) => [...((values.get(n) as string[] | undefined) ?? [])],
    int: (n) => Number(values.get(n) ?? 0),
    given: (n) => given.has(n),
  };
}
