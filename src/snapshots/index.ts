export * from './snapshotter.js';
export { OverlaySnapshotter } from './overlay/overlay-snapshotter.js';
export { NativeSnapshotter } from './native/native-snapshotter.js';
export type { SnapshotterOptions } from './indexed-snapshotter.js';
export { measureUsage } from './measure-usage.js';
