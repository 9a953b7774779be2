/**
 * Tar headers as Go's archive/tar writes them in PAX format (what the docker CLI sends as a
 * build context): a USTAR header, with a pax extended header before it only when a value does
 * not fit USTAR (long or non-ASCII names and link targets, sizes of 8 GiB and more).
 * Owner names are left empty and times are whole seconds, so the same tree gives the same bytes.
 */

export const BLOCK = 512;
/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

export type TarType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

const TYPEFLAG: Record<TarType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

export interface TarHeader {
  /** `/`-separated, relative; directories end with `/`. */
  name: string;
  type: TarType;
  /** Permission bits with setuid/setgid/sticky (no file-type bits). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content that follow (0 for everything but files). */
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
const MAX_OCTAL_12 = 0o77777777777;
const MAX_OCTAL_8 = 0o7777777;

const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

/** The header blocks of one entry (a pax header first where needed). */
export function encodeTarHeader(h: TarHeader): Buffer {
  const pax: [string, string][] = [];
  let name = h.name;
  let prefix = '';
  if (!fitsUstar(name, NAME_SIZE)) {
    const split = splitUstarPath(name);
    if (split) [prefix, name] = split;
    else pax.push(['path', h.name]);
  }
  const linkname = h.linkname ?? '';
  if (!fitsUstar(linkname, NAME_SIZE)) pax.push(['linkpath', linkname]);
  let size = h.size;
  if (size > MAX_OCTAL_12) {
    pax.push(['size', String(size)]);
    size = 0;
  }
  const mtime = Math.min(Math.max(0, Math.trunc(h.mtime)), MAX_OCTAL_12);
  const ustar = ustarBlock({ ...h, name, size, mtime, linkname }, prefix);
  if (pax.length === 0) return ustar;
  pax.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const records = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)));
  const paxHeader = ustarBlock({
    name: paxHeaderName(h.name), type: 'file', mode: 0, uid: 0, gid: 0, size: records.length, mtime: 0, linkname: '',
  }, '', 'x');
  return Buffer.concat([paxHeader, records, padding(records.length), ustar]);
}

/** Zeros that fill the last block of `size` bytes of content. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

function fitsUstar(value: string, size: number): boolean {
  return isAscii(value) && Buffer.byteLength(value) <= size;
}

/** Go's splitUSTARPath: a long ASCII name split at a `/` into prefix (≤155) and name (≤100). */
function splitUstarPath(name: string): [string, string] | undefined {
  let length = name.length;
  if (length <= NAME_SIZE || !isAscii(name)) return undefined;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > NAME_SIZE || nlen === 0 || i > PREFIX_SIZE) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** Go's name for a pax header entry: `dir/PaxHeaders.0/base`, made ASCII and cut to fit. */
function paxHeaderName(name: string): string {
  // path.Join(path.Split(name)…): a directory's name ends with `/`, so its base is empty.
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const base = name.slice(slash + 1);
  const joined = base === '' ? `${dir}PaxHeaders.0` : `${dir}PaxHeaders.0/${base}`;
  return joined.replace(/[^\x00-\x7f]/g, '').slice(0, NAME_SIZE);
}

/** `"<len> key=value\n"`, where len counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): Buffer {
  const body = Buffer.byteLength(` ${key}=${value}\n`);
  let length = body + String(body).length;
  while (body + String(length).length !== length) length = body + String(length).length;
  return Buffer.from(`${length} ${key}=${value}\n`);
}

function ustarBlock(h: TarHeader, prefix: string, typeflag = TYPEFLAG[h.type]): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, 0, NAME_SIZE, h.name);
  writeOctal(b, 100, 8, h.mode & 0o7777);
  writeOctal(b, 108, 8, Math.min(h.uid, MAX_OCTAL_8));
  writeOctal(b, 116, 8, Math.min(h.gid, MAX_OCTAL_8));
  writeOctal(b, 124, 12, h.size);
  writeOctal(b, 136, 12, h.mtime);
  b.write(typeflag, 156, 'latin1');
  writeString(b, 157, NAME_SIZE, h.linkname ?? '');
  b.write('ustar\x0000', 257, 'latin1');
  // Go leaves the device numbers of a pax header block empty.
  if (typeflag !== 'x') {
    writeOctal(b, 329, 8, h.devmajor ?? 0);
    writeOctal(b, 337, 8, h.devminor ?? 0);
  }
  writeString(b, 345, PREFIX_SIZE, prefix);
  // The checksum is computed with its own field as spaces; written as 6 octal digits, NUL, space.
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  writeOctal(b, 148, 7, sum);
  b[155] = 0x20;
  return b;
}

function writeString(b: Buffer, offset: number, size: number, value: string): void {
  const bytes = Buffer.from(value.replace(/[^\x00-\x7f]/g, ''), 'latin1');
  bytes.copy(b, offset, 0, Math.min(bytes.length, size));
}

/** Zero-padded octal with a trailing NUL, as Go's formatOctal. */
function writeOctal(b: Buffer, offset: number, size: number, value: number): void {
  const text = Math.max(0, Math.trunc(value)).toString(8).padStart(size - 1, '0');
  b.write(text.slice(-(size - 1)), offset, 'latin1');
  b[offset + size - 1] = 0;
}
