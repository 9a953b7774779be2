import { posix } from 'node:path';
import { InvalidArgumentError } from '../base/index.js';

/**
 * A tar entry name made safe to join to a root: cleaned lexically as if joined to `/`, so `..`
 * can never climb above the root (`../../x` → `x`, `/etc/passwd` → `etc/passwd`, `a/../b` → `b`),
 * and returned relative, without leading or trailing slashes. The root itself is `''`.
 * Symlinks are not looked at here; the applier resolves those inside the root.
 */
export function cleanEntryName(name: string): string {
  if (name.includes('\0')) throw new InvalidArgumentError(`tar entry name ${JSON.stringify(name)} contains a NUL byte`);
  const cleaned = posix.normalize(`/${name}`);
  return cleaned.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** Splits a cleaned name into its parent (cleaned, `''` for the root) and its last component. */
export function splitEntryName(cleaned: string): { parent: string; base: string } {
  const slash = cleaned.lastIndexOf('/');
  if (slash < 0) return { parent: '', base: cleaned };
  return { parent: cleaned.slice(0, slash), base: cleaned.slice(slash + 1) };
}

export function joinEntryName(parent: string, base: string): string {
  return parent === '' ? base : `${parent}/${base}`;
}

/**
 * A name cleaned as moby's Unpack cleans it: leading slashes dropped, then path.Clean; the
 * directory itself is `''`; a name that still climbs out (`../x`) is refused.
 */
export function copyEntryName(name: string, what: 'entry name' | 'hardlink target'): string {
  if (name.includes('\0')) throw new InvalidArgumentError(`tar ${what} ${JSON.stringify(name)} contains a NUL byte`);
  const cleaned = posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (cleaned === '.' || cleaned === '') return '';
  if (cleaned === '..' || cleaned.startsWith('../')) throw new InvalidArgumentError(`invalid ${what} ${JSON.stringify(name)}`);
  return cleaned;
}
