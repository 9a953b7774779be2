/**
 * Docker's multiplexed stream framing ("stdcopy") for attach, exec and logs without a TTY:
 * each frame is an 8-byte header — the stream id (0 stdin, 1 stdout, 2 stderr), three zero
 * bytes, the payload length as a big-endian uint32 — then the payload.
 */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export type StreamId = typeof STDIN | typeof STDOUT | typeof STDERR;

export const FRAME_HEADER_SIZE = 8;
const MAX_FRAME_PAYLOAD = 0xffff_ffff;

export function frameHeader(stream: StreamId, length: number): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_SIZE);
  header[0] = stream;
  header.writeUInt32BE(length, 4);
  return header;
}

/** One payload as framed bytes; payloads over 4 GiB are split into several frames. */
export function encodeFrames(stream: StreamId, payload: Uint8Array): Buffer {
  if (payload.length <= MAX_FRAME_PAYLOAD) return Buffer.concat([frameHeader(stream, payload.length), payload]);
  const parts: Buffer[] = [];
  for (let at = 0; at < payload.length; at += MAX_FRAME_PAYLOAD) {
    const piece = payload.subarray(at, Math.min(at + MAX_FRAME_PAYLOAD, payload.length));
    parts.push(frameHeader(stream, piece.length), Buffer.from(piece));
  }
  return Buffer.concat(parts);
}

/** Writes framed output of one stream to a shared sink (the hijacked connection). */
export class FrameWriter {
  constructor(private readonly sink: { write(chunk: Uint8Array): boolean }, private readonly stream: StreamId) {}

  write(chunk: Uint8Array): boolean {
    if (chunk.length === 0) return true;
    return this.sink.write(encodeFrames(this.stream, chunk));
  }
}
