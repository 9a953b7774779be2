import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { errnoCode, errorMessage, InvalidArgumentError, isErrorKind, NotFoundError } from '../base/index.js';
import { realpathInRoot } from '../host/index.js';
import type { BuildRequest } from './build-request.js';
import { DockerIgnore } from './dockerignore.js';
import { unpackContext, type UnpackedContext } from './context-unpack.js';
import type { SourceTree } from './source-tree.js';

/**
 * The files a build may COPY: a directory given on disk (read in place, never written), or
 * the tar the API received, unpacked with the secure applier into a private directory that
 * `dispose` removes (see unpackContext). `.dockerignore` at its root hides what it excludes.
 */
export class BuildContext implements SourceTree {
  readonly kind = 'context';

  private constructor(
    readonly root: string,
    readonly ignore: DockerIgnore,
    private readonly release: () => Promise<void>,
  ) {}

  /**
   * `scratchDir`: the build's private run-state directory (a tmpfs context is mounted there);
   * `spoolDir`: a private directory on the store's disk for the spooled tar and large contexts.
   */
  static async open(source: BuildRequest['context'], scratchDir: string, spoolDir: string): Promise<BuildContext> {
    if ('dir' in source) {
      const st = await stat(source.dir).catch(() => undefined);
      if (!st?.isDirectory()) throw new InvalidArgumentError(`build context ${source.dir} is not a directory`);
      return new BuildContext(source.dir, await readIgnore(source.dir), async () => {});
    }
    let unpacked: UnpackedContext;
    try {
      unpacked = await unpackContext(source.tar, scratchDir, spoolDir);
    } catch (err) {
      if (err instanceof InvalidArgumentError || isErrorKind(err, 'data-corrupt')) throw new InvalidArgumentError(`the build context is not a valid tar archive: ${errorMessage(err)}`, { cause: err });
      throw err;
    }
    try {
      return new BuildContext(unpacked.root, await readIgnore(unpacked.root), unpacked.dispose);
    } catch (err) {
      await unpacked.dispose();
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
    await this.release();
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
