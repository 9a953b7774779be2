import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { DataCorruptError, InvalidArgumentError, errnoCode, errorMessage, isStrataError, type Digest } from '../base/index.js';
import { cleanEntryName, decompressIfNeeded, readTarEntries, type TarHeader } from '../archive/index.js';
import type { ImageService } from './image-service.js';
import type { Lease } from './leases.js';
import { METADATA_FILES, digestOfBlobEntry } from './image-archive-format.js';

/** A regular file of the archive, now a blob in the content store. */
export interface ArchiveFile {
  /** Its cleaned path in the archive. */
  name: string;
  /** The digest and size of the bytes as the archive holds them: what an OCI blob name promises. */
  rawDigest: Digest;
  rawSize: number;
  /** The blob stored for it: the same bytes, or, when they were gzip, the uncompressed ones (a layer's diffID). */
  stored: Digest;
  storedSize: number;
}

/** Progress of one layer-looking file as it is read, for `Loading layer` messages. */
export interface LayerReadProgress {
  id: string;
  current: number;
  total: number;
}

export interface ReadArchiveOptions {
  onProgress?: (progress: LayerReadProgress) => void;
  signal?: AbortSignal;
}

/** The top-level documents are read whole; this bounds what a hostile archive can make us hold. */
const MAX_METADATA_BYTES = 16 << 20;
/** Links are followed this many times at most (a loop of links is an error, not a hang). */
const MAX_LINK_HOPS = 16;
const PROGRESS_INTERVAL_MS = 100;

/**
 * What one pass over an image archive found: every regular file already in the content store
 * (under the caller's lease), the links between paths, and the top-level documents.
 */
export class ArchiveContents {
  readonly files = new Map<string, ArchiveFile>();
  readonly links = new Map<string, string>();
  readonly metadata = new Map<string, Buffer>();

  /** The file at `path` (cleaned as an entry name), following links inside the archive. */
  lookup(path: string): ArchiveFile | undefined {
    let name = cleanEntryName(path);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const file = this.files.get(name);
      if (file) return file;
      const target = this.links.get(name);
      if (target === undefined) return undefined;
      name = target;
    }
    throw new InvalidArgumentError(`invalid archive: too many levels of links at ${JSON.stringify(path)}`);
  }
}

/**
 * Reads an image archive (plain or gzip) in one pass, in whatever order its entries come:
 * Docker's layout puts blobs before manifest.json, so nothing can be decided until the end.
 * Each file is streamed into the content store as it is read — gzip files stored inflated,
 * with the digest of the archived bytes kept for verification — and leased, so nothing is
 * collected before the caller records images, and everything is after it gives up.
 */
export async function readImageArchive(service: ImageService, input: Readable, lease: Lease, options: ReadArchiveOptions = {}): Promise<ArchiveContents> {
  const { signal } = options;
  signal?.throwIfAborted();
  const onAbort = () => input.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('load cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const plain = decompressIfNeeded(input);
  const contents = new ArchiveContents();
  try {
    for await (const { header, body } of readTarEntries(plain[Symbol.asyncIterator]() as AsyncIterator<Buffer>)) {
      signal?.throwIfAborted();
      const name = cleanEntryName(header.name);
      if (name === '') continue;
      if (header.type === 'symlink') {
        const target = header.linkname.startsWith('/') ? header.linkname : posix.join(posix.dirname(name), header.linkname);
        contents.links.set(name, cleanEntryName(target));
      } else if (header.type === 'hardlink') {
        contents.links.set(name, cleanEntryName(header.linkname));
      } else if (header.type === 'file') {
        contents.links.delete(name); // a later entry replaces an earlier one, as when extracting
        if (METADATA_FILES.has(name)) contents.metadata.set(name, await readSmall(body, header, name));
        else if (!isLegacyV1File(name)) contents.files.set(name, await ingestFile(service, name, header, body, lease, options.onProgress));
      }
    }
  } catch (err) {
    throw signal?.aborted ? err : asArchiveError(err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    plain.destroy();
  }
  return contents;
}

/**
 * Says that a tar or gzip the reader could not make sense of is the archive's fault: the
 * bare parser message ("bad checksum", "incorrect header check") does not say what was read.
 */
function asArchiveError(err: unknown): unknown {
  if (isStrataError(err) && (err.kind === 'invalid-argument' || err.kind === 'data-corrupt') && !err.message.startsWith('invalid archive')) {
    const Kind = err.kind === 'data-corrupt' ? DataCorruptError : InvalidArgumentError;
    return new Kind(`invalid archive: ${err.message}`, { cause: err });
  }
  if (errnoCode(err)?.startsWith('Z_')) return new DataCorruptError(`invalid archive: gzip data is corrupt: ${errorMessage(err)}`, { cause: err });
  return err;
}

/**
 * `<v1 id>/json` and `<v1 id>/VERSION` are the pre-1.10 per-layer records older `docker save`
 * wrote beside each layer.tar; no loader since reads them, so they are not stored.
 */
function isLegacyV1File(name: string): boolean {
  return /^[a-f0-9]{64}\/(json|VERSION)$/.test(name);
}

async function readSmall(body: AsyncIterable<Buffer>, header: TarHeader, name: string): Promise<Buffer> {
  if (header.size > MAX_METADATA_BYTES) throw new InvalidArgumentError(`invalid archive: ${name} is ${header.size} bytes; the limit is ${MAX_METADATA_BYTES}`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function ingestFile(
  service: ImageService, name: string, header: TarHeader, body: AsyncIterable<Buffer>, lease: Lease,
  onProgress: ReadArchiveOptions['onProgress'],
): Promise<ArchiveFile> {
  const hash = createHash('sha256');
  let rawSize = 0;
  const progress = onProgress ? new LayerProgress(progressId(name), header.size, onProgress) : undefined;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      hash.update(chunk);
      rawSize += chunk.length;
      progress?.advance(chunk, rawSize);
      yield chunk;
    }
  }
  const blob = await service.ingestLayer(Readable.from(counted(), { objectMode: false }), lease);
  // A decompressor may stop at the end of the gzip data; the raw digest covers every byte.
  for await (const chunk of body) {
    hash.update(chunk);
    rawSize += chunk.length;
  }
  progress?.finish(rawSize);
  return { name, rawDigest: `sha256:${hash.digest('hex')}`, rawSize, stored: blob.diffId, storedSize: blob.size };
}

/** How Docker labels a layer's progress: the short hex of its name. */
function progressId(name: string): string {
  const digest = digestOfBlobEntry(name);
  if (digest) return digest.slice(7, 19);
  const legacy = /^([a-f0-9]{64})\/layer\.tar$/.exec(name);
  return legacy ? legacy[1]!.slice(0, 12) : posix.basename(name).slice(0, 12);
}

/**
 * Reports a file's progress once it is known to be a layer (a tar or a gzip stream by its
 * first bytes), at most every PROGRESS_INTERVAL_MS; configs and manifests stay silent.
 */
class LayerProgress {
  private head = Buffer.alloc(0);
  private isLayer: boolean | undefined;
  private last = 0;

  constructor(private readonly id: string, private readonly total: number, private readonly report: (p: LayerReadProgress) => void) {}

  advance(chunk: Buffer, current: number): void {
    if (this.isLayer === undefined) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, 512)]);
      if (this.head.length < 263 && current < this.total) return;
      this.isLayer = looksLikeLayer(this.head);
    }
    const now = Date.now();
    if (this.isLayer && now - this.last >= PROGRESS_INTERVAL_MS) {
      this.last = now;
      this.report({ id: this.id, current, total: this.total });
    }
  }

  finish(current: number): void {
    if (this.isLayer) this.report({ id: this.id, current, total: this.total });
  }
}

function looksLikeLayer(head: Buffer): boolean {
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  return gzip || (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar');
}
