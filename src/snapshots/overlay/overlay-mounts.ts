import { InvalidArgumentError } from '../../base/index.js';
import type { Mount } from '../../host/index.js';
import { bindMount } from '../bind-mount.js';
import type { StoreLayout } from '../store-layout.js';

/**
 * mount(2) copies at most one page of option data (the string ends with a NUL). 4096 is
 * the smallest page size Linux runs on, so it is safe everywhere.
 */
export const MAX_MOUNT_DATA = 4095;

/**
 * A writable snapshot: its own dir as upper over the parents' dirs (`lowers`, nearest
 * first), or a plain bind of its own dir when it has no parent.
 */
export function writableMounts(layout: StoreLayout, name: string, own: string, lowers: string[], features: string[]): Mount[] {
  if (lowers.length === 0) return [bindMount(layout.fsPath(own), false)];
  return [overlayMount(layout, name, own, lowers, features)];
}

/**
 * A read-only stack of `lowers` (nearest first). Overlay needs two lowers when there is no
 * upper, so one lower is a read-only bind; none is a read-only bind of `empty`.
 */
export function readOnlyMounts(layout: StoreLayout, name: string, empty: string, lowers: string[], features: string[]): Mount[] {
  if (lowers.length === 0) return [bindMount(layout.fsPath(empty), true)];
  if (lowers.length === 1) return [bindMount(layout.fsPath(lowers[0]!), true)];
  return [overlayMount(layout, name, undefined, lowers, features)];
}

/**
 * Absolute paths while they fit; past the page limit (about 80 layers under the default root),
 * paths relative to the snapshotter root and `cwd`, which fit about 250 layers.
 */
function overlayMount(layout: StoreLayout, name: string, upper: string | undefined, lowers: string[], features: string[]): Mount {
  const flags = upper === undefined ? ['ro'] : [];
  const absolute = overlayData(upper, lowers, features, (id) => layout.fsPath(id), (id) => layout.workPath(id));
  if (dataLength(absolute) <= MAX_MOUNT_DATA) return { type: 'overlay', source: 'overlay', options: [...flags, ...absolute] };
  const relative = overlayData(upper, lowers, features, (id) => `${id}/fs`, (id) => `${id}/work`);
  if (dataLength(relative) > MAX_MOUNT_DATA) {
    throw new InvalidArgumentError(`snapshot "${name}" stacks ${lowers.length} layers, more than one overlay mount can hold`);
  }
  return { type: 'overlay', source: 'overlay', options: [...flags, ...relative], cwd: layout.root };
}

function overlayData(
  upper: string | undefined, lowers: string[], features: string[],
  fsPath: (id: string) => string, workPath: (id: string) => string,
): string[] {
  const options = [...features];
  if (upper !== undefined) options.push(`workdir=${workPath(upper)}`, `upperdir=${fsPath(upper)}`);
  options.push(`lowerdir=${lowers.map(fsPath).join(':')}`);
  return options;
}

function dataLength(options: string[]): number {
  return Buffer.byteLength(options.join(','));
}
