import { InvalidArgumentError, type Digest } from '../base/index.js';
import {
  ANCHORED_DIGEST_RE,
  ANCHORED_IDENTIFIER_RE,
  ANCHORED_NAME_RE,
  ANCHORED_TAG_RE,
  REFERENCE_RE,
  REPOSITORY_NAME_MAX_LENGTH,
} from './reference-grammar.js';

/** Docker Hub's canonical domain; `index.docker.io` is normalised to it. */
export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** Official images on Docker Hub live in this namespace: `busybox` is `library/busybox`. */
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

/*
 * Error messages are Docker's word for word (distribution/reference), because users and
 * scripts match on them.
 */
const ERR_INVALID_FORMAT = 'invalid reference format';
const ERR_NAME_EMPTY = 'repository name must have at least one component';
const ERR_NAME_UPPERCASE = 'repository name must be lowercase';
const ERR_NAME_TOO_LONG = `repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters`;
const ERR_NAME_NOT_CANONICAL = 'repository name must be canonical';
const ERR_TAG_INVALID = 'invalid tag format';
const ERR_DIGEST_INVALID = 'invalid digest format';

/**
 * A parsed image reference: `domain/path[:tag][@digest]`. From `parseNormalizedNamed` the
 * domain is always set (`docker.io` for Docker Hub) and Hub's official images carry the
 * `library/` prefix; `familiarString()` gives the short form Docker prints.
 */
export class Reference {
  /** Registry host and optional port; '' only for references from `parseReference` without one. */
  readonly domain: string;
  /** The repository path within the registry, e.g. `library/busybox`. */
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;

  constructor(domain: string, path: string, tag?: string, digest?: Digest) {
    this.domain = domain;
    this.path = path;
    this.tag = tag;
    this.digest = digest;
  }

  /** `domain/path`, without tag or digest. */
  get name(): string {
    return this.domain === '' ? this.path : `${this.domain}/${this.path}`;
  }

  /** True when neither a tag nor a digest was given. */
  get isNameOnly(): boolean {
    return this.tag === undefined && this.digest === undefined;
  }

  toString(): string {
    return this.name + (this.tag !== undefined ? `:${this.tag}` : '') + (this.digest !== undefined ? `@${this.digest}` : '');
  }

  /** Serialises as the canonical string, so references can sit in JSON records. */
  toJSON(): string {
    return this.toString();
  }

  /** The name as Docker prints it: `busybox`, `user/repo`, `localhost:5000/x`. */
  familiarName(): string {
    const { domain, path } = familiarize(this.domain, this.path);
    return domain === '' ? path : `${domain}/${path}`;
  }

  /** The whole reference as Docker prints it: `busybox:latest`, `user/repo@sha256:…`. */
  familiarString(): string {
    return this.familiarName() + (this.tag !== undefined ? `:${this.tag}` : '') + (this.digest !== undefined ? `@${this.digest}` : '');
  }

  /** The same repository with `tag` (a digest, if any, is kept, as Go's WithTag does). */
  withTag(tag: string): Reference {
    if (!ANCHORED_TAG_RE.test(tag)) throw new InvalidArgumentError(`${ERR_TAG_INVALID}: "${tag}"`);
    return new Reference(this.domain, this.path, tag, this.digest);
  }

  withDigest(digest: string): Reference {
    return new Reference(this.domain, this.path, this.tag, checkDigest(digest, ERR_DIGEST_INVALID));
  }

  /** The repository alone (Go's TrimNamed). */
  nameOnly(): Reference {
    return new Reference(this.domain, this.path);
  }

  equals(other: Reference): boolean {
    return this.toString() === other.toString();
  }
}

/** What `parseAnyReference` returns: an image named by repository, or an image ID. */
export type AnyReference = { kind: 'named'; ref: Reference } | { kind: 'id'; id: Digest };

function familiarize(domain: string, path: string): { domain: string; path: string } {
  if (domain !== DEFAULT_DOMAIN) return { domain, path };
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
    // Only a single-component official name shortens: `library/foo/bar` stays as it is.
    if (!rest.includes('/')) return { domain: '', path: rest };
  }
  return { domain: '', path };
}

/**
 * Go's digest.Parse as the reference package uses it: the grammar already matched; here the
 * algorithm must be one we support and the hex must have its length and case.
 */
function checkDigest(value: string, grammarError: string): Digest {
  if (!ANCHORED_DIGEST_RE.test(value)) throw new InvalidArgumentError(grammarError);
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  if (algorithm !== 'sha256') throw new InvalidArgumentError('unsupported digest algorithm');
  if (hex.length !== 64) throw new InvalidArgumentError('invalid checksum digest length');
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new InvalidArgumentError('invalid checksum digest format');
  return value as Digest;
}

/**
 * Parses a reference as written, without Docker's normalisation (Go's `reference.Parse`):
 * `busybox` has no domain here. Most callers want `parseNormalizedNamed`.
 */
export function parseReference(s: string): Reference {
  if (s === '') throw new InvalidArgumentError(ERR_NAME_EMPTY);
  const match = REFERENCE_RE.exec(s);
  if (!match) {
    const lower = s.toLowerCase();
    if (lower !== s && REFERENCE_RE.test(lower)) throw new InvalidArgumentError(ERR_NAME_UPPERCASE);
    throw new InvalidArgumentError(ERR_INVALID_FORMAT);
  }
  const [, name = '', tag, digest] = match;
  const nameMatch = ANCHORED_NAME_RE.exec(name);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch?.[2] ?? name;
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) throw new InvalidArgumentError(ERR_NAME_TOO_LONG);
  return new Reference(domain, path, tag, digest === undefined ? undefined : checkDigest(digest, ERR_INVALID_FORMAT));
}

/**
 * Splits a familiar name into domain and remote name the way Docker decides whether the
 * first component is a registry: it is when it is `localhost`, contains `.` or `:`, or has
 * upper case (repository paths cannot). Docker Hub names gain `library/` when single.
 */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === 'localhost') {
    [domain, remainder] = [first, rest];
  } else if (first === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, rest];
  } else if (first.includes('.') || first.includes(':')) {
    [domain, remainder] = [first, rest];
  } else if (first.toLowerCase() !== first) {
    [domain, remainder] = [first, rest];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses a reference as the docker CLI and API accept it, normalising the familiar form:
 * `busybox` → `docker.io/library/busybox`, `user/repo` → `docker.io/user/repo`,
 * `index.docker.io/x` → `docker.io/library/x`. No default tag is added (see `withDefaultTag`).
 * Errors are InvalidArgumentError with Docker's messages.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (ANCHORED_IDENTIFIER_RE.test(s)) {
    throw new InvalidArgumentError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep < 0 ? remainder : remainder.slice(0, tagSep);
  if (remote.toLowerCase() !== remote) {
    throw new InvalidArgumentError(`${ERR_INVALID_FORMAT}: repository name (${remote}) must be lowercase`);
  }
  return parseReference(`${domain}/${remainder}`);
}

/** Like `parseNormalizedNamed`, but refuses anything not already in canonical form. */
export function parseNamed(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (ref.toString() !== s) throw new InvalidArgumentError(ERR_NAME_NOT_CANONICAL);
  return ref;
}

/** Adds the `latest` tag to a reference with neither tag nor digest (Go's TagNameOnly). */
export function withDefaultTag(ref: Reference): Reference {
  return ref.isNameOnly ? ref.withTag(DEFAULT_TAG) : ref;
}

/**
 * Docker's pull/run normalisation (Go's ParseDockerRef): name-only gets `:latest`; a
 * reference with both tag and digest keeps only the digest, which is what is fetched.
 */
export function parseDockerRef(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (ref.tag !== undefined && ref.digest !== undefined) return new Reference(ref.domain, ref.path, undefined, ref.digest);
  return withDefaultTag(ref);
}

/**
 * An image reference as `docker image inspect` and friends take it: a 64-hex image ID, a
 * `sha256:` digest, or a (familiar) name.
 */
export function parseAnyReference(s: string): AnyReference {
  if (ANCHORED_IDENTIFIER_RE.test(s)) return { kind: 'id', id: `sha256:${s}` };
  if (s.startsWith('sha256:') && /^sha256:[a-f0-9]{64}$/.test(s)) return { kind: 'id', id: s as Digest };
  return { kind: 'named', ref: parseNormalizedNamed(s) };
}

/** True for a full 64-hex image ID without the `sha256:` prefix. */
export function isImageIdHex(s: string): boolean {
  return ANCHORED_IDENTIFIER_RE.test(s);
}

/** The familiar name of a reference (Go's FamiliarName). */
export function familiarName(ref: Reference): string {
  return ref.familiarName();
}

/** The familiar string of a reference (Go's FamiliarString). */
export function familiarString(ref: Reference): string {
  return ref.familiarString();
}
