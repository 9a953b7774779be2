/**
 * OCI and Docker image formats: media types, descriptors, manifests, indexes, image configs,
 * platforms, layer identity (diffID/chainID) and image references. Pure: no I/O.
 */
export * from './media-types.js';
export { parseWithSchema, parseJsonText, goObject } from './schema-parse.js';
export * from './descriptor.js';
export * from './platform.js';
export * from './platform-match.js';
export * from './image-manifest.js';
export * from './image-index.js';
export * from './image-config.js';
export * from './manifest-document.js';
export * from './layer-identity.js';
export * from './reference.js';
export { compilePathPattern, pathMatch, familiarMatch } from './familiar-match.js';
