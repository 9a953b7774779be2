import { InvalidArgumentError } from '../../base/index.js';

/**
 * Times on the wire, in Docker's formats: `since`/`until` query values are Unix seconds with
 * an optional `.nanoseconds` part; users may also give RFC 3339 dates or Go durations
 * ("10m", "1h30m") that the client turns into such timestamps. Times are bigint
 * nanoseconds since the epoch, since event times need more precision than a double has.
 */
export type Nanos = bigint;

const NS_PER_SEC = 1_000_000_000n;
const anchor = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Now, in nanoseconds since the epoch, increasing even within one millisecond. */
export function nowNanos(): Nanos {
  return anchor + process.hrtime.bigint();
}

const UNIT_NS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** Go's time.ParseDuration; undefined when `value` is not a duration. */
export function parseGoDuration(value: string): Nanos | undefined {
  let s = value;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return BigInt(Math.round(total)) * BigInt(sign);
}

/** `sec[.fraction]` → nanoseconds; Docker's parseTimestamp. */
function parseSecondsDotNanos(value: string): Nanos {
  const [secText = '', fraction] = value.split('.', 2) as [string, string | undefined];
  if (!/^-?\d+$/.test(secText)) throw new InvalidArgumentError(`invalid seconds "${secText}": invalid syntax`);
  const sec = BigInt(secText);
  if (fraction === undefined || fraction === '') return sec * NS_PER_SEC;
  if (fraction.length > 20) throw new InvalidArgumentError(`invalid nanoseconds: length ${fraction.length} exceeds maximum 20`);
  if (!/^\d+$/.test(fraction)) throw new InvalidArgumentError(`invalid nanoseconds: invalid character in "${fraction}"`);
  const nanos = BigInt(fraction.padEnd(9, '0').slice(0, 9));
  return sec * NS_PER_SEC + nanos;
}

/** A `since`/`until` query value; undefined for ''. */
export function parseUnixTimestamp(value: string | null | undefined): Nanos | undefined {
  if (!value) return undefined;
  try {
    return parseSecondsDotNanos(value);
  } catch (err) {
    throw new InvalidArgumentError(`invalid timestamp "${value}": ${(err as Error).message}`);
  }
}

/** Nanoseconds as Docker's `sec.nnnnnnnnn` query form. */
export function formatUnixTimestamp(ns: Nanos): string {
  const sec = ns / NS_PER_SEC;
  const frac = (ns % NS_PER_SEC + NS_PER_SEC) % NS_PER_SEC;
  return `${sec}.${frac.toString().padStart(9, '0')}`;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/;

/**
 * Docker's timestamp.Parse: a Go duration before `now`, an RFC 3339 date or date-time (local
 * time when it has no zone), or Unix seconds[.nanos].
 */
export function parseTimestamp(value: string, now: Nanos = nowNanos()): Nanos {
  if (value.trim() === '') throw new InvalidArgumentError('failed to parse value as time or duration: value is empty');
  if (value !== '0') {
    const d = parseGoDuration(value);
    if (d !== undefined) return now - d;
  }
  const m = DATE_TIME.exec(value);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    const nanos = BigInt((frac.slice(1) || '0').padEnd(9, '0'));
    let ms: number;
    if (zone && zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
      ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s) - offsetMin * 60_000;
    } else if (zone) {
      ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
    } else {
      ms = new Date(+y!, +mo! - 1, +d!, +h, +mi, +s).getTime();
    }
    return BigInt(ms) * 1_000_000n + nanos;
  }
  if (value.includes('-')) throw new InvalidArgumentError(`parsing time "${value}": cannot parse as RFC 3339`);
  try {
    return parseSecondsDotNanos(value);
  } catch (err) {
    throw new InvalidArgumentError(`failed to parse value as time or duration: ${(err as Error).message}`);
  }
}
