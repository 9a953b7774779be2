import { InvalidArgumentError } from '../../base/index.js';
import { versionLessThan, versionGreaterThan } from '../types/index.js';

/** The Engine API version strata implements; clients negotiate down to it. */
export const API_VERSION = '1.47';
/** The oldest API version still served, as in current Docker. */
export const MIN_API_VERSION = '1.24';

const VERSION_PREFIX = /^\/v([0-9.]+)(\/.*)$/;

/** Splits `/v1.47/images/json` into its version and the path the routes know. */
export function splitVersionedPath(path: string): { version?: string; path: string } {
  const m = VERSION_PREFIX.exec(path);
  if (!m) return { path };
  return { version: m[1], path: m[2]! };
}

/** The version a request is served at; Docker's messages for versions out of range. */
export function negotiateVersion(requested: string | undefined): string {
  const version = requested ?? API_VERSION;
  if (versionLessThan(version, MIN_API_VERSION)) {
    throw new InvalidArgumentError(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
  if (versionGreaterThan(version, API_VERSION)) {
    throw new InvalidArgumentError(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  return version;
}
