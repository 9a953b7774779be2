/**
 * Test fixture (not a test): writes a blob into an ingest slowly and never commits, printing
 * its offset after each chunk, so a test can SIGKILL it mid-ingest.
 *
 *   node slow-ingest-child.js <content root> <ref> <total size> <chunk size>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalContentStore } from '../local-content-store.js';
import { sha256Of } from '../../base/index.js';
import { patternBytes } from './pattern-bytes.js';

const [root, ref, totalArg, chunkArg] = process.argv.slice(2);
if (!root || !ref || !totalArg || !chunkArg) {
  process.stderr.write('usage: slow-ingest-child <root> <ref> <total> <chunk>\n');
  process.exit(2);
}
const total = Number(totalArg);
const chunkSize = Number(chunkArg);
const content = patternBytes(total);

// A bounded life even if the test that spawned it dies first.
setTimeout(() => process.exit(3), 30_000).unref();

const store = new LocalContentStore(root);
const writer = await store.writer(ref, { expected: sha256Of(content), expectedSize: total });
process.stdout.write(`start ${writer.offset}\n`);
// Stop one chunk short of the end: this process must never get to commit.
while (writer.offset + chunkSize < total) {
  await writer.write(content.subarray(writer.offset, writer.offset + chunkSize));
  process.stdout.write(`offset ${writer.offset}\n`);
  await sleep(20);
}
await sleep(60_000);
