export * from './mount.js';
export * from './xattr.js';
export * from './device.js';
export * from './openat2.js';
export * from './process.js';
export * from './probes.js';
export * from './copy-tree.js';
export * from './seqpacket-socket.js';
