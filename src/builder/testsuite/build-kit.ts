/**
 * Test support for the builder's root tests: a private store with busybox imported, an
 * ImageBuilder on it with its own runc root, helpers to run builds and look into images,
 * and a teardown that deletes every runc container, unmounts and removes everything even
 * when the test failed, and reports anything a build left behind.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Digest } from '../../base/index.js';
import { mountAt, mountsUnder, runCommand, unmountIfMounted, MNT_DETACH } from '../../host/index.js';
import type { ImageService } from '../../images/index.js';
import { makeBusyboxTarball } from '../../../test/support/busybox.js';
import { makeImageService } from '../../../test/support/engine.js';
import { needsOverlay } from '../../../test/support/privileged.js';
import { makeTempRoot } from '../../../test/support/temp-root.js';
import { classicStreamMessage, type BuildEvent, type BuildRequest } from '../build-request.js';
import { ImageBuilder } from '../image-builder.js';

export interface BuildKit {
  dir: string;
  images: ImageService;
  builder: ImageBuilder;
  busybox: Digest;
  execRoot: string;
  /** Writes files (path → content; a `{ link }` value makes a symlink) into a fresh context dir. */
  context(files: Record<string, string | { link: string }>): Promise<string>;
  /** Runs a build to the end, collecting events; returns the error instead of throwing. */
  build(request: BuildRequest): Promise<BuildOutcome>;
  /** Mounts a read-only view of an image and runs `fn` on its root. */
  withImageRoot<T>(imageId: Digest, fn: (root: string) => Promise<T>): Promise<T>;
  /** What could have been left behind: active snapshots and views, mounts, runc containers. */
  leftovers(): Promise<string[]>;
}

export interface BuildOutcome {
  events: BuildEvent[];
  /** The stream text Docker would show. */
  text: string;
  imageId?: Digest;
  error?: Error;
}

let contexts = 0;

export async function withBuildKit(t: TestContext, fn: (kit: BuildKit) => Promise<void>): Promise<void> {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-build-');
  const execRoot = join(temp.dir, 'exec');
  const runcRoot = join(execRoot, 'runc');
  try {
    const root = join(temp.dir, 'root');
    const images = await makeImageService(root);
    const busybox = await images.importRootfs(createReadStream(await makeBusyboxTarball(temp.dir)), { reference: 'busybox' });
    const builder = new ImageBuilder({ images, root, execRoot });
    const kit: BuildKit = {
      dir: temp.dir,
      images,
      builder,
      busybox,
      execRoot,
      async context(files) {
        const dir = join(temp.dir, `ctx-${++contexts}`);
        await mkdir(dir, { recursive: true });
        for (const [path, content] of Object.entries(files)) {
          await mkdir(dirname(join(dir, path)), { recursive: true });
          if (typeof content === 'string') await writeFile(join(dir, path), content);
          else await symlink(content.link, join(dir, path));
        }
        return dir;
      },
      async build(request) {
        const events: BuildEvent[] = [];
        let error: Error | undefined;
        try {
          for await (const event of builder.build(request)) events.push(event);
        } catch (err) {
          error = err as Error;
        }
        const text = events.map((e) => { const m = classicStreamMessage(e); return 'stream' in m ? m.stream : `{aux ${m.aux.ID}}\n`; }).join('');
        const built = events.find((e) => e.type === 'built' || e.type === 'quiet-result') as { imageId: Digest } | undefined;
        return { events, text, ...(built ? { imageId: built.imageId } : {}), ...(error ? { error } : {}) };
      },
      async withImageRoot(imageId, fn) {
        const chain = await images.chainIds(imageId);
        const key = `test-view-${Math.random().toString(16).slice(2)}`;
        const target = join(temp.dir, key);
        await mkdir(target);
        const mounts = await images.snapshotter.view(key, chain.at(-1));
        for (const m of mounts) mountAt(m, target);
        try {
          return await fn(target);
        } finally {
          unmountIfMounted(target, MNT_DETACH);
          await images.snapshotter.remove(key);
        }
      },
      async leftovers() {
        const found: string[] = [];
        for await (const info of images.snapshotter.walk()) if (info.kind !== 'committed') found.push(`snapshot ${info.name} (${info.kind})`);
        for (const point of await mountsUnder(temp.dir)) found.push(`mount ${point}`);
        const listed = await runCommand(['runc', '--root', runcRoot, 'list', '-q'], { check: false });
        for (const id of listed.stdout.split('\n').filter(Boolean)) found.push(`container ${id}`);
        const builds = await readdir(join(execRoot, 'builds')).catch(() => [] as string[]);
        for (const b of builds) found.push(`scratch dir ${b}`);
        const spooled = await readdir(join(root, 'builder', 'tmp')).catch(() => [] as string[]);
        for (const s of spooled) found.push(`spooled context ${s}`);
        return found;
      },
    };
    await fn(kit);
  } finally {
    const listed = await runCommand(['runc', '--root', runcRoot, 'list', '-q'], { check: false }).catch(() => undefined);
    for (const id of listed?.stdout.split('\n').filter(Boolean) ?? []) {
      await runCommand(['runc', '--root', runcRoot, 'delete', '-f', id], { check: false }).catch(() => {});
    }
    for (const point of (await mountsUnder(temp.dir)).reverse()) unmountIfMounted(point, MNT_DETACH);
    await temp.cleanup();
  }
}

/** Reads a file of an image through a view mount. */
export async function readImageFile(kit: BuildKit, imageId: Digest, path: string): Promise<string> {
  return kit.withImageRoot(imageId, (root) => readFile(join(root, path), 'utf8'));
}

/** The entry names of a layer (its tar in the content store), in order. */
export async function layerEntries(kit: BuildKit, diffId: Digest): Promise<string[]> {
  const { readTarEntries } = await import('../../archive/index.js');
  const names: string[] = [];
  for await (const entry of readTarEntries(kit.images.content.read(diffId)[Symbol.asyncIterator]())) names.push(entry.header.name);
  return names;
}
