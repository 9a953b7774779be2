import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressText } from './progress-text.js';

test('progress text is what moby sends for a 200-column stream', () => {
  // Captured from Docker's POST /images/load?quiet=0 of a 2.13MB layer.
  assert.equal(progressText(32768, 2129920), `[>${' '.repeat(50)}]  32.77kB/2.13MB`);
  assert.equal(progressText(196608, 2129920), `[====>${' '.repeat(46)}]  196.6kB/2.13MB`);
  assert.equal(progressText(2129920, 2129920), `[${'='.repeat(50)}>]   2.13MB/2.13MB`);
  assert.equal(progressText(0, 0), '');
  assert.equal(progressText(999, 0), '    999B');
  assert.equal(progressText(5_000_000_000, 5_000_000_000).endsWith('     5GB/5GB'), true);
});
