/**
 * The builder: Dockerfiles into images whose filesystem-changing steps are shared,
 * content-addressed layers, with the classic builder's semantics, output and build cache;
 * and `applyChanges` for `docker commit/import --change`.
 *
 *   new ImageBuilder({ images, root, execRoot }).build(request) → AsyncGenerator<BuildEvent>
 *   classicStreamMessage(event)  → Docker's JSON stream message for an event
 *   applyChanges(config, ['CMD ["sh"]', …]) → the config with the changes applied
 */
export { applyChanges } from './apply-changes.js';
export { ImageBuilder, type ImageBuilderOptions } from './image-builder.js';
export { classicStreamMessage, type BuildEvent, type BuildRequest, type ClassicStreamMessage } from './build-request.js';
export { RunStepFailedError } from './build-errors.js';
export { BUILTIN_BUILD_ARGS } from './build-args.js';
export { DockerIgnore } from './dockerignore.js';
export * from './dockerfile/index.js';
