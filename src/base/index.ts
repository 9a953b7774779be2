export * from './errors.js';
export * from './digest.js';
export * from './atomic-file.js';
export * from './async-lock.js';
export * from './logging.js';
export * from './streams.js';
export * from './human-duration.js';
export * from './small-file.js';
