import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrorKind, type Digest } from '../base/index.js';
import { mountAt, unmountIfMounted } from '../host/index.js';
import type { ImageService } from '../images/index.js';

/** A read-only mount of an image's file system, for `COPY --from`. */
export interface ImageView {
  readonly root: string;
  release(): Promise<void>;
}

/** Mounts a view of the layer stack `chain` (nothing: an empty tree) under the scratch dir. */
export async function mountImageView(images: ImageService, chain: Digest | undefined, scratchDir: string): Promise<ImageView> {
  const key = `build-view-${randomBytes(12).toString('hex')}`;
  const root = join(scratchDir, key);
  let mounted = false;
  const release = async () => {
    if (mounted) unmountIfMounted(root);
    mounted = false;
    await rm(root, { recursive: true, force: true }).catch(() => {});
    await images.snapshotter.remove(key).catch((err: unknown) => {
      if (!isErrorKind(err, 'not-found')) throw err;
    });
  };
  try {
    const mounts = await images.snapshotter.view(key, chain);
    await mkdir(root, { recursive: true, mode: 0o700 });
    for (const mount of mounts) mountAt(mount, root);
    mounted = true;
    return { root, release };
  } catch (err) {
    await release();
    throw err;
  }
}
