import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isDigest, writeJsonAtomic, type Digest } from '../base/index.js';

/** The small JSON beside an ingest's partial `data`: which ref it is and what it must become. */
export interface IngestRecord {
  ref: string;
  expected?: Digest;
  expectedSize?: number;
  /** RFC 3339. */
  startedAt: string;
}

export const INGEST_DATA_FILE = 'data';
export const INGEST_RECORD_FILE = 'ingest.json';

const ingestRecordSchema = z.looseObject({
  ref: z.string().min(1),
  expected: z.custom<Digest>((v) => typeof v === 'string' && isDigest(v)).optional(),
  expectedSize: z.number().int().nonnegative().optional(),
  startedAt: z.string(),
});

/**
 * The record of the ingest in `dir`, or undefined when there is none or it is unreadable —
 * a crash can leave a directory without one, and such an ingest is simply started over.
 */
export async function readIngestRecord(dir: string): Promise<IngestRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, INGEST_RECORD_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = ingestRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeIngestRecord(dir: string, record: IngestRecord): Promise<void> {
  await writeJsonAtomic(join(dir, INGEST_RECORD_FILE), record);
}
