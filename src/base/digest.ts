import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InvalidArgumentError } from './errors.js';

/** A content digest in OCI form: `sha256:<64 lowercase hex>`. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): value is Digest {
  return DIGEST_RE.test(value);
}

export function parseDigest(value: string): Digest {
  if (!isDigest(value)) {
    throw new InvalidArgumentError(`invalid digest "${value}": expected sha256:<64 hex characters>`);
  }
  return value;
}

/** The 64-hex part of a digest. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

export function sha256Of(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function digestFromHash(hash: Hash): Digest {
  return `sha256:${hash.digest('hex')}`;
}

/** Streams a file through sha256. */
export async function sha256OfFile(path: string): Promise<Digest> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return digestFromHash(hash);
}

/** A short id as Docker prints them: the first 12 hex characters. */
export function shortId(idOrDigest: string): string {
  const hex = idOrDigest.startsWith('sha256:') ? idOrDigest.slice(7) : idOrDigest;
  return hex.slice(0, 12);
}
