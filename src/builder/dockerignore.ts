import { posix } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';

// A CommonJS module whose types claim an ES default export: at run time the default import
// is the factory itself.
const createMatcher = ((dockerignoreModule as unknown as { default?: unknown }).default ?? dockerignoreModule) as unknown as typeof dockerignoreModule.default;

/**
 * `.dockerignore` with Docker's rules (moby's dockerignore.ReadAll and fileutils'
 * PatternMatcher, as ported by @balena/dockerignore): `#` comments, patterns cleaned and
 * made relative, `**`, and `!` exceptions where the last matching pattern wins.
 */
export class DockerIgnore {
  private readonly matcher: ReturnType<typeof createMatcher>;
  readonly patterns: readonly string[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    this.matcher = createMatcher().add([...patterns]);
  }

  static parse(text: string): DockerIgnore {
    const patterns: string[] = [];
    for (const raw of text.split(/\r?\n/)) {
      if (raw.startsWith('#')) continue;
      let pattern = raw.trim();
      if (pattern === '') continue;
      const invert = pattern.startsWith('!');
      if (invert) pattern = pattern.slice(1).trim();
      if (pattern.length > 0) {
        pattern = posix.normalize(pattern);
        if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.replace(/^\/+/, '');
        if (pattern.length > 1 && pattern.endsWith('/')) pattern = pattern.slice(0, -1);
      }
      patterns.push(invert ? `!${pattern}` : pattern);
    }
    return new DockerIgnore(patterns);
  }

  /** Whether the context path (relative, `/`-separated) is excluded. The context root never is. */
  excludes(relPath: string): boolean {
    if (this.patterns.length === 0 || relPath === '' || relPath === '.') return false;
    return this.matcher.ignores(relPath);
  }

  /**
   * Whether an excluded directory may still hold included files: an exception pattern
   * starts inside it (moby's walk descends only then).
   */
  mayIncludeUnder(dirRelPath: string): boolean {
    const prefix = `${dirRelPath}/`;
    return this.patterns.some((p) => p.startsWith('!') && `${p.slice(1)}/`.startsWith(prefix));
  }
}
