/**
 * A streaming tar reader: ustar, GNU and v7 headers, pax extended and global headers, GNU long
 * names. Entry content is handed out as an async iterable and never buffered; whatever the
 * consumer leaves unread is skipped before the next header. Values are kept byte-exact (pax
 * xattrs are binary), and anything the reader cannot represent faithfully is refused rather
 * than approximated.
 */
import { DataCorruptError, InvalidArgumentError, NotImplementedError } from '../base/index.js';
import { ByteReader } from './byte-reader.js';
import {
  BLOCK_SIZE, PAX_XATTR_PREFIX, cString, decodePaxRecords, decodeUtf8, field, headerChecksum, paddingFor,
  parseNumericField, type TarEntryType, type TarHeader,
} from './tar-format.js';

export interface TarEntry {
  header: TarHeader;
  /** The content of a regular file; empty for every other type. Read it before the next entry. */
  body: AsyncIterable<Buffer>;
}

/** Extended headers (pax, GNU long names) larger than this are refused as hostile. */
const MAX_EXTENDED_HEADER = 1 << 20;

const ENTRY_TYPES: Record<string, TarEntryType> = {
  '\0': 'file', '0': 'file', '7': 'file', // '7' is "contiguous", a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

const TYPE_NAMES: Record<string, string> = {
  S: 'GNU sparse file', D: 'GNU dump directory', M: 'GNU multi-volume continuation', N: 'GNU old long name',
  V: 'GNU volume label', A: 'Solaris ACL', E: 'Solaris extended attributes', X: 'Solaris extended header',
};

/**
 * Reads entries until the end-of-archive marker (or a clean end of input at a header
 * boundary, which Go's reader accepts too). Bytes after the marker are left in `source`.
 */
export async function* readTarEntries(source: AsyncIterator<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  let globalRecords = new Map<string, Buffer>();
  let localRecords = new Map<string, Buffer>();
  let gnuLongName: Buffer | undefined;
  let gnuLongLink: Buffer | undefined;

  for (;;) {
    const headerOffset = reader.offset;
    const block = await reader.readExactly(BLOCK_SIZE);
    if (!block || isZeroBlock(block)) return;
    verifyChecksum(block, headerOffset);

    const typeflag = String.fromCharCode(block[156]!);
    const rawSize = parseNumericField(field(block, 'size'), 'size');

    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (rawSize > MAX_EXTENDED_HEADER) {
        throw new InvalidArgumentError(`tar extended header at byte ${headerOffset} is ${rawSize} bytes; the limit is ${MAX_EXTENDED_HEADER}`);
      }
      const data = (await reader.readExactly(rawSize)) ?? Buffer.alloc(0);
      if (data.length !== rawSize) throw new DataCorruptError(`tar archive truncated at byte ${reader.offset}`);
      await reader.skip(paddingFor(rawSize));
      if (typeflag === 'x') localRecords = mergeRecords(localRecords, decodePaxRecords(data));
      else if (typeflag === 'g') globalRecords = mergeRecords(globalRecords, decodePaxRecords(data));
      else if (typeflag === 'L') gnuLongName = cString(data);
      else gnuLongLink = cString(data);
      continue;
    }

    const records = mergeRecords(globalRecords, localRecords);
    const header = buildHeader(block, typeflag, records, gnuLongName, gnuLongLink, headerOffset);
    localRecords = new Map();
    gnuLongName = undefined;
    gnuLongLink = undefined;

    // Only regular files carry data. Other types may still have a size field (directories
    // often do, from st_size); like Go's reader, it is ignored for them.
    const dataSize = header.type === 'file' ? header.size : 0;
    let remaining = dataSize;
    const body: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        while (remaining > 0) {
          const chunk = await reader.take(remaining);
          if (!chunk) throw new DataCorruptError(`tar archive truncated in the content of ${JSON.stringify(header.name)}`);
          remaining -= chunk.length;
          yield chunk;
        }
      },
    };
    yield { header, body };
    await reader.skip(remaining);
    // The docker CLI's build context for `-f -` ends right after the last file's data, with
    // neither padding nor end-of-archive blocks; Go's reader takes that as the end, and so
    // does this one (a stream that ends inside the padding ends the archive).
    const padding = paddingFor(dataSize);
    if ((await reader.skipAtMost(padding)) < padding) return;
  }
}

function buildHeader(
  block: Buffer, typeflag: string, records: Map<string, Buffer>,
  gnuLongName: Buffer | undefined, gnuLongLink: Buffer | undefined, offset: number,
): TarHeader {
  const at = `tar header at byte ${offset}`;
  const name = recordText(records, 'path') ?? (gnuLongName ? decodeUtf8(gnuLongName, `${at}: GNU long name`) : ustarName(block, at));
  let type = ENTRY_TYPES[typeflag];
  if (!type) {
    const what = TYPE_NAMES[typeflag] ?? `type ${JSON.stringify(typeflag)}`;
    throw new NotImplementedError(`tar entry ${JSON.stringify(name)} has unsupported ${what}`);
  }
  // Old tars mark directories only by a trailing slash on a regular-file entry.
  if (type === 'file' && name.endsWith('/')) type = 'directory';
  for (const key of records.keys()) {
    if (key.startsWith('GNU.sparse.')) throw new NotImplementedError(`tar entry ${JSON.stringify(name)} is a sparse file, which is not supported`);
  }

  const linkname = recordText(records, 'linkpath')
    ?? (gnuLongLink ? decodeUtf8(gnuLongLink, `${at}: GNU long link name`) : decodeUtf8(cString(field(block, 'linkname')), `${at}: link name`));
  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of records) {
    if (key.startsWith(PAX_XATTR_PREFIX) && key.length > PAX_XATTR_PREFIX.length) xattrs.set(key.slice(PAX_XATTR_PREFIX.length), value);
  }
  if (name.includes('\0') || linkname.includes('\0')) throw new InvalidArgumentError(`${at}: a name contains a NUL byte`);

  return {
    name,
    type,
    mode: parseNumericField(field(block, 'mode'), 'mode') & 0o7777,
    uid: recordInteger(records, 'uid', name) ?? parseNumericField(field(block, 'uid'), 'uid'),
    gid: recordInteger(records, 'gid', name) ?? parseNumericField(field(block, 'gid'), 'gid'),
    size: recordInteger(records, 'size', name) ?? parseNumericField(field(block, 'size'), 'size'),
    mtime: recordTime(records, 'mtime', name) ?? parseNumericField(field(block, 'mtime'), 'mtime'),
    atime: recordTime(records, 'atime', name),
    linkname,
    devmajor: parseNumericField(field(block, 'devmajor'), 'devmajor'),
    devminor: parseNumericField(field(block, 'devminor'), 'devminor'),
    xattrs,
  };
}

/** The name field, joined with the ustar prefix field when the block is POSIX ustar. */
function ustarName(block: Buffer, at: string): string {
  const name = cString(field(block, 'name'));
  const isPosixUstar = field(block, 'magic').toString('latin1') === 'ustar\0';
  const prefix = isPosixUstar ? cString(field(block, 'prefix')) : Buffer.alloc(0);
  const full = prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), name]) : name;
  return decodeUtf8(full, `${at}: entry name`);
}

function verifyChecksum(block: Buffer, offset: number): void {
  const stored = parseNumericField(field(block, 'checksum'), 'checksum');
  const { unsigned, signed } = headerChecksum(block);
  // Some old tars summed signed bytes; both are accepted, as GNU tar and Go do.
  if (stored !== unsigned && stored !== signed) {
    throw new DataCorruptError(`tar header at byte ${offset} has a bad checksum (is the layer compressed with something other than gzip, or truncated?)`);
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** Later records override earlier ones; an empty value deletes the key (POSIX pax rule). */
function mergeRecords(base: Map<string, Buffer>, overrides: Map<string, Buffer>): Map<string, Buffer> {
  const merged = new Map(base);
  for (const [key, value] of overrides) {
    if (value.length === 0) merged.delete(key);
    else merged.set(key, value);
  }
  return merged;
}

function recordText(records: Map<string, Buffer>, key: string): string | undefined {
  const value = records.get(key);
  return value === undefined ? undefined : decodeUtf8(value, `pax record ${key}`);
}

function recordInteger(records: Map<string, Buffer>, key: string, entry: string): number | undefined {
  const text = records.get(key)?.toString('latin1');
  if (text === undefined) return undefined;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new DataCorruptError(`tar entry ${JSON.stringify(entry)}: pax ${key} is not a valid number: ${JSON.stringify(text)}`);
  return value;
}

function recordTime(records: Map<string, Buffer>, key: string, entry: string): number | undefined {
  const text = records.get(key)?.toString('latin1');
  if (text === undefined) return undefined;
  const value = /^-?[0-9]+(\.[0-9]*)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new DataCorruptError(`tar entry ${JSON.stringify(entry)}: pax ${key} is not a valid time: ${JSON.stringify(text)}`);
  return value;
}
