import { GoNil, GoStruct, goMarshal, isTrue, printValue, formatNumber } from './values.js';

export type TemplateFunc = (...args: unknown[]) => unknown;

export class TemplateExecError extends Error {}

function lengthOf(v: unknown): number {
  if (v instanceof GoNil) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object' && !(v instanceof GoStruct)) return Object.keys(v).length;
  throw new TemplateExecError(`error calling len: len of type ${typeof v}`);
}

function compare(name: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateExecError(`error calling ${name}: incompatible types for comparison`);
}

function basicEq(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v instanceof GoNil || v === undefined ? null : v);
  return norm(a) === norm(b);
}

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %t %f %x %X %%, with width and precision. */
export function sprintf(format: string, ...args: unknown[]): string {
  let argIndex = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([vsdqtfegxXc%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (argIndex >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[argIndex++];
    let s: string;
    switch (verb) {
      case 'd': s = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${typeof arg}=${printValue(arg)})`; break;
      case 'q': s = JSON.stringify(printValue(arg)); break;
      case 'f': s = typeof arg === 'number' ? arg.toFixed(prec !== undefined ? Number(prec) : 6) : `%!f(${printValue(arg)})`; break;
      case 'e': s = typeof arg === 'number' ? arg.toExponential(prec !== undefined ? Number(prec) : 6).replace(/e([+-])(\d)$/, 'e$10$2') : `%!e(${printValue(arg)})`; break;
      case 'g': s = typeof arg === 'number' ? formatNumber(arg) : `%!g(${printValue(arg)})`; break;
      case 'x': case 'X': {
        s = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(printValue(arg)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      case 'c': s = typeof arg === 'number' ? String.fromCodePoint(arg) : `%!c(${printValue(arg)})`; break;
      case 't': s = typeof arg === 'boolean' ? String(arg) : `%!t(${printValue(arg)})`; break;
      default: s = printValue(arg);
    }
    if ((verb === 's' || verb === 'v') && prec !== undefined) s = s.slice(0, Number(prec));
    if (width !== undefined && s.length < Number(width)) {
      const padChar = flags.includes('0') && !flags.includes('-') ? '0' : ' ';
      s = flags.includes('-') ? s.padEnd(Number(width), ' ') : s.padStart(Number(width), padChar);
    }
    return s;
  }) + (argIndex < args.length ? `%!(EXTRA ${args.slice(argIndex).map((a) => printValue(a)).join(', ')})` : '');
}

function jsonOf(v: unknown): string {
  if (v instanceof GoStruct) return v.goJSON();
  return goMarshal(v === undefined ? null : v, false);
}

/** Go's text/template built-ins. */
const BUILTINS: Record<string, TemplateFunc> = {
  and: (...args) => { for (const a of args) if (!isTrue(a)) return a; return args[args.length - 1]; },
  or: (...args) => { for (const a of args) if (isTrue(a)) return a; return args[args.length - 1]; },
  not: (a) => !isTrue(a),
  len: (a) => lengthOf(a),
  index: (item, ...keys) => {
    let v = item;
    for (const k of keys) {
      if (v instanceof GoNil || v === undefined || v === null) {
        if (v instanceof GoNil && v.type === 'map') return '';
        throw new TemplateExecError(`error calling index: index of untyped nil`);
      }
      if (Array.isArray(v) || typeof v === 'string') {
        if (typeof k !== 'number') throw new TemplateExecError(`error calling index: cannot index slice/array with type ${typeof k}`);
        if (k < 0 || k >= v.length) throw new TemplateExecError(`error calling index: index out of range: ${k}`);
        v = typeof v === 'string' ? v.charCodeAt(k) : v[k];
      } else if (typeof v === 'object') {
        const obj = v as Record<string, unknown>;
        v = Object.prototype.hasOwnProperty.call(obj, String(k)) ? obj[String(k)] : '';
      } else {
        throw new TemplateExecError(`error calling index: can't index item of type ${typeof v}`);
      }
    }
    return v;
  },
  slice: (item, ...idx) => {
    if (typeof item === 'string' || Array.isArray(item)) {
      const [a = 0, b = item.length] = idx as number[];
      return item.slice(a, b);
    }
    throw new TemplateExecError(`error calling slice: can't slice item of type ${typeof item}`);
  },
  print: (...args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + printValue(a)).join(''),
  println: (...args) => args.map((a) => printValue(a)).join(' ') + '\n',
  printf: (format, ...args) => sprintf(String(format), ...args),
  eq: (a, ...bs) => bs.some((b) => basicEq(a, b)),
  ne: (a, b) => !basicEq(a, b),
  lt: (a, b) => compare('lt', a, b) < 0,
  le: (a, b) => compare('le', a, b) <= 0,
  gt: (a, b) => compare('gt', a, b) > 0,
  ge: (a, b) => compare('ge', a, b) >= 0,
  html: (...args) => args.map((a) => printValue(a)).join('').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  urlquery: (...args) => encodeURIComponent(args.map((a) => printValue(a)).join('')),
  js: (...args) => JSON.stringify(args.map((a) => printValue(a)).join('')).slice(1, -1),
};

/** The docker CLI's template functions (templates.basicFunctions). */
const DOCKER_FUNCS: Record<string, TemplateFunc> = {
  json: (v) => jsonOf(v),
  split: (s, sep) => String(s).split(String(sep)),
  join: (list, sep) => (Array.isArray(list) ? list.map((x) => printValue(x, false)).join(String(sep)) : list instanceof GoNil ? '' : printValue(list)),
  title: (s) => String(s).replace(/(^|[^A-Za-z0-9_'])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  pad: (s, prefix, suffix) => (String(s) === '' ? '' : ' '.repeat(Number(prefix)) + String(s) + ' '.repeat(Number(suffix))),
  truncate: (s, length) => (String(s).length < Number(length) ? String(s) : String(s).slice(0, Number(length))),
};

/** For table headers: the functions that would change a header pass it through unchanged. */
const HEADER_FUNCS: Record<string, TemplateFunc> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
};

export function functionsFor(mode: 'normal' | 'header'): Record<string, TemplateFunc> {
  return mode === 'header' ? { ...BUILTINS, ...DOCKER_FUNCS, ...HEADER_FUNCS } : { ...BUILTINS, ...DOCKER_FUNCS };
}

export const KNOWN_FUNCTIONS = new Set([...Object.keys(BUILTINS), ...Object.keys(DOCKER_FUNCS)]);
