/**
 * Go's filepath.Match patterns, which COPY and ADD sources may use: `*` and `?` never match
 * `/`, `[…]` classes (`[^…]` negated, ranges), `\` escapes the next character.
 */

/** Whether the path has an unescaped `*`, `?` or `[`. */
export function containsWildcards(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

const escapeRegExp = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** A predicate matching whole `/`-separated paths against the pattern. */
export function wildcardMatcher(pattern: string): (path: string) => boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return () => false; // Go: ErrBadPattern, which matches nothing
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/\\(.)/g, (_, c: string) => escapeRegExp(c)).replace(/\//g, '')}]`;
      i = end;
    } else source += escapeRegExp(ch);
  }
  const regex = new RegExp(`^${source}$`, 'u');
  return (path) => regex.test(path);
}
