import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { readSmallFile, SMALL_FILE } from '../base/index.js';
import { hostPath, walkTree, type SourceEntry, type SourceTree } from './source-tree.js';

/**
 * The checksums Docker's classic builder puts in COPY/ADD history (`file:<hex>`,
 * `dir:<hex>`, `multi:<hex>`) and caches on: a tarsum-v1 header of each file (name, mode,
 * owner, size, type, link target — never the mtime) followed by its content. Files of the
 * build context are hashed the way Docker hashes a context the docker CLI sent (mode without
 * type bits, owner 0, no user names), files of an image the way it hashes files on disk.
 */

export type HashStyle = 'context' | 'disk';

function typeflag(stat: Stats): string {
  if (stat.isFile()) return '0';
  if (stat.isSymbolicLink()) return '2';
  if (stat.isCharacterDevice()) return '3';
  if (stat.isBlockDevice()) return '4';
  if (stat.isDirectory()) return '5';
  if (stat.isFIFO()) return '6';
  return '0';
}

/** tarsum's v1 header selection, in its order, as `name` + value strings. */
function headerText(name: string, stat: Stats, linkname: string, style: HashStyle): string {
  const isDir = stat.isDirectory();
  const fields: [string, string][] = [
    ['name', isDir && !name.endsWith('/') ? `${name}/` : name],
    ['mode', String(style === 'context' ? stat.mode & 0o7777 : stat.mode)],
    ['uid', String(style === 'context' ? 0 : stat.uid)],
    ['gid', String(style === 'context' ? 0 : stat.gid)],
    ['size', String(stat.isFile() ? stat.size : 0)],
    ['typeflag', typeflag(stat)],
    ['linkname', linkname],
    ['uname', style === 'disk' && stat.uid === 0 ? 'root' : ''],
    ['gname', style === 'disk' && stat.gid === 0 ? 'root' : ''],
    ['devmajor', '0'],
    ['devminor', '0'],
  ];
  return fields.map(([k, v]) => k + v).join('');
}

/** The hex checksum of one file, directory entry or link at `path`, named `name`. */
export async function hashFile(path: string, name: string, stat: Stats, style: HashStyle): Promise<string> {
  const hash = createHash('sha256');
  const linkname = stat.isSymbolicLink() ? await readlink(path) : '';
  hash.update(headerText(name, stat, linkname, style));
  if (stat.isFile() && stat.size > 0 && stat.size <= SMALL_FILE) hash.update(readSmallFile(path, stat.size));
  else if (stat.isFile() && stat.size > 0) {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

const styleOf = (tree: SourceTree): HashStyle => (tree.kind === 'context' ? 'context' : 'disk');

function joinHash(prefix: string, parts: readonly string[]): string {
  return `${prefix}:${createHash('sha256').update(parts.join(',')).digest('hex')}`;
}

/** `file:<hex>` for a file or link, `dir:<hex>` over every entry of a directory (itself included). */
export async function sourceChecksum(entry: SourceEntry): Promise<string> {
  const style = styleOf(entry.tree);
  if (!entry.stat.isDirectory()) return `file:${await hashFile(hostPath(entry.tree, entry.rel), entry.rel, entry.stat, style)}`;
  const sums: string[] = [];
  if (entry.rel !== '') sums.push(await hashFile(hostPath(entry.tree, entry.rel), entry.rel, entry.stat, style));
  for await (const child of walkTree(entry.tree, entry.rel)) {
    sums.push(await hashFile(hostPath(entry.tree, child.rel), child.rel, child.stat, style));
  }
  return joinHash('dir', sums.sort());
}

/** An ADD URL's checksum: the downloaded file's, with no `file:` prefix, as Docker writes it. */
export async function downloadChecksum(entry: SourceEntry): Promise<string> {
  return hashFile(hostPath(entry.tree, entry.rel), entry.rel, entry.stat, 'disk');
}

/** One source's checksum, or `multi:<hex>` over several, as Docker's getSourceHashFromInfos. */
export function combinedChecksum(checksums: readonly string[]): string {
  return checksums.length === 1 ? checksums[0]! : joinHash('multi', checksums);
}
