import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The product name the daemon and the CLI announce (`Server: strata/0.1.0 (linux)`). */
export const PRODUCT_NAME = 'strata';

let cached: string | undefined;

/**
 * strata's version, from the package.json at the top of the tree (found from this file,
 * which sits at src/api/types/ or dist/src/api/types/).
 */
export function productVersion(): string {
  if (cached !== undefined) return cached;
  for (const up of ['../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(up, import.meta.url)), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PRODUCT_NAME && pkg.version) return (cached = pkg.version);
    } catch { /* try the next level */ }
  }
  return (cached = '0.0.0-dev');
}
