import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, UnavailableError, errorMessage } from '../base/index.js';
import type { SourceEntry, SourceTree } from './source-tree.js';

/** ADD's remote sources: `http://` and `https://` URLs. */
export function isRemoteUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Docker's name for a download: the URL path's last component, else Content-Disposition's filename. */
function fileNameFor(url: URL, contentDisposition: string | null): string {
  const fromPath = posix.basename(url.pathname);
  if (fromPath !== '' && fromPath !== '/') return fromPath;
  const match = contentDisposition ? /filename="?([^";]+)"?/i.exec(contentDisposition) : null;
  const fromHeader = match ? posix.basename(match[1]!) : '';
  if (fromHeader === '' || fromHeader === '.' || fromHeader === '..') throw new InvalidArgumentError(`cannot determine filename from url: ${url.href}`);
  return fromHeader;
}

/**
 * Downloads an ADD URL into a fresh directory under `scratchDir`, streamed to disk, as
 * Docker does: mode 0600, mtime from Last-Modified when the server sends one. The caller
 * removes `tree.root` when the step is done.
 */
export async function downloadSource(source: string, scratchDir: string, signal?: AbortSignal): Promise<{ tree: SourceTree; entry: SourceEntry }> {
  const url = new URL(source);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new UnavailableError(`failed to GET ${source}: ${errorMessage(err)}`, { cause: err });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw new UnavailableError(`failed to GET ${source} with status ${response.status} ${response.statusText}`);
  }
  const name = fileNameFor(url, response.headers.get('content-disposition'));
  const root = join(scratchDir, `download-${randomBytes(8).toString('hex')}`);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const path = join(root, name);
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(path, { mode: 0o600, flags: 'wx' }));
  await chmod(path, 0o600);
  const lastModified = Date.parse(response.headers.get('last-modified') ?? '');
  if (!Number.isNaN(lastModified)) await utimes(path, new Date(lastModified), new Date(lastModified));
  const tree: SourceTree = { kind: 'download', root };
  return { tree, entry: { tree, rel: name, original: name, stat: await lstat(path) } };
}
