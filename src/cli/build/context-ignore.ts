import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';

// A CommonJS module whose types claim an ES default export: at run time the default import
// is the factory itself.
const createMatcher = ((dockerignoreModule as unknown as { default?: unknown }).default ?? dockerignoreModule) as unknown as typeof dockerignoreModule.default;

/**
 * The exclude patterns of a build context as the docker CLI applies them before sending it:
 * `.dockerignore` read with buildkit's dockerignore.ReadAll rules, matched with moby's
 * patternmatcher semantics (a path is excluded when it or a parent matches, `!` exceptions,
 * the last matching pattern wins).
 */
export class ContextExcludes {
  private readonly matcher: ReturnType<typeof createMatcher>;

  constructor(readonly patterns: readonly string[]) {
    this.matcher = createMatcher().add([...patterns]);
  }

  /** dockerignore.ReadAll: comments, a UTF-8 BOM, blank lines, cleaned and relative patterns. */
  static parse(text: string): ContextExcludes {
    const patterns: string[] = [];
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    for (const raw of lines) {
      if (raw.startsWith('#')) continue;
      let pattern = raw.trim();
      if (pattern === '') continue;
      const invert = pattern.startsWith('!');
      if (invert) pattern = pattern.slice(1).trim();
      if (pattern.length > 0) {
        pattern = posix.normalize(pattern);
        if (pattern.length > 1 && pattern.endsWith('/')) pattern = pattern.replace(/\/+$/, '');
        if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.replace(/^\/+/, '');
      }
      patterns.push(invert ? `!${pattern}` : pattern);
    }
    return new ContextExcludes(patterns);
  }

  /** The context's `.dockerignore` (none: no patterns), and its text for rewriting. */
  static async read(contextDir: string): Promise<{ excludes: ContextExcludes; text: Buffer | undefined }> {
    let text: Buffer;
    try {
      text = await readFile(join(contextDir, '.dockerignore'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { excludes: new ContextExcludes([]), text: undefined };
      throw err;
    }
    return { excludes: ContextExcludes.parse(text.toString('utf8')), text };
  }

  /** With more patterns after these. */
  with(...more: string[]): ContextExcludes {
    return more.length === 0 ? this : new ContextExcludes([...this.patterns, ...more]);
  }

  get hasExceptions(): boolean {
    return this.patterns.some((p) => p.startsWith('!'));
  }

  /** Whether a context path (relative, `/`-separated) is left out. The root never is. */
  excludes(relPath: string): boolean {
    if (this.patterns.length === 0 || relPath === '' || relPath === '.') return false;
    return this.matcher.ignores(relPath);
  }

  /**
   * Whether the walk must still enter an excluded directory: an exception pattern starts
   * inside it (moby's TarWithOptions descends only then).
   */
  mayIncludeUnder(dirRelPath: string): boolean {
    const prefix = `${dirRelPath}/`;
    return this.patterns.some((p) => p.startsWith('!') && `${p.slice(1)}/`.startsWith(prefix));
  }

  /**
   * build.TrimBuildFilesFromExcludes: the Dockerfile and `.dockerignore` are always sent (the
   * daemon drops them from the context itself when they are excluded).
   */
  keepingBuildFiles(dockerfile: string, dockerfileFromStdin: boolean): ContextExcludes {
    const more: string[] = [];
    if (this.excludes('.dockerignore')) more.push('!.dockerignore');
    if (!dockerfileFromStdin && this.excludes(dockerfile)) more.push(`!${dockerfile}`);
    return this.with(...more);
  }
}
