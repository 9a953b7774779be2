import { InvalidArgumentError } from '../../base/index.js';
import { csvFields } from './csv-fields.js';
import { goQuote } from './go-quote.js';
import { parseGoBool, parseGoUint, parseRamInBytes } from './go-numbers.js';
import { withSuggestion } from './suggest.js';

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING_MODES: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const ALL_KEYS = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode',
  'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env',
];

/** One `RUN --mount=...` after word expansion. */
export interface RunMount {
  readonly type: MountType;
  /** A stage or image to mount from (bind and cache). */
  readonly from: string;
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** tmpfs size in bytes; 0 for no limit. */
  readonly sizeLimit: number;
  /** cache id, or secret id. */
  readonly cacheId: string;
  /** '' when not given (the cache default is `shared`). */
  readonly cacheSharing: CacheSharing | '';
  /** secret and ssh: fail when the secret or agent is missing. */
  readonly required: boolean;
  /** secret: expose as this environment variable instead of (or as well as) a file. */
  readonly env?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** Expands one value (the evaluator's ProcessWord with the current environment). */
export type MountValueExpander = (value: string) => string;

const fail = (message: string) => new InvalidArgumentError(message);

/**
 * Parses a `--mount` value (comma-separated `key=value` fields, CSV-quoted) with BuildKit's
 * rules and messages. Without an expander it only does the checks BuildKit makes while
 * parsing the Dockerfile (well-formed CSV, no variables in `from=`); with one it expands each
 * value and fully validates, as at build time.
 */
export function parseRunMount(spec: string, expand?: MountValueExpander): RunMount {
  let fields: string[];
  try {
    fields = csvFields(spec);
  } catch (err) {
    throw fail(`failed to parse csv mounts: ${err instanceof Error ? err.message : String(err)}`);
  }

  let type: MountType = 'bind';
  let from = '';
  let source = '';
  let target = '';
  let readOnly = false;
  let readOnlyAuto = true;
  let sizeLimit = 0;
  let cacheId = '';
  let cacheSharing: CacheSharing | '' = '';
  let required = false;
  let env: string | undefined;
  let mode: number | undefined;
  let uid: number | undefined;
  let gid: number | undefined;
  const takesRequired = () => type === 'secret' || type === 'ssh';

  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    let value = eq < 0 ? '' : field.slice(eq + 1);

    if (eq < 0) {
      if (!expand) continue; // evaluated at build time
      if (key === 'readonly' || key === 'ro') {
        readOnly = true;
        readOnlyAuto = false;
      } else if (key === 'readwrite' || key === 'rw') {
        readOnly = false;
        readOnlyAuto = false;
      } else if (key === 'required') {
        if (!takesRequired()) throw fail(`unexpected key '${key}' for mount type '${type}'`);
        required = true;
      } else {
        throw fail(`invalid field '${field}' must be a key=value pair`);
      }
      continue;
    }

    if (expand) {
      value = expand(value);
    } else if (key === 'from') {
      // A stage name must be known before the build starts, so it cannot come from a variable.
      const dollar = value.indexOf('$');
      if (dollar !== -1 && dollar !== value.length - 1) {
        throw fail(`'${key}' doesn't support variable expansion, define alias stage instead`);
      }
    } else {
      continue;
    }

    const bool = () => {
      const parsed = parseGoBool(value);
      if (parsed === undefined) throw fail(`invalid value for ${key}: ${value}`);
      return parsed;
    };
    switch (key) {
      case 'type': {
        const lower = value.toLowerCase();
        if (!(MOUNT_TYPES as readonly string[]).includes(lower)) {
          throw fail(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, MOUNT_TYPES, true));
        }
        type = lower as MountType;
        break;
      }
      case 'from': from = value; break;
      case 'source': case 'src': source = value; break;
      case 'target': case 'dst': case 'destination': target = value; break;
      case 'readonly': case 'ro':
        readOnly = bool();
        readOnlyAuto = false;
        break;
      case 'readwrite': case 'rw':
        readOnly = !bool();
        readOnlyAuto = false;
        break;
      case 'required':
        if (!takesRequired()) throw fail(`unexpected key '${key}' for mount type '${type}'`);
        required = bool();
        break;
      case 'size': {
        if (type !== 'tmpfs') throw fail(`unexpected key '${key}' for mount type '${type}'`);
        const bytes = parseRamInBytes(value);
        if (bytes === undefined) throw fail(`invalid value for ${key}: ${value}`);
        sizeLimit = bytes;
        break;
      }
      case 'id': cacheId = value; break;
      case 'sharing': {
        const lower = value.toLowerCase();
        if (!(SHARING_MODES as readonly string[]).includes(lower)) {
          throw fail(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, SHARING_MODES, true));
        }
        cacheSharing = lower as CacheSharing;
        break;
      }
      case 'mode':
        mode = parseGoUint(value, 8, 32);
        if (mode === undefined) throw fail(`invalid value ${value} for mode`);
        break;
      case 'uid':
        uid = parseGoUint(value, 10, 32);
        if (uid === undefined) throw fail(`invalid value ${value} for uid`);
        break;
      case 'gid':
        gid = parseGoUint(value, 10, 32);
        if (gid === undefined) throw fail(`invalid value ${value} for gid`);
        break;
      case 'env': env = value; break;
      default:
        throw fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ALL_KEYS, true));
    }
  }

  // Only mounts whose files BuildKit creates can set their mode and owner.
  if (type !== 'secret' && type !== 'ssh' && type !== 'cache') {
    if (mode !== undefined) throw fail(`mode not allowed for ${goQuote(type)} type mounts`);
    if (uid !== undefined) throw fail(`uid not allowed for ${goQuote(type)} type mounts`);
    if (gid !== undefined) throw fail(`gid not allowed for ${goQuote(type)} type mounts`);
  }
  // Caches and tmpfs are scratch space; everything else is read-only unless asked.
  if (readOnlyAuto) readOnly = type !== 'cache' && type !== 'tmpfs';
  if (type === 'secret') {
    if (from !== '') throw fail('secret mount should not have a from');
    if (cacheSharing !== '') throw fail('secret mount should not define sharing');
    if (source === '' && target === '' && cacheId === '') throw fail('invalid secret mount. one of source, target required');
    if (source !== '' && cacheId !== '') throw fail("both source and id can't be set");
  }
  if (cacheSharing !== '' && type !== 'cache') throw fail(`invalid cache sharing set for ${type} mount`);

  return {
    type, from, source, target, readOnly, sizeLimit, cacheId, cacheSharing, required,
    ...(env !== undefined ? { env } : {}),
    ...(mode !== undefined ? { mode } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
  };
}
