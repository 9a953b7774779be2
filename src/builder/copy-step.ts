import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { InvalidArgumentError, NotFoundError, StrataError } from '../base/index.js';
import { chainId } from '../oci/index.js';
import type { AddInstruction, CopyInstruction } from './dockerfile/index.js';
import type { BuildEvent } from './build-request.js';
import { cachedStep, commitStepImage, imageLayers, topChain, type BuildSession, type StageState } from './build-session.js';
import { parseChmod, resolveChown } from './copy-owner.js';
import { copyIntoRootfs } from './copy-into-rootfs.js';
import { mountImageView, type ImageView } from './image-view.js';
import { downloadSource, isRemoteUrl } from './remote-source.js';
import { combinedChecksum, downloadChecksum, sourceChecksum } from './source-checksum.js';
import { resolveSource, type SourceEntry, type SourceTree } from './source-tree.js';
import { StepRootfs } from './step-rootfs.js';

type CopyLike = CopyInstruction | AddInstruction;

/** What a COPY/ADD reads from, and what to release when the step is done. */
interface GatheredSources {
  entries: SourceEntry[];
  checksums: string[];
  cleanups: (() => Promise<void>)[];
}

/** The tree `COPY --from` names: an earlier stage (by name or index) or a local image. */
async function fromTree(session: BuildSession, state: StageState, from: string, cleanups: GatheredSources['cleanups']): Promise<SourceTree> {
  const fail = (why: string) => new InvalidArgumentError(`invalid from flag value ${from}: ${why}`);
  let stageIndex = session.stageNames.get(from.toLowerCase());
  if (stageIndex === undefined && /^\d+$/.test(from)) stageIndex = Number(from);
  let diffIds;
  if (stageIndex !== undefined && stageIndex < state.index) {
    const result = session.stageResults.get(stageIndex);
    if (!result) throw fail('that stage was not built');
    diffIds = result.layers.map((l) => l.diffId);
  } else if (stageIndex !== undefined && /^\d+$/.test(from)) {
    throw fail('refers to the current or a later build stage');
  } else {
    const record = session.images.tryResolve(from);
    if (!record) throw fail(`No such image: ${from}`);
    await session.images.unpack(record.id, session.lease);
    diffIds = (await imageLayers(session.images, record.id)).map((l) => l.diffId);
  }
  const view: ImageView = await mountImageView(session.images, chainId(diffIds), session.scratchDir);
  cleanups.push(view.release);
  return { kind: 'image', root: view.root };
}

/** `COPY <<EOF /dest`: each inline body becomes a file (0644) named after its delimiter. */
async function inlineTree(session: BuildSession, instruction: CopyLike, cleanups: GatheredSources['cleanups']): Promise<{ tree: SourceTree; names: string[] }> {
  const root = join(session.scratchDir, `inline-${randomBytes(8).toString('hex')}`);
  await mkdir(root, { recursive: true, mode: 0o700 });
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  for (const content of instruction.contents) await writeFile(join(root, content.path), content.data, { mode: 0o644 });
  return { tree: { kind: 'context', root }, names: instruction.contents.map((c) => c.path) };
}

async function gatherSources(session: BuildSession, state: StageState, instruction: CopyLike): Promise<GatheredSources> {
  const gathered: GatheredSources = { entries: [], checksums: [], cleanups: [] };
  try {
    const from = instruction.kind === 'copy' ? instruction.from : '';
    const tree: SourceTree = from === '' ? session.context : await fromTree(session, state, from, gathered.cleanups);
    for (const source of instruction.sources) {
      if (instruction.kind === 'add' && isRemoteUrl(source)) {
        const download = await downloadSource(source, session.scratchDir, session.signal);
        gathered.cleanups.push(() => rm(download.tree.root, { recursive: true, force: true }));
        gathered.entries.push(download.entry);
        gathered.checksums.push(await downloadChecksum(download.entry));
        continue;
      }
      for (const entry of await resolveSource(tree, source)) {
        gathered.entries.push(entry);
        gathered.checksums.push(await sourceChecksum(entry));
      }
    }
    if (instruction.contents.length > 0) {
      const inline = await inlineTree(session, instruction, gathered.cleanups);
      for (const name of inline.names) {
        const entry: SourceEntry = { tree: inline.tree, rel: name, original: name, stat: await lstat(join(inline.tree.root, name)) };
        gathered.entries.push(entry);
        gathered.checksums.push(await sourceChecksum(entry));
      }
    }
    return gathered;
  } catch (err) {
    await releaseSources(gathered);
    throw err;
  }
}

async function releaseSources(gathered: GatheredSources): Promise<void> {
  for (const cleanup of gathered.cleanups.reverse()) await cleanup().catch(() => {});
}

/** Docker's destination: relative to WORKDIR, a trailing `/` kept (it means "a directory"). */
function destinationOf(dest: string, workdir: string | undefined): string {
  if (posix.isAbsolute(dest)) return dest;
  const joined = posix.join('/', workdir ?? '/', dest);
  return dest.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined;
}

/** `COPY failed: …` / `ADD failed: …` around the source errors, as Docker words them. */
function failed(keyword: string, err: unknown): unknown {
  if (err instanceof StrataError && (err.kind === 'not-found' || err.kind === 'invalid-argument')) {
    const Kind = err.kind === 'not-found' ? NotFoundError : InvalidArgumentError;
    return new Kind(`${keyword} failed: ${err.message}`, { cause: err });
  }
  return err;
}

/**
 * COPY and ADD: sources resolved (wildcards, `--from`, URLs, inline heredocs) and
 * checksummed, so that the cache key and the history line (`COPY file:<hex> in /dst `)
 * change exactly when their content or metadata does; then written straight into the step's
 * mounted snapshot and committed as its layer.
 */
export async function* copyStep(session: BuildSession, state: StageState, instruction: CopyLike): AsyncGenerator<BuildEvent> {
  const keyword = instruction.kind === 'copy' ? 'COPY' : 'ADD';
  let gathered: GatheredSources;
  try {
    gathered = await gatherSources(session, state, instruction);
  } catch (err) {
    throw failed(keyword, err);
  }
  try {
    if (gathered.entries.length === 0) throw new InvalidArgumentError(`${keyword} failed: no source files were specified`);
    const dest = destinationOf(instruction.dest, state.config.WorkingDir);
    if (gathered.entries.length > 1 && !dest.endsWith('/')) {
      throw new InvalidArgumentError(`When using ${keyword} with more than one source file, the destination must be a directory and end with a /`);
    }
    const chmod = instruction.chmod === '' ? undefined : parseChmod(instruction.chmod);
    const chownComment = instruction.chown === '' ? '' : `--chown=${instruction.chown}`;
    const shell = state.config.Shell && state.config.Shell.length > 0 ? state.config.Shell : ['/bin/sh', '-c'];
    const createdBy = `${shell.join(' ')} #(nop) ${keyword} ${chownComment}${combinedChecksum(gathered.checksums)} in ${dest} `;
    const extra = chmod === undefined ? undefined : `chmod=${chmod.toString(8)}`;
    const entries = gathered.entries;
    yield* cachedStep(session, state, { parent: state.imageId, createdBy, ...(extra ? { extra } : {}) }, async function* () {
      const step = await StepRootfs.prepare(session.images, topChain(state), session.scratchDir);
      let commit;
      try {
        const chown = instruction.chown === '' ? undefined : await resolveChown(instruction.chown, step.rootfs);
        await copyIntoRootfs(step.rootfs, entries, dest, {
          ...(chown ? { chown } : {}),
          ...(chmod !== undefined ? { chmod } : {}),
          extractArchives: instruction.kind === 'add' && instruction.unpack !== false,
        });
        commit = await step.commit(session.lease);
      } catch (err) {
        await step.discard();
        throw failed(keyword, err);
      }
      return commitStepImage(session, state, createdBy, commit);
    });
  } finally {
    await releaseSources(gathered);
  }
}
