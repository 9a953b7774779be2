import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Digest } from '../base/index.js';
import { mountsUnder, runCommand, unmountIfMounted, MNT_DETACH } from '../host/index.js';
import { Lease, normaliseTagTarget, type ImageService } from '../images/index.js';
import { findOciRuntime } from '../runtime/index.js';
import {
  envFromRecord, expandInstruction, parseDockerfile, type Instruction, type ParsedDockerfile,
} from './dockerfile/index.js';
import { BuildArgs, checkBuildArgs } from './build-args.js';
import { BuildCache } from './build-cache.js';
import { BuildContext } from './build-context.js';
import { atInstruction } from './build-errors.js';
import type { BuildEvent, BuildRequest } from './build-request.js';
import type { BuildSession } from './build-session.js';
import { planStages } from './stage-plan.js';
import { buildStage, declareArgs } from './stage-evaluator.js';

export interface ImageBuilderOptions {
  images: ImageService;
  /** The store root: cache records live in `<root>/builder/cache/`. */
  root: string;
  /** Run-state root for build containers: runc state, bundles and mount points (e.g. `/run/strata/builder`). */
  execRoot: string;
  /** The OCI runtime binary (default: `runc` from PATH). */
  runtimePath?: string;
}

/**
 * `--label` as Docker's classic builder adds it: one more `LABEL k=v …` step (keys sorted)
 * at the end of the built stage, values quoted so that they are not expanded.
 */
function labelInstruction(labels: Readonly<Record<string, string>>, line: number): Instruction | undefined {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return undefined;
  const quote = (s: string) => `'${s.split("'").join(`'"'"'`)}'`;
  return {
    kind: 'label',
    keyword: 'LABEL',
    source: `LABEL ${keys.map((k) => `${k}=${labels[k]}`).join(' ')}`,
    startLine: line,
    endLine: line,
    comments: [],
    pairs: keys.map((key) => ({ key: quote(key), value: quote(labels[key]!), noDelimiter: false })),
  };
}

/**
 * The builder: evaluates a Dockerfile with the classic builder's semantics, one image per
 * step (parent set), each filesystem-changing step a layer committed straight from its
 * snapshot's upper dir, with a persistent build cache. One instance serves every build.
 */
export class ImageBuilder {
  private readonly cache: BuildCache;
  /** On the store's disk: spooled context tars and contexts too large for memory; emptied at start-up. */
  private readonly spoolDir: string;
  private runtimePath?: Promise<string>;

  constructor(private readonly options: ImageBuilderOptions) {
    this.cache = new BuildCache(join(options.root, 'builder', 'cache'));
    this.spoolDir = join(options.root, 'builder', 'tmp');
  }

  /**
   * Runs a build, reporting progress as events (see classicStreamMessage for Docker's
   * wording). Errors are thrown: before the first event for a request that cannot start (bad
   * tags, build args, context or Dockerfile — the API answers those with an HTTP error), later
   * for a failing step (RunStepFailedError carries the exit code). However it ends — error,
   * cancellation through `request.signal`, or the consumer stopping early — no mount,
   * snapshot or container of the build is left; images of the steps that completed stay, as
   * the build cache.
   */
  build(request: BuildRequest): AsyncGenerator<BuildEvent> {
    const events = this.run(request);
    return request.quiet ? quietly(events) : events;
  }

  private async *run(request: BuildRequest): AsyncGenerator<BuildEvent> {
    const { images } = this.options;
    const tags = (request.tags ?? []).map((tag) => normaliseTagTarget(tag));
    const buildArgValues = request.buildArgs ?? {};
    checkBuildArgs(buildArgValues);
    const scratchDir = join(this.options.execRoot, 'builds', randomBytes(8).toString('hex'));
    await mkdir(scratchDir, { recursive: true, mode: 0o700 });
    await mkdir(this.cache.dir, { recursive: true });
    const lease = new Lease(images.leases);
    let context: BuildContext | undefined;
    try {
      context = await BuildContext.open(request.context, scratchDir, this.spoolDir);
      const text = request.dockerfile && 'text' in request.dockerfile
        ? request.dockerfile.text
        : await context.readDockerfile(request.dockerfile?.path ?? 'Dockerfile');
      const parsed = parseDockerfile(text);
      if (parsed.stages.length === 0) throw new InvalidArgumentError('No image was generated. Is your Dockerfile empty?');

      const session: BuildSession = {
        images,
        cache: this.cache,
        context,
        scratchDir,
        runc: { path: await this.runtime(), root: join(this.options.execRoot, 'runc') },
        lease,
        escapeToken: parsed.escapeToken,
        noCache: request.noCache ?? false,
        network: request.network === 'none' ? 'none' : 'host',
        announceRemoval: request.rm ?? true,
        ...(request.signal ? { signal: request.signal } : {}),
        stageResults: new Map(),
        stageNames: new Map(parsed.stages.map((s, i) => [s.name, i] as const).filter(([name]) => name !== '').reverse()),
      };
      yield* this.evaluate(session, parsed, request, new Map(Object.entries(buildArgValues)), tags.map((t) => t.toString()));
    } finally {
      lease.release();
      await context?.dispose().catch(() => {});
      for (const point of await mountsUnder(scratchDir).catch(() => [] as string[])) unmountIfMounted(point, MNT_DETACH);
      await rm(scratchDir, { recursive: true, force: true }).catch(() => {});
    }
  }

  private async *evaluate(session: BuildSession, parsed: ParsedDockerfile, request: BuildRequest, given: Map<string, string | null>, tags: string[]): AsyncGenerator<BuildEvent> {
    const metaArgs = new BuildArgs(given);
    const plannedArgs = new BuildArgs(given);
    for (const meta of parsed.metaArgs) {
      const expanded = expandInstruction(meta, { env: envFromRecord(Object.fromEntries(plannedArgs.metaValues())), escapeToken: parsed.escapeToken });
      declareArgs(expanded, (key, value) => plannedArgs.addMetaArg(key, value));
    }
    const plan = planStages(parsed, request.target, (stage) => {
      try {
        return expandInstruction(stage.from, { env: envFromRecord(Object.fromEntries(plannedArgs.metaValues())), escapeToken: parsed.escapeToken }).baseName;
      } catch {
        return stage.from.baseName;
      }
    });
    const lastLine = parsed.instructions.at(-1)?.endLine ?? 1;
    const labels = labelInstruction(request.labels ?? {}, lastLine);
    const total = parsed.metaArgs.length + plan.reduce((n, p) => n + 1 + p.stage.commands.length, 0) + (labels ? 1 : 0);
    let step = 0;
    const nextStep = (instruction: Instruction): BuildEvent => ({ type: 'step', index: ++step, total, instruction: instruction.source });

    for (const meta of parsed.metaArgs) {
      yield nextStep(meta);
      try {
        const expanded = expandInstruction(meta, { env: envFromRecord(Object.fromEntries(metaArgs.metaValues())), escapeToken: parsed.escapeToken });
        declareArgs(expanded, (key, value) => metaArgs.addMetaArg(key, value));
      } catch (err) {
        throw atInstruction(meta, err);
      }
    }

    let final: Digest | undefined;
    for (const [i, planned] of plan.entries()) {
      const isLast = i === plan.length - 1;
      const result = yield* buildStage(session, {
        stage: planned.stage,
        index: planned.index,
        nextStep,
        buildArgs: metaArgs.forNewStage(),
        extra: isLast && labels ? [labels] : [],
      });
      session.stageResults.set(planned.index, result);
      if (result.imageId) yield { type: 'stage-image', imageId: result.imageId };
      final = result.imageId;
    }
    if (!final) throw new InvalidArgumentError('No image was generated. Is your Dockerfile empty?');

    const unused = metaArgs.unconsumed();
    if (unused.length > 0) yield { type: 'message', text: `[Warning] One or more build-args [${unused.join(' ')}] were not consumed` };
    yield { type: 'built', imageId: final };
    for (const tag of tags) {
      await session.images.tag(final, tag);
      yield { type: 'tagged', name: normaliseTagTarget(tag).familiarString() };
    }
  }

  /**
   * Cleans up after builds a crash interrupted, for the daemon to call at start-up before any
   * build: unmounts and removes their scratch dirs and spooled contexts, deletes their runc containers, and removes
   * their active snapshots and views (keys `build-…`). Images of finished steps are kept.
   */
  async recover(): Promise<void> {
    const buildsDir = join(this.options.execRoot, 'builds');
    for (const point of (await mountsUnder(buildsDir).catch(() => [] as string[])).reverse()) unmountIfMounted(point, MNT_DETACH);
    await rm(buildsDir, { recursive: true, force: true });
    await rm(this.spoolDir, { recursive: true, force: true });
    const runcRoot = join(this.options.execRoot, 'runc');
    // runc keeps a directory per container under its root: none there, nothing to delete.
    const hasContainers = (await readdir(runcRoot).catch(() => [])).length > 0;
    const runc = hasContainers ? await this.runtime().catch(() => undefined) : undefined;
    if (runc) {
      const listed = await runCommand([runc, '--root', runcRoot, 'list', '-q'], { check: false, timeoutMs: 30_000 });
      for (const id of listed.stdout.split('\n').filter(Boolean)) {
        await runCommand([runc, '--root', runcRoot, 'delete', '--force', id], { check: false, timeoutMs: 30_000 });
      }
    }
    const stale: string[] = [];
    for await (const info of this.options.images.snapshotter.walk()) {
      if (info.kind !== 'committed' && info.name.startsWith('build-')) stale.push(info.name);
    }
    for (const key of stale) await this.options.images.snapshotter.remove(key);
  }

  private runtime(): Promise<string> {
    this.runtimePath ??= this.options.runtimePath
      ? Promise.resolve(this.options.runtimePath)
      : findOciRuntime('runc').then((info) => info.path);
    return this.runtimePath;
  }
}

/**
 * `-q`: nothing is reported while the build runs; success reports only the image ID, a
 * failure everything that was held back before the error, as Docker does.
 */
async function* quietly(events: AsyncGenerator<BuildEvent>): AsyncGenerator<BuildEvent> {
  const held: BuildEvent[] = [];
  let built: Digest | undefined;
  try {
    for await (const event of events) {
      if (event.type === 'built') built = event.imageId;
      held.push(event);
    }
  } catch (err) {
    yield* held;
    throw err;
  }
  if (built) yield { type: 'quiet-result', imageId: built };
}
