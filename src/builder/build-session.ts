import { randomBytes } from 'node:crypto';
import { type Digest } from '../base/index.js';
import type { ImageService, Lease, LayerInfo } from '../images/index.js';
import { chainId, currentPlatform, type HistoryEntry, type ImageConfig } from '../oci/index.js';
import type { BuildArgs } from './build-args.js';
import type { BuildCache, CacheKey } from './build-cache.js';
import type { BuildContext } from './build-context.js';
import type { BuildEvent } from './build-request.js';
import { copyConfig, type ConfigState } from './config-instructions.js';
import type { EscapeToken } from './dockerfile/index.js';
import type { StepCommit } from './step-rootfs.js';

/** What every step of one build shares. */
export interface BuildSession {
  readonly images: ImageService;
  readonly cache: BuildCache;
  readonly context: BuildContext;
  /** Private directory for this build's mounts, bundles and downloads. */
  readonly scratchDir: string;
  readonly runc: { path: string; root: string };
  readonly lease: Lease;
  readonly escapeToken: EscapeToken;
  readonly noCache: boolean;
  readonly network: 'host' | 'none';
  readonly announceRemoval: boolean;
  readonly signal?: AbortSignal;
  /** Stages built so far, by index, and stage names to indexes. */
  readonly stageResults: Map<number, StageResult>;
  readonly stageNames: Map<string, number>;
}

/** A finished stage: what `FROM <stage>` and `COPY --from` use. */
export interface StageResult {
  imageId: Digest | undefined;
  config: ImageConfig | undefined;
  layers: LayerInfo[];
}

/** Where a stage is: its config (see ConfigState), image, layers and history so far. */
export interface StageState extends ConfigState {
  readonly index: number;
  /** The image the last step left; undefined for `FROM scratch` before any step. */
  imageId: Digest | undefined;
  layers: LayerInfo[];
  history: HistoryEntry[];
  platform: Pick<ImageConfig, 'architecture' | 'os' | 'variant'>;
  buildArgs: BuildArgs;
}

export function topChain(state: Pick<StageState, 'layers'>): Digest | undefined {
  return chainId(state.layers.map((l) => l.diffId));
}

/** A 64-hex ID in the shape of Docker's container IDs, for a step's build container. */
export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

export function scratchPlatform(): StageState['platform'] {
  const platform = currentPlatform();
  return { architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}) };
}

/** The layers of an image as the image service lists them (diffID and stored size). */
export async function imageLayers(images: ImageService, imageId: Digest): Promise<LayerInfo[]> {
  const manifest = await images.manifest(images.store.get(imageId));
  return manifest.layers.map((d) => ({ diffId: d.digest, size: d.size }));
}

/** Moves the stage onto an existing image (a cache hit): its layers, history and config. */
export async function adoptImage(session: BuildSession, state: StageState, imageId: Digest): Promise<void> {
  const config = await session.images.config(imageId);
  await session.images.unpack(imageId, session.lease);
  state.imageId = imageId;
  state.layers = await imageLayers(session.images, imageId);
  state.history = [...(config.history ?? [])];
  state.config = copyConfig(config.config);
}

/**
 * Records the step's image: the stage's config now, the parent's layers plus the step's
 * (when it made one), and a history entry (`empty_layer` when it did not). The image's
 * parent is the step's starting image, as Docker's classic builder records it.
 */
export async function commitStepImage(session: BuildSession, state: StageState, createdBy: string, commit: StepCommit): Promise<Digest> {
  const created = new Date().toISOString();
  const entry: HistoryEntry = { created, created_by: createdBy };
  if (state.maintainer) entry.author = state.maintainer;
  if (!commit) entry.empty_layer = true;
  const layers = commit ? [...state.layers, commit.layer] : [...state.layers];
  const config: ImageConfig = {
    ...state.platform,
    created,
    ...(state.maintainer ? { author: state.maintainer } : {}),
    config: copyConfig(state.config),
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [...state.history, entry],
  };
  if (!config.variant) delete config.variant;
  const imageId = await session.images.createImage({ config, layers, ...(state.imageId ? { parent: state.imageId } : {}) }, session.lease);
  session.lease.addBlobs(imageId);
  state.imageId = imageId;
  state.layers = layers;
  state.history = config.history!;
  return imageId;
}

/**
 * Runs one step with the cache: a hit moves the stage onto the cached image and reports
 * ` ---> Using cache`; a miss runs `work`, which yields the step's events and returns the
 * image it committed, then remembers it under the key.
 */
export async function* cachedStep(
  session: BuildSession,
  state: StageState,
  key: CacheKey,
  work: () => AsyncGenerator<BuildEvent, Digest>,
): AsyncGenerator<BuildEvent> {
  if (!session.noCache) {
    const hit = await session.cache.lookup(key, session.images);
    if (hit) {
      await adoptImage(session, state, hit);
      yield { type: 'cache-hit' };
      return;
    }
  }
  const imageId = yield* work();
  await session.cache.record(key, imageId);
}

/** The variables word expansion sees in a stage: its ENV, then its ARGs that ENV does not override. */
export function expansionEnv(state: StageState): string[] {
  const env = state.config.Env ?? [];
  return [...env, ...state.buildArgs.filterAllowed(env)];
}
