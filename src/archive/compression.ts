import { Readable, pipeline, type Transform } from 'node:stream';
import { createGzip, createGunzip, constants as zlibConstants } from 'node:zlib';
import { isGzip, NotImplementedError } from '../base/index.js';

/**
 * A gzip compressor for layer blobs. Node's zlib writes a header with mtime 0 and a fixed OS
 * byte, so the same input and level give the same bytes on this zlib.
 */
export function gzipStream(options: { level?: number } = {}): Transform {
  return createGzip({ level: options.level ?? zlibConstants.Z_DEFAULT_COMPRESSION });
}

/** Compressions we recognise only to refuse them with a clear message. */
const UNSUPPORTED_MAGIC: Array<{ name: string; magic: number[] }> = [
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68] },
];
const SNIFF_BYTES = 6;

function unsupportedCompression(head: Buffer): string | undefined {
  return UNSUPPORTED_MAGIC.find(({ magic }) => head.length >= magic.length && magic.every((b, i) => head[i] === b))?.name;
}

/**
 * The uncompressed bytes of `input`: gzip (recognised by its magic bytes) is inflated on the
 * fly, anything else passes through unchanged. zstd, xz and bzip2 are refused with
 * NotImplementedError rather than being read as a (broken) tar.
 */
export function decompressIfNeeded(input: Readable): Readable {
  const output = Readable.from(sniffAndDecompress(input), { objectMode: false });
  // An output destroyed before it was ever read never starts the generator, whose cleanup
  // would otherwise release the input.
  output.once('close', () => {
    if (!input.readableEnded) input.destroy();
  });
  return output;
}

async function* sniffAndDecompress(input: Readable): AsyncGenerator<Buffer> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  try {
    let head = Buffer.alloc(0);
    let ended = false;
    while (head.length < SNIFF_BYTES) {
      const next = await chunks.next();
      if (next.done) { ended = true; break; }
      head = Buffer.concat([head, asBuffer(next.value)]);
    }
    const rest = async function* (): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      if (ended) return;
      for (;;) {
        const next = await chunks.next();
        if (next.done) return;
        yield asBuffer(next.value);
      }
    };

    const refused = unsupportedCompression(head);
    if (refused) throw new NotImplementedError(`${refused}-compressed layers are not supported (only gzip and uncompressed tar)`);
    if (!isGzip(head)) {
      yield* rest();
      return;
    }
    const gunzip = createGunzip();
    // pipeline destroys gunzip with the error when the compressed side fails, which makes the
    // iteration below throw it; the callback only has to exist.
    pipeline(Readable.from(rest(), { objectMode: false }), gunzip, () => {});
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    // Stops the input when our consumer gave up early (or failed) before reaching its end.
    await chunks.return?.();
  }
}

function asBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
