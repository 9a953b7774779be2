import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import {
  DataCorruptError,
  FailedPreconditionError,
  Mutex,
  digestFromHash,
  type Digest,
} from '../base/index.js';
import type { BlobInfo, IngestWriter } from './content-store.js';

/** What the store hands a writer so it can finish: the verified file goes in under its digest. */
export interface IngestWriterParts {
  ref: string;
  dir: string;
  dataPath: string;
  /** Opened for appending; the writer owns and closes it. */
  handle: FileHandle;
  /** Already fed with the `offset` bytes on disk when resuming. */
  hash: Hash;
  offset: number;
  expected?: Digest;
  expectedSize?: number;
  /** Releases the in-process lock on the ref. */
  release: () => void;
  /** Moves the verified data file to the blob of `digest` (or drops it when the blob exists). */
  publish: (dataPath: string, digest: Digest) => Promise<void>;
}

type State = 'open' | 'finished';

/**
 * A writer of one ingest in a LocalContentStore. Bytes go to the ingest's `data` file and
 * through sha256 as they arrive; nothing is visible in `blobs/` until `commit` has checked
 * size and digest. Calls are serialised, so a caller that forgets to await a write cannot
 * interleave chunks.
 */
export class LocalIngestWriter implements IngestWriter {
  readonly ref: string;
  private readonly parts: IngestWriterParts;
  private readonly mutex = new Mutex();
  private bytes: number;
  private state: State = 'open';
  private handleClosed = false;

  constructor(parts: IngestWriterParts) {
    this.parts = parts;
    this.ref = parts.ref;
    this.bytes = parts.offset;
  }

  get offset(): number {
    return this.bytes;
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.mutex.run(async () => {
      this.assertOpen('write to');
      const { expectedSize } = this.parts;
      if (expectedSize !== undefined && this.bytes + chunk.length > expectedSize) {
        await this.finish('discard');
        throw new DataCorruptError(
          `size mismatch for ingest ${this.ref}: more than the expected ${expectedSize} bytes were written`,
        );
      }
      await writeFully(this.parts.handle, chunk);
      // Hashing after the write keeps hash and file in step if the write fails; a resumed
      // writer rehashes the file anyway.
      this.parts.hash.update(chunk);
      this.bytes += chunk.length;
    });
  }

  commit(expected?: Digest, expectedSize?: number): Promise<BlobInfo> {
    return this.mutex.run(async () => {
      this.assertOpen('commit');
      const wantDigest = expected ?? this.parts.expected;
      const wantSize = expectedSize ?? this.parts.expectedSize;
      const { handle, hash, dataPath, publish } = this.parts;
      try {
        await handle.sync();
      } catch (err) {
        await this.finish('keep');
        throw err;
      }
      const size = this.bytes;
      const digest = digestFromHash(hash);
      if (wantSize !== undefined && size !== wantSize) {
        await this.finish('discard');
        throw new DataCorruptError(
          `size mismatch for ingest ${this.ref}: expected ${wantSize} bytes, got ${size} bytes (${digest})`,
        );
      }
      if (wantDigest !== undefined && digest !== wantDigest) {
        await this.finish('discard');
        throw new DataCorruptError(`digest mismatch for ingest ${this.ref}: expected ${wantDigest}, got ${digest}`);
      }
      await this.closeHandle();
      try {
        await publish(dataPath, digest);
        // Removed before the ref is released, so a new writer of the ref starts clean.
        await rm(this.parts.dir, { recursive: true, force: true });
      } finally {
        // Published or not, this writer is done; if publishing failed the data stays for a retry.
        await this.finish('keep');
      }
      return { digest, size };
    });
  }

  close(): Promise<void> {
    return this.mutex.run(() => this.finish('keep'));
  }

  abort(): Promise<void> {
    return this.mutex.run(() => this.finish('discard'));
  }

  private assertOpen(action: string): void {
    if (this.state !== 'open') {
      throw new FailedPreconditionError(`cannot ${action} ingest ${this.ref}: its writer is closed`);
    }
  }

  private async closeHandle(): Promise<void> {
    if (this.handleClosed) return;
    this.handleClosed = true;
    await this.parts.handle.close();
  }

  /** Ends the writer once: closes the file, drops the data if asked, releases the ref. */
  private async finish(data: 'keep' | 'discard'): Promise<void> {
    if (this.state === 'finished') return;
    this.state = 'finished';
    try {
      await this.closeHandle().catch(() => {});
      if (data === 'discard') await rm(this.parts.dir, { recursive: true, force: true });
    } finally {
      this.parts.release();
    }
  }
}

/** FileHandle.write may write less than asked; loop until the whole chunk is down. */
async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
    done += bytesWritten;
  }
}
