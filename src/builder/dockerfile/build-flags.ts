import { InvalidArgumentError } from '../../base/index.js';
import { withSuggestion } from './suggest.js';

type FlagKind = 'bool' | 'string' | 'strings';

interface FlagState {
  readonly kind: FlagKind;
  value: string;
  values: string[];
}

/**
 * The `--name[=value]` flags of one instruction (BuildKit's BFlags). An instruction
 * declares the flags it accepts, then `parse` checks the written ones against them with
 * BuildKit's messages: unknown flags (with a suggestion), duplicates (allowed only for
 * repeatable flags such as `--mount`), missing values, non-boolean booleans.
 */
export class BuildFlags {
  private readonly flags = new Map<string, FlagState>();
  private readonly used: string[] = [];

  constructor(private readonly args: readonly string[]) {}

  addBool(name: string, defaultValue = false): this {
    return this.add(name, 'bool', defaultValue ? 'true' : 'false');
  }

  addString(name: string, defaultValue = ''): this {
    return this.add(name, 'string', defaultValue);
  }

  /** A flag that may be given several times, each value kept (`--mount`, `--exclude`). */
  addStrings(name: string): this {
    return this.add(name, 'strings', '');
  }

  private add(name: string, kind: FlagKind, value: string): this {
    if (this.flags.has(name)) throw new Error(`Duplicate flag defined: ${name}`);
    this.flags.set(name, { kind, value, values: [] });
    return this;
  }

  /** Checks the written flags; throws InvalidArgumentError on the first bad one. */
  parse(): this {
    for (const arg of this.args) {
      // POSIX: a `--` argument ends the options.
      if (arg === '--') return this;
      if (!arg.startsWith('--')) throw new InvalidArgumentError(`arg should start with -- : ${arg}`);
      const eq = arg.indexOf('=');
      const flagName = eq < 0 ? arg : arg.slice(0, eq);
      const hasValue = eq >= 0;
      const value = hasValue ? arg.slice(eq + 1) : '';
      const name = flagName.slice(2);
      const flag = this.flags.get(name);
      if (!flag) {
        throw new InvalidArgumentError(withSuggestion(`unknown flag: ${flagName}`, name, [...this.flags.keys()], true));
      }
      if (this.used.includes(name) && flag.kind !== 'strings') {
        throw new InvalidArgumentError(`duplicate flag specified: ${flagName}`);
      }
      if (!this.used.includes(name)) this.used.push(name);
      switch (flag.kind) {
        case 'bool': {
          if (hasValue && value === '') throw new InvalidArgumentError(`missing a value on flag: ${flagName}`);
          const lower = value.toLowerCase();
          if (lower === 'true' || lower === '') flag.value = 'true';
          else if (lower === 'false') flag.value = 'false';
          else throw new InvalidArgumentError(`expecting boolean value for flag ${flagName}, not: ${value}`);
          break;
        }
        case 'string':
          if (!hasValue) throw new InvalidArgumentError(`missing a value on flag: ${flagName}`);
          flag.value = value;
          break;
        case 'strings':
          if (!hasValue) throw new InvalidArgumentError(`missing a value on flag: ${flagName}`);
          flag.values.push(value);
          break;
      }
    }
    return this;
  }

  bool(name: string): boolean {
    return this.get(name).value === 'true';
  }

  string(name: string): string {
    return this.get(name).value;
  }

  strings(name: string): string[] {
    return [...this.get(name).values];
  }

  /** Whether the flag was written at all (distinguishes `--unpack=false` from no flag). */
  isUsed(name: string): boolean {
    return this.used.includes(name);
  }

  /** The names of the flags written, in first-use order. */
  usedNames(): string[] {
    return [...this.used];
  }

  private get(name: string): FlagState {
    const flag = this.flags.get(name);
    if (!flag) throw new Error(`flag ${name} was not declared`);
    return flag;
  }
}
