import { z } from 'zod';
import { InvalidArgumentError } from '../base/index.js';

/** How many schema problems one error message lists before summarising the rest. */
const MAX_LISTED_ISSUES = 3;

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describeIssues(error: z.ZodError): string {
  const listed = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const where = issuePath(issue.path);
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  const more = error.issues.length - listed.length;
  return listed.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/**
 * Validates `value` against `schema`; on failure throws InvalidArgumentError naming `what`
 * and the first offending fields, e.g. `invalid image config: config.Env: Invalid input: …`.
 */
export function parseWithSchema<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidArgumentError(`invalid ${what}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/** JSON text or bytes to a value; InvalidArgumentError naming `what` when it is not JSON. */
export function parseJsonText(text: string | Uint8Array, what: string): unknown {
  const source = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  try {
    return JSON.parse(source) as unknown;
  } catch (err) {
    throw new InvalidArgumentError(`invalid ${what}: not JSON (${(err as Error).message})`);
  }
}

/**
 * A loose object (unknown fields pass through) in which a `null` for a known field means the
 * field is absent. Go's encoding/json writes `null` for nil slices and maps, so configs made
 * by Docker carry `"Entrypoint": null`, `"OnBuild": null` and the like.
 */
export function goObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = new Set(Object.keys(shape));
  return z.preprocess((value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      if (field === null && known.has(key)) continue;
      copy[key] = field;
    }
    return copy;
  }, z.looseObject(shape));
}
