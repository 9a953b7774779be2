/**
 * `npm run demo`: a guided tour of what strata can do so far, on a private temp root that
 * is removed at the end. It grows as features land.
 */
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, mountsUnder, unmountIfMounted, MNT_DETACH } from '../src/host/index.js';
import { LocalContentStore } from '../src/content/index.js';
import { OverlaySnapshotter } from '../src/snapshots/index.js';
import { ImageStore, ImageService, listImages, inspectImage, imageHistory } from '../src/images/index.js';

const top = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return `${value.toPrecision(3)}${units[unit]}`;
}

async function main(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'strata-demo-'));
  try {
    const root = join(temp, 'root');
    const images = new ImageService(
      new LocalContentStore(join(root, 'content')),
      new OverlaySnapshotter(join(root, 'snapshots', 'overlay')),
      new ImageStore(join(root, 'images')),
    );
    await images.store.init();
    await mkdir(join(root, 'tmp'), { recursive: true });

    say('Making the busybox base image from Debian\'s static busybox');
    const tarball = join(temp, 'busybox-rootfs.tar');
    await runCommand([join(top, 'scripts', 'make-busybox-rootfs'), tarball]);
    const id = await images.importRootfs(createReadStream(tarball), { reference: 'busybox' });
    console.log(`imported ${id}`);

    say('strata images');
    console.log('REPOSITORY   TAG      IMAGE ID       SIZE');
    for (const row of await listImages(images)) {
      for (const tag of row.RepoTags) {
        const [repo, t] = tag.split(':');
        console.log(`${repo!.padEnd(12)} ${t!.padEnd(8)} ${row.Id.slice(7, 19)}   ${humanSize(row.Size)}`);
      }
    }

    say('Its layers: content-addressed, unpacked once, read-only');
    const inspect = await inspectImage(images, images.resolve('busybox'));
    inspect.RootFS.Layers.forEach((diffId, i) => console.log(`layer ${i}: diffID ${diffId}`));
    console.log(`unpacked at ${inspect.GraphDriver.Data?.UpperDir}`);

    say('strata history busybox');
    for (const h of await imageHistory(images, images.resolve('busybox'))) {
      console.log(`${h.Id.slice(7, 19)}  ${humanSize(h.Size).padEnd(8)} ${h.Comment}`);
    }
  } finally {
    for (const point of await mountsUnder(temp)) unmountIfMounted(point, MNT_DETACH);
    await rm(temp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
