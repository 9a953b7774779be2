/**
 * The variables word expansion reads. A `Map<string, string>` satisfies it; `undefined`
 * means unset, which Docker distinguishes from set-but-empty (`${X-a}` vs `${X:-a}`).
 */
export interface ShellEnv {
  get(name: string): string | undefined;
}

/** An environment with nothing set. */
export const EMPTY_ENV: ShellEnv = { get: () => undefined };

/**
 * An environment from `NAME=value` entries, as a container's or an image's `Env` list.
 * A later entry wins; an entry without `=` sets the name to the empty string (BuildKit's
 * `EnvsFromSlice`).
 */
export function envFromList(entries: readonly string[]): ShellEnv {
  const values = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq < 0) values.set(entry, '');
    else values.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return values;
}

/** An environment from a plain object. */
export function envFromRecord(record: Readonly<Record<string, string>>): ShellEnv {
  return new Map(Object.entries(record));
}
