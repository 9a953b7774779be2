import { InvalidArgumentError } from '../../base/index.js';
import { goQuote } from './go-quote.js';

/**
 * Go's strconv number parsing where Dockerfile values go through it, with its accept/reject
 * rules (the exact Go error text is not reproduced where BuildKit replaces it anyway).
 */

/** `strconv.ParseBool`. */
export function parseGoBool(value: string): boolean | undefined {
  switch (value) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

/** `strconv.ParseUint(value, base, bits)` for base 8 or 10: digits only, no sign or prefix. */
export function parseGoUint(value: string, base: 8 | 10, bits: number): number | undefined {
  const digits = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(value)) return undefined;
  const parsed = parseInt(value, base);
  return parsed < 2 ** bits ? parsed : undefined;
}

/** `strconv.ParseInt(value, 10, bits)` with Go's error wording. */
export function parseGoInt(value: string, bits: number): number {
  if (!/^[+-]?[0-9]+$/.test(value)) {
    throw new InvalidArgumentError(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  }
  const parsed = parseInt(value, 10);
  const limit = 2 ** (bits - 1);
  if (parsed >= limit || parsed < -limit) {
    throw new InvalidArgumentError(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  }
  return parsed;
}

/** `strconv.ParseFloat(value, 64)` for decimal notation. */
export function parseGoFloat(value: string): number | undefined {
  if (!/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(value)) return undefined;
  return Number(value);
}

const BINARY_UNITS: ReadonlyMap<string, number> = new Map([
  ['k', 1024],
  ['m', 1024 ** 2],
  ['g', 1024 ** 3],
  ['t', 1024 ** 4],
  ['p', 1024 ** 5],
]);

/**
 * go-units' `RAMInBytes`: `64m`, `1.5GiB`, `512 kb`, `100` (bytes); units are binary.
 * Returns undefined for what it rejects.
 */
export function parseRamInBytes(text: string): number | undefined {
  let sep = -1;
  for (let i = text.length - 1; i >= 0; i--) {
    if ('01234567890. '.includes(text[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep < 0) return undefined;
  const num = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  let suffix = text.slice(sep + 1);
  const size = parseGoFloat(num);
  if (size === undefined || size < 0) return undefined;
  if (suffix === '') return Math.trunc(size);
  if (suffix.length > 3) return undefined;
  suffix = suffix.toLowerCase();
  if (suffix[0] === 'b') return suffix.length === 1 ? Math.trunc(size) : undefined;
  const multiplier = BINARY_UNITS.get(suffix[0]!);
  if (multiplier === undefined) return undefined;
  if (suffix.length === 2 && suffix[1] !== 'b') return undefined;
  if (suffix.length === 3 && suffix.slice(1) !== 'ib') return undefined;
  return Math.trunc(size * multiplier);
}
