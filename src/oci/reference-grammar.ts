/*
 * The grammar of image references, after docker/distribution's `reference` package
 * (regexp.go). Built from small pieces so each rule reads as in the grammar:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | \[ IPv6address \]
 *   domain-name      := domain-component ['.' domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   remote-name      := path-component ['/' path-component]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex (32 or more hex digits)
 *   identifier       := /[a-f0-9]{64}/
 *
 * None of the repetitions can match the same text two ways (every repeated group starts with
 * a literal separator), so these JS regexps backtrack linearly like Go's RE2 runs.
 */

const optional = (...parts: string[]): string => `(?:${parts.join('')})?`;
const anyTimes = (...parts: string[]): string => `(?:${parts.join('')})*`;
const capture = (...parts: string[]): string => `(${parts.join('')})`;
const anchored = (...parts: string[]): string => `^${parts.join('')}$`;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const identifier = '([a-f0-9]{64})';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = domainNameComponent + anyTimes('\\.', domainNameComponent);
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;

const pathComponent = alphanumeric + anyTimes(separator, alphanumeric);
const remoteName = pathComponent + anyTimes('/', pathComponent);
const namePattern = optional(domainAndPort, '/') + remoteName;

/** Captures: 1 name, 2 tag, 3 digest. */
export const REFERENCE_RE = new RegExp(anchored(capture(namePattern), optional(':', capture(tag)), optional('@', capture(digestPattern))));
/** Captures: 1 domain (may be absent), 2 remote name. */
export const ANCHORED_NAME_RE = new RegExp(anchored(optional(capture(domainAndPort), '/'), capture(remoteName)));
export const ANCHORED_TAG_RE = new RegExp(anchored(tag));
export const ANCHORED_DIGEST_RE = new RegExp(anchored(digestPattern));
/** A 64-hex image ID: refused as a repository name, accepted as an ID by `parseAnyReference`. */
export const ANCHORED_IDENTIFIER_RE = new RegExp(anchored(identifier));
export const DOMAIN_RE = new RegExp(anchored(domainAndPort));

/** The longest repository path (without the domain) a registry accepts. */
export const REPOSITORY_NAME_MAX_LENGTH = 255;
