/**
 * The pieces of the POSIX tar format (ustar headers plus pax extended records) that both the
 * layer writer and the reader need. Kept byte-exact and free of string round-trips because
 * xattr values (security.capability, for one) are binary.
 */
import { DataCorruptError, InvalidArgumentError } from '../base/index.js';

export const BLOCK_SIZE = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char-device' | 'block-device' | 'directory' | 'fifo';

/** One archive member as strata sees it, after pax and GNU long-name records are applied. */
export interface TarHeader {
  /** The name as written in the archive (directories usually end with `/`). */
  name: string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky (`& 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content; only regular files have any. */
  size: number;
  /** Seconds since the epoch; pax records may carry fractions. */
  mtime: number;
  /** Seconds since the epoch, when a pax record gives it. */
  atime?: number;
  /** Symlink text or hard link target; `''` for other types. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes (pax `SCHILY.xattr.<name>`), values as raw bytes. */
  xattrs: Map<string, Buffer>;
}

export const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'char-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

export const PAX_XATTR_PREFIX = 'SCHILY.xattr.';

/** Field offsets and widths of the ustar header block. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export function field(block: Buffer, which: keyof typeof FIELD): Buffer {
  const [offset, width] = FIELD[which];
  return block.subarray(offset, offset + width);
}

/** Zero bytes that pad `size` up to the next block boundary. */
export function paddingFor(size: number): number {
  const rest = size % BLOCK_SIZE;
  return rest === 0 ? 0 : BLOCK_SIZE - rest;
}

/** The largest value an octal numeric field of `width` bytes holds (one byte is the terminator). */
export function octalLimit(width: number): number {
  return 8 ** (width - 1) - 1;
}

/**
 * Parses a numeric header field: octal digits (padded with spaces or NULs, as different tars
 * write them) or GNU base-256 when the high bit of the first byte is set.
 */
export function parseNumericField(bytes: Buffer, what: string): number {
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) return parseBase256(bytes, what);
  const text = bytes.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new DataCorruptError(`tar header field ${what} is not an octal number: ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function parseBase256(bytes: Buffer, what: string): number {
  const negative = (bytes[0]! & 0x40) !== 0;
  let value = BigInt(bytes[0]! & 0x3f);
  for (let i = 1; i < bytes.length; i++) value = (value << 8n) | BigInt(bytes[i]!);
  if (negative) value -= 1n << BigInt(bytes.length * 8 - 2);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DataCorruptError(`tar header field ${what} is out of range`);
  }
  return Number(value);
}

/** Writes `value` as zero-padded octal with a NUL terminator; the caller checks the range. */
export function writeOctal(block: Buffer, which: keyof typeof FIELD, value: number): void {
  const [offset, width] = FIELD[which];
  block.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'latin1');
  block[offset + width - 1] = 0;
}

/** The ustar checksum: the byte sum of the block with the checksum field read as spaces. */
export function headerChecksum(block: Buffer): { unsigned: number; signed: number } {
  const [offset, width] = FIELD.checksum;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= offset && i < offset + width ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

/**
 * One pax record: `"<len> <key>=<value>\n"`, where `<len>` counts the whole record including
 * its own digits.
 */
export function encodePaxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let length = body.length + String(body.length).length;
  if (String(length).length !== String(body.length).length) length = body.length + String(length).length;
  return Buffer.concat([Buffer.from(String(length), 'latin1'), body]);
}

/** Parses the records of a pax extended header. Values stay raw bytes. */
export function decodePaxRecords(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length) {
    // Some writers pad the record block with NULs.
    if (data[offset] === 0) break;
    const space = data.indexOf(0x20, offset);
    if (space < 0) throw new DataCorruptError('malformed pax record: no length');
    const lengthText = data.toString('latin1', offset, space);
    const length = /^[0-9]+$/.test(lengthText) ? parseInt(lengthText, 10) : NaN;
    const end = offset + length;
    if (!(length > 0) || end > data.length || data[end - 1] !== 0x0a) {
      throw new DataCorruptError(`malformed pax record at byte ${offset}`);
    }
    const record = data.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d);
    if (equals <= 0) throw new DataCorruptError(`malformed pax record at byte ${offset}: no key`);
    records.set(decodeUtf8(record.subarray(0, equals), 'pax record key'), Buffer.from(record.subarray(equals + 1)));
    offset = end;
  }
  return records;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Names must be UTF-8: Node paths are strings, and a lossy decode would silently write a
 * different file than the archive names.
 */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InvalidArgumentError(`${what} is not valid UTF-8 (bytes ${Buffer.from(bytes).toString('hex')})`);
  }
}

/** The bytes of a NUL-terminated (or full-width) string field. */
export function cString(bytes: Buffer): Buffer {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}
