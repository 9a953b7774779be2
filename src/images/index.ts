export * from './image-store.js';
export * from './image-service.js';
export * from './image-views.js';
export * from './leases.js';
export * from './layer-unpacker.js';
export * from './garbage-collector.js';
export { saveImages } from './image-archive-export.js';
export { loadImages, type LoadEvent, type LoadOptions, type LoadedImage } from './image-archive-import.js';
