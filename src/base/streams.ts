import { Transform, type Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { Digest } from './digest.js';

/**
 * A pass-through that hashes and counts what flows through it; read `digest()` and `size`
 * once the stream has ended.
 */
export class DigestingStream extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  private result?: Digest;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  digest(): Digest {
    if (!this.result) this.result = `sha256:${this.hash.digest('hex')}`;
    return this.result;
  }
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** True when the first bytes are a gzip header. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}
