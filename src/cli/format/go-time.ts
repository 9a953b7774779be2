/**
 * Go's time layouts the docker CLI prints in local time: `time.Time.String()`
 * ("2006-01-02 15:04:05 -0700 MST"), RFC 3339, RFC 3339 with fixed nanoseconds (events),
 * and ANSIC ("Mon Jan _2 15:04:05 2006").
 */
const pad = (n: number | bigint, width = 2) => String(n).padStart(width, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function offsetText(date: Date, colon: boolean): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

function zoneName(date: Date): string {
  if (date.getTimezoneOffset() === 0 && (!process.env.TZ || /^(UTC|Etc\/UTC|UTC0|:?UTC)$/.test(process.env.TZ))) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  const name = part?.value ?? '';
  // Go prints the numeric offset where the zone has no abbreviation.
  return /^GMT[+-]/.test(name) || name === '' ? offsetText(date, false) : name === 'GMT' && date.getTimezoneOffset() === 0 ? 'UTC' : name;
}

function dateTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function clock(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Go's `time.Unix(sec, 0).String()`. */
export function goTimeString(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  return `${dateTime(date)} ${clock(date)} ${offsetText(date, false)} ${zoneName(date)}`;
}

/** RFC 3339 in local time: `2006-01-02T15:04:05Z07:00`. */
export function rfc3339(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const zone = date.getTimezoneOffset() === 0 ? 'Z' : offsetText(date, true);
  return `${dateTime(date)}T${clock(date)}${zone}`;
}

/** `2006-01-02T15:04:05.000000000Z07:00` from nanoseconds since the epoch (docker events). */
export function rfc3339NanoFixed(nanos: bigint): string {
  const ms = Number(nanos / 1_000_000n);
  const date = new Date(ms);
  const frac = ((nanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const zone = date.getTimezoneOffset() === 0 ? 'Z' : offsetText(date, true);
  return `${dateTime(date)}T${clock(date)}.${pad(frac, 9)}${zone}`;
}

/** Go's time.ANSIC for an RFC 3339 string, in that string's own zone offset (UTC for Z). */
export function ansic(rfc3339Text: string): string {
  const parsed = Date.parse(rfc3339Text);
  if (Number.isNaN(parsed)) return rfc3339Text;
  const m = /([+-])(\d{2}):(\d{2})$/.exec(rfc3339Text);
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(parsed + offsetMin * 60_000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
