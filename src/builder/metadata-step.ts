import { posix } from 'node:path';
import type { BuildEvent } from './build-request.js';
import { cachedStep, commitStepImage, newContainerId, topChain, type BuildSession, type StageState } from './build-session.js';
import { ensureDirectoryInRoot } from './rootfs-paths.js';
import { StepRootfs } from './step-rootfs.js';

/**
 * A step that only changed the config (ENV, CMD, LABEL, ARG…): a new image with the same
 * layers and an `empty_layer` history entry. Docker's classic builder commits these through
 * a container it creates and removes, and says so; the builder reports the same lines for a
 * container ID it only names, so the output reads the same.
 */
export async function* metadataStep(session: BuildSession, state: StageState, createdBy: string): AsyncGenerator<BuildEvent> {
  yield* cachedStep(session, state, { parent: state.imageId, createdBy }, async function* () {
    const containerId = newContainerId();
    yield { type: 'container-started', containerId };
    if (session.announceRemoval) yield { type: 'container-removed', containerId };
    return commitStepImage(session, state, createdBy, undefined);
  });
}

/**
 * WORKDIR: the config change, and the directory created (0755, root) in a layer of its own
 * when the image lacks it; when it exists the step adds no layer, as with Docker.
 */
export async function* workdirStep(session: BuildSession, state: StageState, createdBy: string): AsyncGenerator<BuildEvent> {
  yield* cachedStep(session, state, { parent: state.imageId, createdBy }, async function* () {
    const containerId = newContainerId();
    yield { type: 'container-started', containerId };
    const step = await StepRootfs.prepare(session.images, topChain(state), session.scratchDir);
    let commit;
    try {
      await ensureDirectoryInRoot(step.rootfs, posix.normalize(state.config.WorkingDir ?? '/'), { uid: 0, gid: 0 });
      commit = await step.commit(session.lease);
    } catch (err) {
      await step.discard();
      throw err;
    }
    if (session.announceRemoval) yield { type: 'container-removed', containerId };
    return commitStepImage(session, state, createdBy, commit);
  });
}
