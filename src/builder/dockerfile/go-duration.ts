import { InvalidArgumentError } from '../../base/index.js';
import { goQuote } from './go-quote.js';

/**
 * Go's `time.ParseDuration`, which HEALTHCHECK's `--interval` and friends go through:
 * `300ms`, `1.5h`, `2h45m`, `-1s`, `0`. Returns nanoseconds.
 */

const UNIT_NANOSECONDS: ReadonlyMap<string, number> = new Map([
  ['ns', 1],
  ['us', 1e3],
  ['\u00b5s', 1e3], // µs, micro sign
  ['\u03bcs', 1e3], // μs, Greek mu
  ['ms', 1e6],
  ['s', 1e9],
  ['m', 60e9],
  ['h', 3600e9],
]);

const MAX_NANOSECONDS = 2 ** 63;

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

export function parseGoDuration(text: string): number {
  const invalid = () => new InvalidArgumentError(`time: invalid duration ${goQuote(text)}`);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();

  let total = 0;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    let i = 0;
    while (isDigit(s[i])) i++;
    const whole = s.slice(0, i);
    let fraction = '';
    if (s[i] === '.') {
      let j = i + 1;
      while (isDigit(s[j])) j++;
      fraction = s.slice(i + 1, j);
      i = j;
      if (whole === '' && fraction === '') throw invalid(); // "." alone has no digits
    }
    s = s.slice(i);
    let unitEnd = 0;
    while (unitEnd < s.length && !(s[unitEnd] === '.' || isDigit(s[unitEnd]))) unitEnd++;
    if (unitEnd === 0) throw new InvalidArgumentError(`time: missing unit in duration ${goQuote(text)}`);
    const unitName = s.slice(0, unitEnd);
    s = s.slice(unitEnd);
    const unit = UNIT_NANOSECONDS.get(unitName);
    if (unit === undefined) {
      throw new InvalidArgumentError(`time: unknown unit ${goQuote(unitName)} in duration ${goQuote(text)}`);
    }
    // Go truncates the fractional part to whole nanoseconds.
    const fractionNs = fraction === '' ? 0 : Math.trunc(Number(fraction) * (unit / 10 ** fraction.length));
    const value = Number(whole === '' ? '0' : whole) * unit + fractionNs;
    total += value;
    if (total > MAX_NANOSECONDS) throw invalid();
  }
  if (!negative && total >= MAX_NANOSECONDS) throw invalid();
  return negative ? -total : total;
}
