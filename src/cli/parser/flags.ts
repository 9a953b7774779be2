/**
 * Command-line flags with the rules of spf13/pflag, which the docker CLI uses: `--name`,
 * `--name=value`, `--name value`; `-a`, combined `-aq`, `-fvalue`, `-f value`, `-f=value`;
 * `--` ends flags; a lone `-` is an argument (stdin). With `interspersed` (the default) flags
 * may follow arguments; without it (run, exec, create, tag) everything from the first
 * argument on is an argument — the container's command keeps its own flags.
 */
export type FlagType = 'bool' | 'string' | 'stringArray' | 'int';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  description: string;
  /** Shown as `(default …)` in help; the value when the flag is absent. */
  default?: string | boolean | number;
  /** The value's name in help (`--format string`). */
  valueName?: string;
  hidden?: boolean;
  /**
   * Checks (and may rewrite) each value as pflag's Value.Set does; a thrown Error's message
   * becomes `invalid argument "v" for "-e, --env" flag: <message>`.
   */
  validate?: (raw: string) => string;
}

export type FlagValue = string | boolean | number | string[];

export interface ParsedFlags {
  values: Map<string, FlagValue>;
  /** Flags the user gave (not defaults). */
  given: Set<string>;
  args: string[];
  help: boolean;
}

/** A malformed flag: docker answers these with exit status 125. */
export class FlagError extends Error {}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], options: { interspersed?: boolean } = {}): ParsedFlags {
  const interspersed = options.interspersed ?? true;
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, FlagValue>();
  const given = new Set<string>();
  for (const spec of specs) {
    if (spec.type === 'stringArray') values.set(spec.name, []);
    else if (spec.default !== undefined) values.set(spec.name, spec.default);
    else values.set(spec.name, spec.type === 'bool' ? false : spec.type === 'int' ? 0 : '');
  }
  const args: string[] = [];
  let help = false;

  const set = (spec: FlagSpec, given_: string, display: string) => {
    given.add(spec.name);
    let raw = given_;
    if (spec.validate) {
      try {
        raw = spec.validate(given_);
      } catch (err) {
        throw new FlagError(`invalid argument "${given_}" for "${flagDisplay(spec)}" flag: ${(err as Error).message}`);
      }
    }
    switch (spec.type) {
      case 'bool': {
        const b = parseBool(raw);
        if (b === undefined) throw new FlagError(`invalid argument "${raw}" for "${flagDisplay(spec)}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
        values.set(spec.name, b);
        break;
      }
      case 'int': {
        if (!/^[+-]?\d+$/.test(raw)) throw new FlagError(`invalid argument "${raw}" for "${flagDisplay(spec)}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
        values.set(spec.name, Number.parseInt(raw, 10));
        break;
      }
      case 'stringArray':
        (values.get(spec.name) as string[]).push(raw);
        break;
      default:
        values.set(spec.name, raw);
    }
    void display;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (name === 'help') { help = true; continue; }
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, arg.slice(eq + 1), `--${name}`);
      else if (spec.type === 'bool') set(spec, 'true', `--${name}`);
      else if (i + 1 < argv.length) set(spec, argv[++i]!, `--${name}`);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const shorts = arg.slice(1);
      for (let j = 0; j < shorts.length; j++) {
        const c = shorts[j]!;
        if (c === 'h' && !byShort.has('h')) { help = true; continue; }
        const spec = byShort.get(c);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in -${shorts}`);
        const rest = shorts.slice(j + 1);
        if (spec.type === 'bool') {
          if (rest.startsWith('=')) { set(spec, rest.slice(1), `-${c}`); break; }
          set(spec, 'true', `-${c}`);
          continue;
        }
        if (rest.length > 0) set(spec, rest.startsWith('=') ? rest.slice(1) : rest, `-${c}`);
        else if (i + 1 < argv.length) set(spec, argv[++i]!, `-${c}`);
        else throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    if (!interspersed) {
      args.push(...argv.slice(i));
      break;
    }
    args.push(arg);
  }
  return { values, given, args, help };
}

/** Go's strconv.ParseBool. */
function parseBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

function flagDisplay(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

/** The "Options:" block of a help text, aligned like cobra's. */
export function flagUsages(specs: readonly FlagSpec[]): string {
  const rows = specs.filter((s) => !s.hidden).sort((a, b) => a.name.localeCompare(b.name)).map((s) => {
    const valueName = s.valueName ?? (s.type === 'bool' ? '' : s.type === 'stringArray' ? 'list' : s.type);
    const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${valueName ? ` ${valueName}` : ''}`;
    const def = s.default !== undefined && s.default !== false && s.default !== '' ? ` (default ${typeof s.default === 'string' ? `"${s.default}"` : String(s.default)})` : '';
    return [left, s.description + def] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  // pflag indents a description's further lines to its column.
  return rows.map(([l, r]) => `  ${l.padEnd(width)}   ${r.replace(/\n/g, `\n${' '.repeat(width + 5)}`)}`).join('\n');
}
