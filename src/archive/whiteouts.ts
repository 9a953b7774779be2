/**
 * The two ways a layer records deletions.
 *
 * OCI layer tars (and Docker's) use marker files: an empty entry `.wh.<name>` deletes `<name>`
 * from the layers below, and `<dir>/.wh..wh..opq` hides everything the lower layers had in
 * `<dir>`. Overlayfs upper dirs use a 0/0 character device named `<name>` and the xattr
 * `trusted.overlay.opaque=y` on the directory. The writer and the applier convert between them.
 */

export const WHITEOUT_PREFIX = '.wh.';
/** Names beginning with this are AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`), never files. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export const OVERLAY_XATTR_PREFIX = 'trusted.overlay.';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';
/** The value overlayfs writes on a directory that hides its lower layers. */
export const OVERLAY_OPAQUE_VALUE = 'y';

/** True for any name with the whiteout prefix: plain whiteouts, the opaque marker, AUFS metadata. */
export function isWhiteoutName(name: string): boolean {
  return name.startsWith(WHITEOUT_PREFIX);
}

export function isOpaqueWhiteout(name: string): boolean {
  return name === OPAQUE_WHITEOUT;
}

/** `.wh..wh.<anything>` other than the opaque marker: metadata the applier ignores. */
export function isWhiteoutMetaName(name: string): boolean {
  return name.startsWith(WHITEOUT_META_PREFIX) && name !== OPAQUE_WHITEOUT;
}

/** The marker file name that deletes `name`. */
export function whiteoutNameFor(name: string): string {
  return WHITEOUT_PREFIX + name;
}

/**
 * The name a plain whiteout deletes (`.wh.foo` → `foo`), or undefined when `name` is not a plain
 * whiteout (the opaque marker and metadata names are not). The result may be unusable
 * (`''`, `.`, `..`); callers reject those.
 */
export function whiteoutTarget(name: string): string | undefined {
  if (!isWhiteoutName(name) || name.startsWith(WHITEOUT_META_PREFIX)) return undefined;
  return name.slice(WHITEOUT_PREFIX.length);
}

/** Overlay-internal attributes (opaque, redirect, origin, metacopy…) never travel in a layer tar. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith(OVERLAY_XATTR_PREFIX);
}
