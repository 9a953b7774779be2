/**
 * Encodes tar headers deterministically: the same TarHeader always gives the same bytes.
 * Fields that do not fit ustar (long or non-ASCII names, big ids or sizes, xattrs) go into a
 * pax extended header whose records come in a fixed order, with xattrs sorted by name.
 *
 * tar-stream can write pax headers too, but it builds them from JS strings, which mangles
 * binary xattr values such as security.capability; layers need those byte-exact.
 */
import {
  BLOCK_SIZE, FIELD, PAX_XATTR_PREFIX, TYPEFLAG, encodePaxRecord, headerChecksum, octalLimit, paddingFor,
  writeOctal, type TarHeader,
} from './tar-format.js';

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK_SIZE);

/** Fixed fields of our pax extended headers, so they never depend on the entry or the clock. */
const PAX_HEADER_NAME = 'PaxHeader';
const PAX_HEADER_MODE = 0o644;

/** The header block(s) of one entry: an optional pax header with its records, then the ustar block. */
export function encodeTarHeader(header: TarHeader): Buffer {
  const records: Buffer[] = [];
  const name = Buffer.from(header.name, 'utf8');
  const linkname = Buffer.from(header.linkname, 'utf8');
  const nameFits = fitsUstarString(name, FIELD.name[1]);
  const linkFits = fitsUstarString(linkname, FIELD.linkname[1]);
  const size = header.type === 'file' ? header.size : 0;
  const mtime = Math.floor(header.mtime);

  if (!nameFits) records.push(encodePaxRecord('path', name));
  if (!linkFits) records.push(encodePaxRecord('linkpath', linkname));
  if (size > octalLimit(FIELD.size[1])) records.push(encodePaxRecord('size', Buffer.from(String(size))));
  if (header.uid > octalLimit(FIELD.uid[1])) records.push(encodePaxRecord('uid', Buffer.from(String(header.uid))));
  if (header.gid > octalLimit(FIELD.gid[1])) records.push(encodePaxRecord('gid', Buffer.from(String(header.gid))));
  if (mtime < 0 || mtime > octalLimit(FIELD.mtime[1])) records.push(encodePaxRecord('mtime', Buffer.from(String(mtime))));
  for (const key of sortedByBytes([...header.xattrs.keys()])) {
    records.push(encodePaxRecord(PAX_XATTR_PREFIX + key, header.xattrs.get(key)!));
  }

  const ustar = Buffer.alloc(BLOCK_SIZE);
  if (nameFits) name.copy(ustar, FIELD.name[0]);
  writeOctal(ustar, 'mode', header.mode & 0o7777);
  writeOctal(ustar, 'uid', header.uid <= octalLimit(FIELD.uid[1]) ? header.uid : 0);
  writeOctal(ustar, 'gid', header.gid <= octalLimit(FIELD.gid[1]) ? header.gid : 0);
  writeOctal(ustar, 'size', size <= octalLimit(FIELD.size[1]) ? size : 0);
  writeOctal(ustar, 'mtime', mtime >= 0 && mtime <= octalLimit(FIELD.mtime[1]) ? mtime : 0);
  ustar.write(TYPEFLAG[header.type], FIELD.typeflag[0], 1, 'latin1');
  if (linkFits) linkname.copy(ustar, FIELD.linkname[0]);
  writeUstarTail(ustar, header.devmajor, header.devminor);

  if (records.length === 0) return ustar;
  const paxData = Buffer.concat(records);
  const paxBlock = Buffer.alloc(BLOCK_SIZE);
  paxBlock.write(PAX_HEADER_NAME, FIELD.name[0], 'latin1');
  writeOctal(paxBlock, 'mode', PAX_HEADER_MODE);
  writeOctal(paxBlock, 'uid', 0);
  writeOctal(paxBlock, 'gid', 0);
  writeOctal(paxBlock, 'size', paxData.length);
  writeOctal(paxBlock, 'mtime', 0);
  paxBlock.write('x', FIELD.typeflag[0], 1, 'latin1');
  writeUstarTail(paxBlock, 0, 0);
  return Buffer.concat([paxBlock, paxData, Buffer.alloc(paddingFor(paxData.length)), ustar]);
}

/** Magic, version, empty uname/gname, device numbers, then the checksum over all of it. */
function writeUstarTail(block: Buffer, devmajor: number, devminor: number): void {
  block.write('ustar\u000000', FIELD.magic[0], 8, 'latin1');
  writeOctal(block, 'devmajor', devmajor);
  writeOctal(block, 'devminor', devminor);
  // Six octal digits, NUL, space: the traditional checksum layout every reader accepts.
  const { unsigned } = headerChecksum(block);
  block.write(`${unsigned.toString(8).padStart(6, '0')}\u0000 `, FIELD.checksum[0], 8, 'latin1');
}

/** ustar string fields hold plain ASCII that fits; anything else travels in pax (as Go's writer does). */
function fitsUstarString(bytes: Buffer, width: number): boolean {
  if (bytes.length > width) return false;
  for (const byte of bytes) if (byte === 0 || byte > 0x7f) return false;
  return true;
}

function sortedByBytes(names: string[]): string[] {
  return names.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}
