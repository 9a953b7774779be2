/**
 * Test-only: builds tar archives entry by entry with tar-stream, an implementation independent
 * of ours, so tests can feed the applier exactly the (possibly hostile) archive they describe.
 */
import { Readable } from 'node:stream';
import { pack, extract, type Header } from 'tar-stream';

export interface FixtureEntry {
  name: string;
  type?: Header['type'];
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch (default: a fixed time, so fixtures are reproducible). */
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  /** Extra pax records (text values only: tar-stream writes them as UTF-8). */
  pax?: Record<string, string>;
}

const FIXED_MTIME = 1_700_000_000;

export async function tarOf(entries: FixtureEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header: Header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: new Date((e.mtime ?? FIXED_MTIME) * 1000),
      linkname: e.linkname ?? '',
      size: 0,
      uname: '',
      gname: '',
      devmajor: e.devmajor ?? 0,
      devminor: e.devminor ?? 0,
      pax: e.pax ?? null,
    };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      // A buffer (empty for non-files) makes tar-stream write the whole entry at once.
      archive.entry(header, type === 'file' ? e.content ?? '' : '', done);
    });
  }
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export function streamOf(bytes: Buffer, chunkSize = 4096): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

export async function readAllStream(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface ListedEntry {
  name: string;
  type: string;
  linkname: string | null;
  size: number;
  mode: number;
  pax: Record<string, string> | null;
  content: Buffer;
}

/** Lists an archive with tar-stream: a second opinion on what our writer produced. */
export async function listWithTarStream(bytes: Buffer): Promise<ListedEntry[]> {
  const out: ListedEntry[] = [];
  const reader = extract();
  const done = (async () => {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const h = entry.header;
      out.push({
        name: h.name, type: h.type, linkname: h.linkname ?? null, size: h.size ?? 0, mode: h.mode ?? 0,
        pax: (h.pax as Record<string, string> | null) ?? null, content: Buffer.concat(chunks),
      });
    }
  })();
  reader.end(bytes);
  await done;
  return out;
}
