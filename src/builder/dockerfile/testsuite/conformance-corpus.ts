/**
 * Test support: finds and reads BuildKit's Dockerfile conformance corpus
 * (shared/conformance/dockerfile beside the repository). Only tests import this; the
 * parser itself does no I/O.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CORPUS_SUBDIR = join('shared', 'conformance', 'dockerfile');

function looksLikeCorpus(dir: string): boolean {
  return existsSync(join(dir, 'parser')) && existsSync(join(dir, 'shell'));
}

/**
 * The corpus directory. STRATA_CONFORMANCE_DIR may name the corpus itself or the
 * `conformance` directory above it; otherwise it is `../shared/conformance/dockerfile`
 * from the repository root, found by walking up from this file (which runs from
 * `dist/src/builder/dockerfile/`). Throws when it cannot be found, so a missing corpus
 * fails the tests instead of skipping them.
 */
export function conformanceDir(): string {
  const override = process.env['STRATA_CONFORMANCE_DIR'];
  if (override) {
    const base = resolve(override);
    for (const candidate of [base, join(base, 'dockerfile')]) {
      if (looksLikeCorpus(candidate)) return candidate;
    }
    throw new Error(`STRATA_CONFORMANCE_DIR=${override} does not contain the Dockerfile corpus (parser/ and shell/)`);
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = resolve(dir, '..', CORPUS_SUBDIR);
      if (looksLikeCorpus(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`Dockerfile conformance corpus not found: expected ../${CORPUS_SUBDIR} beside the repository root, or set STRATA_CONFORMANCE_DIR`);
}

/** The case directories under a corpus folder, sorted. */
export function listCaseDirs(relative: string): string[] {
  const dir = join(conformanceDir(), relative);
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}

/** A corpus file as bytes (Dockerfiles are handed to the parser undecoded). */
export function readCorpusBytes(...relative: string[]): Uint8Array {
  return readFileSync(join(conformanceDir(), ...relative));
}

/** A corpus file as UTF-8 text. */
export function readCorpusText(...relative: string[]): string {
  return readFileSync(join(conformanceDir(), ...relative), 'utf8');
}
