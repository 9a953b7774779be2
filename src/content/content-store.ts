import type { Readable } from 'node:stream';
import type { Digest } from '../base/index.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export interface IngestStatus {
  ref: string;
  /** Bytes already written; a resumed writer continues from here. */
  offset: number;
  startedAt: string;
  updatedAt: string;
  expected?: Digest;
  expectedSize?: number;
}

export interface WriterOptions {
  /** The digest the finished blob must have; checked at commit. */
  expected?: Digest;
  /** The size the finished blob must have; checked at commit and while writing. */
  expectedSize?: number;
}

/**
 * An ingest in progress. Bytes written here are invisible to readers of the store until
 * `commit` has verified digest and size and renamed the blob into place.
 */
export interface IngestWriter {
  readonly ref: string;
  /** Bytes written so far (including those of an earlier, interrupted attempt). */
  readonly offset: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Verifies, fsyncs and publishes the blob; returns its digest and size. */
  commit(expected?: Digest, expectedSize?: number): Promise<BlobInfo>;
  /** Stops writing but keeps the partial data so the ingest can resume. */
  close(): Promise<void>;
  /** Stops writing and discards the partial data. */
  abort(): Promise<void>;
}

export interface ContentStore {
  info(digest: Digest): Promise<BlobInfo>; // NotFoundError when absent
  has(digest: Digest): Promise<boolean>;
  /** The file holding the blob, for readers that want a path (e.g. to hand to a tar reader). */
  blobPath(digest: Digest): string;
  read(digest: Digest): Readable;
  readBytes(digest: Digest): Promise<Buffer>;
  /**
   * Opens (or resumes, at `offset`) the ingest named `ref`. Two writers on one ref are refused
   * (ConflictError). Partial data is restarted when it cannot belong to `options`.
   */
  writer(ref: string, options?: WriterOptions): Promise<IngestWriter>;
  /**
   * Streams `source` into the store; verifies against `expected` when given. With `expected`,
   * an interrupted ingest of the same ref resumes (its bytes are skipped in `source`);
   * without, earlier partial data is discarded. A failing `source` leaves the partial data.
   */
  ingest(ref: string, source: AsyncIterable<Uint8Array> | Readable, options?: WriterOptions): Promise<BlobInfo>;
  writeBlob(data: string | Uint8Array, expected?: Digest): Promise<BlobInfo>;
  delete(digest: Digest): Promise<void>; // NotFoundError when absent
  list(): AsyncIterable<BlobInfo>;
  ingests(): Promise<IngestStatus[]>;
  /** NotFoundError when there is no such ingest, ConflictError while a writer holds it. */
  abortIngest(ref: string): Promise<void>;
  /** Removes ingests not touched for `olderThanMs` (0: all): the start-up clean-up. */
  pruneIngests(olderThanMs?: number): Promise<number>;
}
