import { InvalidArgumentError } from '../base/index.js';

/**
 * The proxy variables Docker passes to RUN when given with --build-arg, without an ARG
 * instruction, and leaves out of the image history unless an ARG declares them.
 */
export const BUILTIN_BUILD_ARGS: ReadonlySet<string> = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy',
  'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

/** A `--build-arg` name: what a shell variable or an ARG may be called. */
const VALID_NAME = /^[^\s=]+$/;

/** Checks the request's build args: names must be non-empty words without `=`. */
export function checkBuildArgs(args: Readonly<Record<string, string | null>>): void {
  for (const name of Object.keys(args)) {
    if (!VALID_NAME.test(name)) throw new InvalidArgumentError(`invalid build-arg ${JSON.stringify(name)}: a name must be non-empty and contain no '=' or spaces`);
  }
}

/**
 * Docker's classic-builder build args (moby `BuildArgs`): the values given with --build-arg,
 * the ARGs declared before the first FROM (meta args) and in the current stage, and which
 * given args any ARG referenced, for the "were not consumed" warning.
 */
export class BuildArgs {
  /** ARGs declared in the current stage, with their defaults (undefined: no default). */
  private allowed = new Map<string, string | undefined>();
  private readonly meta = new Map<string, string | undefined>();
  private readonly referenced: Set<string>;

  constructor(private readonly fromOptions: ReadonlyMap<string, string | null>, referenced = new Set<string>()) {
    this.referenced = referenced;
  }

  /** A copy for a new stage: meta args and options carry over, stage ARGs do not. */
  forNewStage(): BuildArgs {
    const next = new BuildArgs(this.fromOptions, this.referenced);
    for (const [k, v] of this.meta) next.meta.set(k, v);
    return next;
  }

  /** An ARG before the first FROM. */
  addMetaArg(key: string, defaultValue: string | undefined): void {
    this.meta.set(key, defaultValue);
    this.referenced.add(key);
  }

  /**
   * An ARG in a stage. Without a default of its own it takes the meta arg's, as Docker does
   * for `ARG V=1` before FROM and `ARG V` inside the stage.
   */
  addArg(key: string, defaultValue: string | undefined): void {
    this.allowed.set(key, defaultValue ?? this.meta.get(key));
    this.referenced.add(key);
  }

  /** Whether `key` was declared by an ARG (so it shows in history) or is not a builtin. */
  isReferencedOrNotBuiltin(key: string): boolean {
    return this.referenced.has(key) || !BUILTIN_BUILD_ARGS.has(key);
  }

  /** The value an ARG (declared with `defaults`) resolves to: --build-arg first, then its default. */
  private valueOf(key: string, defaults: ReadonlyMap<string, string | undefined>): string | undefined {
    const given = this.fromOptions.get(key);
    if (given !== undefined && given !== null) return given;
    return defaults.get(key);
  }

  /** Every ARG of the stage that has a value, plus given builtin (proxy) args. */
  allowedValues(): Map<string, string> {
    return this.valuesFrom(this.allowed);
  }

  /** Meta args with values, plus given builtin args: what FROM lines expand with. */
  metaValues(): Map<string, string> {
    return this.valuesFrom(this.meta);
  }

  private valuesFrom(declared: ReadonlyMap<string, string | undefined>): Map<string, string> {
    const out = new Map<string, string>();
    const keys = new Set([...declared.keys(), ...[...this.fromOptions.keys()].filter((k) => BUILTIN_BUILD_ARGS.has(k))]);
    for (const key of keys) {
      const value = this.valueOf(key, declared);
      if (value !== undefined) out.set(key, value);
    }
    return out;
  }

  /**
   * `KEY=value` for the stage's args not overridden by the config's ENV: what RUN gets in
   * its environment beyond the image's (moby FilterAllowed), sorted for stable output.
   */
  filterAllowed(configEnv: readonly string[]): string[] {
    const envKeys = new Set(configEnv.map((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e)));
    const out: string[] = [];
    for (const [key, value] of this.allowedValues()) if (!envKeys.has(key)) out.push(`${key}=${value}`);
    return out.sort();
  }

  /** Given args no ARG declared and that are not builtin, sorted: Docker warns about them. */
  unconsumed(): string[] {
    return [...this.fromOptions.keys()].filter((k) => !this.referenced.has(k) && !BUILTIN_BUILD_ARGS.has(k)).sort();
  }
}
