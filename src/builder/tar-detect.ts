import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

/** A tar header block: its checksum field matches the sum of its bytes (field read as spaces). */
function isTarHeader(block: Buffer): boolean {
  if (block.length < BLOCK) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === parseInt(field, 8);
}

/**
 * Whether a file is a tar archive, plain or gzip-compressed: what ADD extracts (Docker's
 * isArchivePath). Only the head is read; bzip2 and xz archives are copied as files.
 */
export async function isTarArchive(path: string): Promise<boolean> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    let data = head.subarray(0, bytesRead);
    if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
      try {
        data = gunzipSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH: a truncated stream is fine */ });
      } catch {
        return false;
      }
    }
    return isTarHeader(data.subarray(0, BLOCK));
  } finally {
    await handle.close();
  }
}
