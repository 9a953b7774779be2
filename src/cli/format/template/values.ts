/**
 * How template values behave like Go values: printing (fmt's %v), truth, and the typed
 * empties that Go prints differently from a missing value (`[]`, `map[]`, `<nil>`).
 */

/** A Go nil of a known type: a nil slice prints `[]`, a nil map `map[]`, a nil pointer `<nil>`. */
export class GoNil {
  constructor(readonly type: 'slice' | 'map' | 'pointer') {}
  toJSON(): null {
    return null;
  }
}

/**
 * A Go struct: field access to a name it lacks is an error ("can't evaluate field"), unlike a
 * map. Formatter contexts (one image row…) extend this; their getters are Go's methods.
 */
export abstract class GoStruct {
  abstract readonly goTypeName: string;
  /** The field names `{{json .}}` includes (Go marshals a context's exported methods). */
  abstract fieldNames(): string[];
  goJSON(): string {
    const out: Record<string, unknown> = {};
    for (const name of [...this.fieldNames()].sort()) out[name] = (this as unknown as Record<string, unknown>)[name];
    return goMarshal(out, true);
  }
}

export const NO_VALUE = '<no value>';

/** Go's json.Marshal: HTML characters escaped unless `escapeHTML` is false; U+2028/9 always. */
export function goMarshal(value: unknown, escapeHTML: boolean, indent?: string): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof GoNil ? null : v), indent) ?? 'null';
  let out = text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  if (escapeHTML) out = out.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return out;
}

export function isTrue(value: unknown): boolean {
  if (value === undefined || value === null || value instanceof GoNil) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof GoStruct) return true;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** fmt's %v. */
export function printValue(value: unknown, top = true): string {
  if (value === undefined) return top ? NO_VALUE : '<nil>';
  if (value === null) return top ? NO_VALUE : '<nil>';
  if (value instanceof GoNil) return value.type === 'slice' ? '[]' : value.type === 'map' ? 'map[]' : '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((v) => printValue(v, false)).join(' ')}]`;
  if (value instanceof GoStruct) return `{${value.fieldNames().map((n) => printValue((value as unknown as Record<string, unknown>)[n], false)).join(' ')}}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${printValue((value as Record<string, unknown>)[k], false)}`).join(' ')}]`;
  }
  return String(value);
}

/** Integers as integers; other numbers like Go's %v of a float64 (strconv 'g', shortest). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    return `${m}e${sign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(n);
}
