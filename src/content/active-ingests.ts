import { ConflictError } from '../base/index.js';

/**
 * Ingest directories with a live writer in this process, keyed by absolute path so that two
 * store objects on one root still see each other's writers. The daemon is the store's only
 * writer, so an in-process registry is all the locking ingests need.
 */
const held = new Map<string, string>();

/** Claims `dir` for a writer of `ref`; returns the release function. */
export function acquireIngest(dir: string, ref: string): () => void {
  if (held.has(dir)) throw new ConflictError(`ref ${ref} is locked`);
  held.set(dir, ref);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(dir);
  };
}

export function isIngestActive(dir: string): boolean {
  return held.has(dir);
}
