/** Blobs by digest: verified, atomic, resumable ingest. */
export type { BlobInfo, ContentStore, IngestStatus, IngestWriter, WriterOptions } from './content-store.js';
export { LocalContentStore } from './local-content-store.js';
