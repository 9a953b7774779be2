import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DataCorruptError,
  InvalidArgumentError,
  KeyedLock,
  NotFoundError,
  digestHex,
  errnoCode,
  fsyncDir,
  parseDigest,
  sha256Of,
  type Digest,
} from '../base/index.js';
import type { BlobInfo, ContentStore, IngestStatus, IngestWriter, WriterOptions } from './content-store.js';
import { acquireIngest, isIngestActive } from './active-ingests.js';
import { INGEST_DATA_FILE, INGEST_RECORD_FILE, readIngestRecord, writeIngestRecord } from './ingest-record.js';
import { LocalIngestWriter } from './local-ingest-writer.js';

const HEX64 = /^[a-f0-9]{64}$/;

/** Bytes gathered before one write to an ingest (see ingest). */
const WRITE_BATCH = 256 * 1024;
/** Published blobs are never written again; the mode says so to anyone looking. */
const BLOB_MODE = 0o444;

/**
 * Blobs by digest in a directory (the daemon's `<root>/content`):
 *
 *   blobs/sha256/<hex>          verified, immutable blobs
 *   ingest/<sha256 of ref>/     one partial write: `data` and `ingest.json` (ref, expected, startedAt)
 *
 * A blob appears in `blobs/` only by a rename from its ingest after its size and digest were
 * checked and its data fsynced, so readers never see a partial or wrong blob, and `blobs/`
 * never holds a temp file. An ingest interrupted by a crash stays in `ingest/`, resumable by
 * the same ref, until `pruneIngests` removes it.
 */
export class LocalContentStore implements ContentStore {
  readonly root: string;
  private readonly blobDir: string;
  private readonly ingestRoot: string;
  /** Serialises publish and delete of one digest, so "exists?" then "rename" is one step. */
  private readonly digestLock = new KeyedLock();
  private blobDirReady?: Promise<void>;

  constructor(root: string) {
    this.root = root;
    this.blobDir = join(root, 'blobs', 'sha256');
    this.ingestRoot = join(root, 'ingest');
  }

  blobPath(digest: Digest): string {
    // The Digest type is only a template string; check it so no caller can name a path outside.
    return join(this.blobDir, digestHex(parseDigest(digest)));
  }

  async info(digest: Digest): Promise<BlobInfo> {
    const path = this.blobPath(digest);
    try {
      const st = await stat(path);
      return { digest, size: st.size };
    } catch (err) {
      throw notFoundOr(err, digest);
    }
  }

  async has(digest: Digest): Promise<boolean> {
    const path = this.blobPath(digest);
    try {
      await stat(path);
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  read(digest: Digest): Readable {
    const path = this.blobPath(digest);
    return Readable.from(streamFile(path, digest), { objectMode: false });
  }

  async readBytes(digest: Digest): Promise<Buffer> {
    const path = this.blobPath(digest);
    try {
      return await readFile(path);
    } catch (err) {
      throw notFoundOr(err, digest);
    }
  }

  writer(ref: string, options: WriterOptions = {}): Promise<IngestWriter> {
    return this.openWriter(ref, options, false);
  }

  /**
   * Streams `source` into the store. With `options.expected`, an interrupted earlier ingest
   * of the same ref is resumed: the bytes it already holds are skipped in `source`, and the
   * digest check at commit proves the joined result. Without an expected digest nothing
   * could prove that, so any earlier partial data is discarded and the ingest starts over.
   * If `source` fails, the partial data is kept for a later resume.
   */
  async ingest(ref: string, source: AsyncIterable<Uint8Array> | Readable, options: WriterOptions = {}): Promise<BlobInfo> {
    const writer = await this.openWriter(ref, options, options.expected === undefined);
    // Small pieces (a layer tar is a 512-byte header, then often a few bytes of content, per
    // file) are gathered into one write: a write per piece would cost a thread-pool round trip each.
    const gathered: Uint8Array[] = [];
    let gatheredBytes = 0;
    const flush = async () => {
      if (gatheredBytes === 0) return;
      const bytes = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
      gathered.length = 0;
      gatheredBytes = 0;
      await writer.write(bytes);
    };
    try {
      let skip = writer.offset;
      for await (const piece of source as AsyncIterable<Uint8Array | string>) {
        let chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        gathered.push(chunk);
        gatheredBytes += chunk.length;
        if (gatheredBytes >= WRITE_BATCH) await flush();
      }
      await flush();
      return await writer.commit();
    } catch (err) {
      // What arrived before the source failed is kept for a resume, as if written piece by piece.
      await flush().catch(() => {});
      await writer.close().catch(() => {});
      throw err;
    }
  }

  async writeBlob(data: string | Uint8Array, expected?: Digest): Promise<BlobInfo> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = sha256Of(bytes);
    if (expected !== undefined && parseDigest(expected) !== digest) {
      throw new DataCorruptError(`digest mismatch for blob: expected ${expected}, got ${digest}`);
    }
    if (await this.has(digest)) return { digest, size: bytes.length };
    // A ref of its own per call: two callers writing the same bytes must not refuse each other.
    const ref = `write-blob-${digestHex(digest)}-${randomBytes(4).toString('hex')}`;
    const writer = await this.openWriter(ref, { expected: digest, expectedSize: bytes.length }, true);
    try {
      await writer.write(bytes);
      return await writer.commit();
    } catch (err) {
      await writer.abort().catch(() => {});
      throw err;
    }
  }

  async delete(digest: Digest): Promise<void> {
    const path = this.blobPath(digest);
    await this.digestLock.run(digest, async () => {
      try {
        await unlink(path);
      } catch (err) {
        throw notFoundOr(err, digest);
      }
    });
    // Not fsynced: a delete lost in a crash only brings back an unreferenced blob, which the
    // next garbage collection removes again.
  }

  async *list(): AsyncIterable<BlobInfo> {
    let names: string[];
    try {
      names = await readdir(this.blobDir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    for (const name of names.sort()) {
      if (!HEX64.test(name)) continue;
      try {
        const st = await stat(join(this.blobDir, name));
        if (st.isFile()) yield { digest: `sha256:${name}`, size: st.size };
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err; // deleted while listing
      }
    }
  }

  async ingests(): Promise<IngestStatus[]> {
    const out: IngestStatus[] = [];
    for (const name of await this.ingestDirNames()) {
      const dir = join(this.ingestRoot, name);
      const record = await readIngestRecord(dir);
      if (!record) continue;
      const data = await statOrUndefined(join(dir, INGEST_DATA_FILE));
      const recordStat = await statOrUndefined(join(dir, INGEST_RECORD_FILE));
      const updated = data?.mtime ?? recordStat?.mtime ?? new Date(record.startedAt);
      const status: IngestStatus = {
        ref: record.ref,
        offset: data?.size ?? 0,
        startedAt: record.startedAt,
        updatedAt: updated.toISOString(),
      };
      if (record.expected !== undefined) status.expected = record.expected;
      if (record.expectedSize !== undefined) status.expectedSize = record.expectedSize;
      out.push(status);
    }
    return out.sort((a, b) => a.ref.localeCompare(b.ref));
  }

  async abortIngest(ref: string): Promise<void> {
    const dir = this.ingestDir(ref);
    const release = acquireIngest(dir, ref);
    try {
      if (!(await statOrUndefined(dir))) throw new NotFoundError(`ingest ${ref} not found`);
      await rm(dir, { recursive: true, force: true });
    } finally {
      release();
    }
  }

  async pruneIngests(olderThanMs = 0): Promise<number> {
    const now = Date.now();
    let removed = 0;
    for (const name of await this.ingestDirNames()) {
      const dir = join(this.ingestRoot, name);
      if (isIngestActive(dir)) continue;
      const touched = await lastTouched(dir);
      if (touched === undefined || now - touched < olderThanMs) continue;
      await rm(dir, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** The directory of the ingest of `ref`: named by a hash, so any ref string is safe. */
  private ingestDir(ref: string): string {
    return join(this.ingestRoot, createHash('sha256').update(ref).digest('hex'));
  }

  private async ingestDirNames(): Promise<string[]> {
    try {
      return await readdir(this.ingestRoot);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
  }

  /**
   * Opens the ingest of `ref`, resuming its partial data unless `fresh` or the data cannot
   * belong to what is asked now (another expected digest or size, or more bytes than the
   * expected size).
   */
  private async openWriter(ref: string, options: WriterOptions, fresh: boolean): Promise<IngestWriter> {
    if (typeof ref !== 'string' || ref === '') throw new InvalidArgumentError('ingest ref must be a non-empty string');
    const expected = options.expected === undefined ? undefined : parseDigest(options.expected);
    const expectedSize = options.expectedSize;
    if (expectedSize !== undefined && !(Number.isSafeInteger(expectedSize) && expectedSize >= 0)) {
      throw new InvalidArgumentError(`invalid expected size ${expectedSize} for ingest ${ref}`);
    }
    const dir = this.ingestDir(ref);
    const dataPath = join(dir, INGEST_DATA_FILE);
    const release = acquireIngest(dir, ref);
    let handle;
    try {
      const existing = fresh ? undefined : await readIngestRecord(dir);
      const conflicting =
        existing !== undefined &&
        (existing.ref !== ref ||
          (expected !== undefined && existing.expected !== undefined && existing.expected !== expected) ||
          (expectedSize !== undefined && existing.expectedSize !== undefined && existing.expectedSize !== expectedSize));
      if (existing === undefined || conflicting) {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await writeIngestRecord(dir, withoutUndefined({ ref, expected, expectedSize, startedAt: new Date().toISOString() }));
      } else if ((expected !== undefined && existing.expected === undefined) || (expectedSize !== undefined && existing.expectedSize === undefined)) {
        await writeIngestRecord(dir, withoutUndefined({ ...existing, expected: expected ?? existing.expected, expectedSize: expectedSize ?? existing.expectedSize }));
      }
      handle = await open(dataPath, 'a');
      let offset = (await handle.stat()).size;
      if (expectedSize !== undefined && offset > expectedSize) {
        await handle.truncate(0);
        offset = 0;
      }
      const hash = createHash('sha256');
      if (offset > 0) {
        // Node cannot save a hash's state, so resuming reads the partial data through it again.
        for await (const chunk of createReadStream(dataPath, { start: 0, end: offset - 1 })) hash.update(chunk as Buffer);
      }
      return new LocalIngestWriter({
        ref,
        dir,
        dataPath,
        handle,
        hash,
        offset,
        ...withoutUndefined({ expected: expected ?? existing?.expected, expectedSize: expectedSize ?? existing?.expectedSize }),
        release,
        publish: (path, digest) => this.publish(path, digest),
      });
    } catch (err) {
      await handle?.close().catch(() => {});
      release();
      throw err;
    }
  }

  /**
   * Makes a verified, fsynced file the blob of `digest`. When the blob already exists (another
   * writer got there first) it is left as it is and the caller drops its copy.
   */
  private async publish(dataPath: string, digest: Digest): Promise<void> {
    await this.ensureBlobDir();
    const target = this.blobPath(digest);
    await this.digestLock.run(digest, async () => {
      if (await statOrUndefined(target)) return;
      await chmod(dataPath, BLOB_MODE);
      await rename(dataPath, target);
      await fsyncDir(this.blobDir);
    });
  }

  /** Creates `blobs/sha256` once, fsyncing the parents so the directories survive a crash. */
  private ensureBlobDir(): Promise<void> {
    this.blobDirReady ??= (async () => {
      await mkdir(this.blobDir, { recursive: true });
      await fsyncDir(join(this.root, 'blobs'));
      await fsyncDir(this.root);
    })().catch((err: unknown) => {
      this.blobDirReady = undefined;
      throw err;
    });
    return this.blobDirReady;
  }
}

async function* streamFile(path: string, digest: Digest): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(path)) yield chunk as Buffer;
  } catch (err) {
    throw notFoundOr(err, digest);
  }
}

function notFoundOr(err: unknown, digest: Digest): unknown {
  return errnoCode(err) === 'ENOENT' ? new NotFoundError(`blob ${digest} not found`, { cause: err }) : err;
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The newest mtime of an ingest directory and the files in it; undefined if it vanished. */
async function lastTouched(dir: string): Promise<number | undefined> {
  const self = await lstat(dir).catch(() => undefined);
  if (!self) return undefined;
  let newest = self.mtimeMs;
  if (self.isDirectory()) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const st = await lstat(join(dir, name)).catch(() => undefined);
      if (st && st.mtimeMs > newest) newest = st.mtimeMs;
    }
  }
  return newest;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

