import { InvalidArgumentError } from '../../base/index.js';
import { goTrimLeftSpace } from './go-text.js';

export const NOT_STRING_ARRAY_MESSAGE = 'when using JSON array syntax, arrays must be comprised of strings only';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The exec ("JSON") form of CMD, RUN, ENTRYPOINT, SHELL, ADD, COPY, VOLUME and
 * HEALTHCHECK CMD, with BuildKit's rules for when `[...]` counts as JSON:
 *
 * - the arguments must start with `[` (after blanks) and the whole rest must be one valid
 *   JSON document (so `["a"] b`, `['a']` or an unterminated array fall back to shell form);
 * - a valid JSON array whose elements are not all strings is an error, not shell form
 *   (`CMD ["a", 1]`, `CMD [["nested"]]`);
 * - a number Go cannot hold (`1e999`) makes Go's decoder fail, which also means shell form.
 *
 * Returns the strings, or undefined when the text is not JSON and is to be read as shell form.
 */
export function parseJsonStringArray(rest: string): string[] | undefined {
  const text = goTrimLeftSpace(rest);
  if (!text.startsWith('[')) return undefined;
  let outOfRange = false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) outOfRange = true;
      return value;
    });
  } catch {
    return undefined;
  }
  if (outOfRange || !Array.isArray(parsed)) return undefined;
  const values: string[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== 'string') throw new InvalidArgumentError(NOT_STRING_ARRAY_MESSAGE);
    // Go decodes an unpaired \uD800 escape as U+FFFD; JavaScript would keep the half pair.
    values.push(item.replace(LONE_SURROGATE, '\uFFFD'));
  }
  return values;
}
