import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { errnoCode, InvalidArgumentError, NotFoundError } from '../base/index.js';
import { applyLayer } from '../archive/index.js';
import { realpathInRoot } from '../host/index.js';
import type { BuildRequest } from './build-request.js';
import { DockerIgnore } from './dockerignore.js';
import type { SourceTree } from './source-tree.js';

/**
 * The files a build may COPY: a directory given on disk (read in place, never written), or
 * the tar the API received, unpacked with the secure applier into a private directory that
 * `dispose` removes. `.dockerignore` at its root hides what it excludes.
 */
export class BuildContext implements SourceTree {
  readonly kind = 'context';

  private constructor(
    readonly root: string,
    readonly ignore: DockerIgnore,
    private readonly owned: boolean,
  ) {}

  static async open(source: BuildRequest['context'], scratchDir: string): Promise<BuildContext> {
    if ('dir' in source) {
      const st = await stat(source.dir).catch(() => undefined);
      if (!st?.isDirectory()) throw new InvalidArgumentError(`build context ${source.dir} is not a directory`);
      return new BuildContext(source.dir, await readIgnore(source.dir), false);
    }
    const root = join(scratchDir, `context-${randomBytes(8).toString('hex')}`);
    // The scratch directory keeps contexts private; the context root itself gets the mode a
    // tar without an entry for it gives in Docker (0755), since `COPY . /dst` copies it.
    await mkdir(root, { recursive: true, mode: 0o700 });
    await chmod(root, 0o755);
    try {
      await applyLayer(source.tar, root, { whiteouts: 'delete' });
      return new BuildContext(root, await readIgnore(root), true);
    } catch (err) {
      await rm(root, { recursive: true, force: true });
      if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`the build context is not a valid tar archive: ${err.message}`, { cause: err });
      throw err;
    }
  }

  /** The Dockerfile's text at `path` inside the context (symlinks resolved inside it). */
  async readDockerfile(path: string): Promise<string> {
    const rel = posix.normalize(posix.join('/', path)).slice(1);
    try {
      return await readFile(realpathInRoot(this.root, rel || '.'), 'utf8');
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP') {
        throw new NotFoundError(`Cannot locate specified Dockerfile: ${path}`);
      }
      throw err;
    }
  }

  async dispose(): Promise<void> {
    if (this.owned) await rm(this.root, { recursive: true, force: true });
  }
}

async function readIgnore(root: string): Promise<DockerIgnore> {
  try {
    return DockerIgnore.parse(await readFile(realpathInRoot(root, '.dockerignore'), 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return new DockerIgnore([]);
    throw err;
  }
}
