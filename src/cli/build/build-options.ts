/**
 * The value checks of `docker build`'s list flags, run as each flag is parsed (a failure is a
 * flag error: exit status 125), and their conversion to the API's maps.
 */

// `--build-arg` is checked as docker's opts.ValidateEnv, `--label` as opts.ValidateLabel.
export { validateEnv as validateBuildArg, validateLabel } from '../parser/values.js';

/** opts.ConvertKVStringsToMapWithNil: `KEY` alone (not in the environment) is declared but unset. */
export function buildArgsMap(values: readonly string[]): Record<string, string | null> {
  const map: Record<string, string | null> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    map[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? null : v.slice(eq + 1);
  }
  return map;
}

/** opts.ConvertKVStringsToMap. */
export function labelsMap(values: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    map[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return map;
}

// The reference grammar of distribution/reference, enough to check a `-t` value as docker's
// validateTag (reference.ParseNormalizedNamed) does before anything is sent.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const REMOTE = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(`^((?:${DOMAIN}/)?${REMOTE})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const NAME_RE = new RegExp(`^(?:(${DOMAIN})/)?(${REMOTE})$`);

/** build's validateTag: the name must parse as a normalized image reference. */
export function validateTag(value: string): string {
  if (/^[a-f0-9]{64}$/.test(value)) throw new Error(`invalid repository name (${value}), cannot specify 64-byte hexadecimal strings`);
  // splitDockerDomain: the first component is a registry when it looks like a host.
  const slash = value.indexOf('/');
  const first = slash < 0 ? '' : value.slice(0, slash);
  const isDomain = slash >= 0 && (first === 'localhost' || first.includes('.') || first.includes(':') || first.toLowerCase() !== first);
  let remainder = isDomain ? value.slice(slash + 1) : value;
  if (!isDomain && !remainder.includes('/')) remainder = `library/${remainder}`;
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) throw new Error(`invalid reference format: repository name (${remote}) must be lowercase`);
  const full = `${isDomain ? first : 'docker.io'}/${remainder}`;
  const match = REFERENCE_RE.exec(full);
  if (!match) throw new Error('invalid reference format');
  const path = NAME_RE.exec(match[1]!)?.[2] ?? match[1]!;
  if (path.length > 255) throw new Error('repository name must not be more than 255 characters');
  return value;
}

/** A map as Go's encoding/json writes it: keys in byte order, `<`, `>`, `&` escaped. */
export function goJsonMap(map: Readonly<Record<string, string | null>>): string {
  const keys = Object.keys(map).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const text = `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`).join(',')}}`;
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
