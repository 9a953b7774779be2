import { randomBytes } from 'node:crypto';
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UnavailableError, errnoCode, errorMessage } from '../../base/index.js';
import { MNT_DETACH, mountRaw, unmountIfMounted } from '../../host/index.js';

/**
 * The overlay features that would let a layer's changes live outside its upper dir, and the
 * mount option turning each off. With them off the upper dir alone tells what changed:
 * - index: hard links of lower files are tracked in the workdir's index;
 * - redirect_dir: a renamed lower directory becomes an xattr pointing into the lower layer
 *   (with it off, rename(2) of such a directory fails with EXDEV and tools copy instead);
 * - metacopy: a chmod/chown copies only metadata up and leaves the data in the lower layer.
 */
export const FEATURES_OFF = [
  { option: 'index=off', param: 'index' },
  { option: 'redirect_dir=off', param: 'redirect_dir' },
  { option: 'metacopy=off', param: 'metacopy' },
] as const;

/**
 * Which of FEATURES_OFF to pass. A kernel that rejects one of them predates that feature
 * (each came with its module parameter), so the feature is off there and the option can be
 * left out. A kernel that has the feature and still rejects the option cannot be used.
 */
export function selectOverlayOptions(accepts: (options: string[]) => boolean, kernelHasParam: (param: string) => boolean): string[] {
  const all = FEATURES_OFF.map((f) => f.option);
  if (accepts(all)) return all;
  if (!accepts([])) throw new UnavailableError('overlay mounts fail on this system even without options');
  const chosen: string[] = [];
  for (const { option, param } of FEATURES_OFF) {
    if (accepts([option])) chosen.push(option);
    else if (kernelHasParam(param)) throw new UnavailableError(`the kernel has overlay feature "${param}" but rejects "${option}"`);
  }
  return chosen;
}

let probed: Promise<string[]> | undefined;

/**
 * The options this kernel takes, found once per process by mounting a scratch overlay under
 * `root` (on the file system the snapshots will use). A crash mid-probe leaves `.probe-*`,
 * which the snapshot index removes at start-up.
 */
export function overlayFeatureOptions(root: string): Promise<string[]> {
  probed ??= probe(root).catch((err: unknown) => {
    probed = undefined;
    throw err;
  });
  return probed;
}

async function probe(root: string): Promise<string[]> {
  const scratch = join(root, `.probe-${randomBytes(4).toString('hex')}`);
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(scratch, d)) as [string, string, string, string];
  try {
    for (const dir of [lower, upper, work, merged]) await mkdir(dir, { recursive: true });
    const params = new Map<string, boolean>();
    for (const { param } of FEATURES_OFF) params.set(param, await exists(`/sys/module/overlay/parameters/${param}`));
    const accepts = (options: string[]): boolean => {
      const data = [...options, `lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`].join(',');
      try {
        mountRaw('overlay', merged, 'overlay', 0, data);
      } catch (err) {
        if (errnoCode(err) === 'EINVAL') return false;
        throw new UnavailableError(`cannot mount overlay under ${root}: ${errorMessage(err)}`, { cause: err });
      }
      unmountIfMounted(merged, MNT_DETACH);
      return true;
    };
    return selectOverlayOptions(accepts, (param) => params.get(param) ?? false);
  } finally {
    unmountIfMounted(merged, MNT_DETACH);
    await rm(scratch, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
