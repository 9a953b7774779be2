import { InvalidArgumentError } from '../../base/index.js';

/**
 * Docker's filter arguments (`?filters=` on list and event endpoints): a set of values per
 * key. On the wire they are `{"key":{"value":true}}`; the legacy `{"key":["value"]}` form
 * is still accepted, as Docker does.
 */
export class FilterArgs {
  private readonly fields = new Map<string, Set<string>>();

  static fromJSON(text: string | null | undefined): FilterArgs {
    const args = new FilterArgs();
    if (!text) return args;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalidFilter();
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidFilter();
    for (const [key, values] of Object.entries(parsed as Record<string, unknown>)) {
      if (Array.isArray(values)) {
        for (const v of values) {
          if (typeof v !== 'string') throw invalidFilter();
          args.add(key, v);
        }
      } else if (values && typeof values === 'object') {
        for (const [v, on] of Object.entries(values as Record<string, unknown>)) {
          if (typeof on !== 'boolean') throw invalidFilter();
          if (on) args.add(key, v);
          else args.fields.set(key, args.fields.get(key) ?? new Set());
        }
      } else if (values !== null) {
        throw invalidFilter();
      }
    }
    return args;
  }

  /** Parses CLI `--filter key=value` options. */
  static fromFlags(flags: readonly string[]): FilterArgs {
    const args = new FilterArgs();
    for (const flag of flags) {
      const eq = flag.indexOf('=');
      if (eq < 0) throw new InvalidArgumentError(`bad format of filter (expected name=value)`);
      args.add(flag.slice(0, eq).trim().toLowerCase(), flag.slice(eq + 1).trim());
    }
    return args;
  }

  toJSON(): Record<string, Record<string, boolean>> {
    const out: Record<string, Record<string, boolean>> = {};
    for (const [key, values] of this.fields) out[key] = Object.fromEntries([...values].map((v) => [v, true]));
    return out;
  }

  /** The JSON text for the `filters` query parameter; '' when empty. */
  toQuery(): string {
    return this.fields.size === 0 ? '' : JSON.stringify(this.toJSON());
  }

  add(key: string, value: string): this {
    let set = this.fields.get(key);
    if (!set) this.fields.set(key, (set = new Set()));
    set.add(value);
    return this;
  }

  get(key: string): string[] {
    return [...(this.fields.get(key) ?? [])];
  }

  contains(key: string): boolean {
    return this.fields.has(key);
  }

  keys(): string[] {
    return [...this.fields.keys()];
  }

  get size(): number {
    return this.fields.size;
  }

  /** Refuses keys the endpoint does not know: `invalid filter 'x'`. */
  validate(accepted: readonly string[]): void {
    for (const key of this.fields.keys()) if (!accepted.includes(key)) throw invalidFilter(key);
  }

  /** A boolean filter (`dangling=true`); conflicting or non-boolean values are refused. */
  getBool(key: string, fallback: boolean): boolean {
    const values = this.fields.get(key);
    if (!values) return fallback;
    if (values.size === 0) throw invalidFilter(key, []);
    const isFalse = values.has('0') || values.has('false');
    const isTrue = values.has('1') || values.has('true');
    if (isFalse === isTrue) throw invalidFilter(key, this.get(key));
    return isTrue;
  }

  /** True when the key is unset, or `source` is exactly one of its values. */
  exactMatch(key: string, source: string): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    return values.has(source);
  }

  /** True when the key is unset, or one of its values equals or prefixes `source`. */
  fuzzyMatch(key: string, source: string): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    if (values.has(source)) return true;
    for (const v of values) if (source.startsWith(v)) return true;
    return false;
  }

  /** True when every `k` or `k=v` value of the key is present in `sources`. */
  matchKVList(key: string, sources: Record<string, string> | undefined): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    if (!sources || Object.keys(sources).length === 0) return false;
    for (const value of values) {
      const eq = value.indexOf('=');
      const k = eq < 0 ? value : value.slice(0, eq);
      if (!Object.prototype.hasOwnProperty.call(sources, k)) return false;
      if (eq >= 0 && sources[k] !== value.slice(eq + 1)) return false;
    }
    return true;
  }
}

/** Docker's message: `invalid filter`, `invalid filter 'key'`, `invalid filter 'key=[a b]'`. */
function invalidFilter(key?: string, values?: string[]): InvalidArgumentError {
  let msg = 'invalid filter';
  if (key !== undefined) {
    msg += ` '${key}`;
    if (values !== undefined) msg += `=[${values.join(' ')}]`;
    msg += `'`;
  }
  return new InvalidArgumentError(msg);
}
