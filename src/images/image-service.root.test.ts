import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile, readdir, symlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { makeImageService } from '../../test/support/engine.js';
import { packLayer } from '../archive/index.js';
import { DIFF_ID_LABEL } from '../snapshots/index.js';
import { inspectImage, listImages, imageHistory } from './image-views.js';
import type { ImageService } from './image-service.js';

async function digestOfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** A small layer tar made from a directory holding `files`. */
async function layerTar(dir: string, files: Record<string, string>): Promise<Readable> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return packLayer(dir, { whiteouts: 'none' });
}

/** The distinct snapshot directories that hold layers with this diffID. */
async function layerDirsWithDiffId(service: ImageService, diffId: string): Promise<Set<string>> {
  const dirs = new Set<string>();
  for await (const info of service.snapshotter.walk()) {
    if (info.kind === 'committed' && info.labels[DIFF_ID_LABEL] === diffId) dirs.add((await service.snapshotter.layerDir(info.name)).dir);
  }
  return dirs;
}

async function withEngine(t: Parameters<typeof needsOverlay>[0], fn: (service: ImageService, root: string, bbTar: string) => Promise<void>) {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-images-');
  try {
    const root = join(temp.dir, 'root');
    const service = await makeImageService(root);
    const bbTar = await makeBusyboxTarball(temp.dir);
    await fn(service, root, bbTar);
  } finally {
    await temp.cleanup();
  }
}

test('import a rootfs tarball: named image, one layer, Docker inspect fields', (t) => withEngine(t, async (service, _root, bbTar) => {
  const id = await service.importRootfs(createReadStream(bbTar), { reference: 'busybox' });
  const record = service.resolve('busybox');
  assert.equal(record.id, id);
  assert.equal(service.resolve('docker.io/library/busybox:latest').id, id);
  assert.equal(service.resolve(id.slice(7, 19)).id, id, 'short ID prefix resolves');
  const inspect = await inspectImage(service, record);
  assert.deepEqual(inspect.RepoTags, ['busybox:latest']);
  assert.equal(inspect.RootFS.Layers.length, 1);
  assert.equal(inspect.RootFS.Layers[0], await digestOfStream(createReadStream(bbTar)), 'diffID is the digest of the tar');
  assert.equal(inspect.Comment, 'Imported from -');
  assert.ok(inspect.Size > 1_000_000, `busybox image size ${inspect.Size}`);
  assert.equal(inspect.GraphDriver.Name, 'overlay');
  assert.ok((await stat(join(inspect.GraphDriver.Data!.UpperDir!, 'bin', 'busybox'))).isFile());
  const history = await imageHistory(service, record);
  assert.equal(history.length, 1);
  assert.equal(history[0]!.Id, id);
  assert.deepEqual(history[0]!.Tags, ['busybox:latest']);
  assert.equal(history[0]!.Comment, 'Imported from -');
  const rows = await listImages(service);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0]!.RepoTags, ['busybox:latest']);
}));

test('two images on one base share one unpacked copy of it', (t) => withEngine(t, async (service, root, bbTar) => {
  const base = await service.importRootfs(createReadStream(bbTar), { reference: 'busybox' });
  const a = await service.appendLayer(base, await layerTar(join(root, '..', 'la'), { 'a.txt': 'a' }), { reference: 'img-a', createdBy: 'add a' });
  const b = await service.appendLayer(base, await layerTar(join(root, '..', 'lb'), { 'b.txt': 'b' }), { reference: 'img-b', createdBy: 'add b' });
  const baseDiff = (await service.config(base)).rootfs.diff_ids[0]!;
  assert.equal((await layerDirsWithDiffId(service, baseDiff)).size, 1, 'the base layer is unpacked once');
  const ia = await inspectImage(service, service.store.get(a));
  const ib = await inspectImage(service, service.store.get(b));
  assert.equal(ia.GraphDriver.Data!.LowerDir, ib.GraphDriver.Data!.LowerDir, 'both stack on the same base directory');
  assert.notEqual(ia.GraphDriver.Data!.UpperDir, ib.GraphDriver.Data!.UpperDir);
  const hist = await imageHistory(service, service.store.get(a));
  assert.deepEqual(hist.map((h) => h.Id), [a, base], 'history walks the local parent');
  assert.equal(hist[0]!.CreatedBy, 'add a');
}));

test('the same layer on two different bases is stored once', (t) => withEngine(t, async (service, root, bbTar) => {
  const base1 = await service.importRootfs(createReadStream(bbTar), { reference: 'base1' });
  const base2 = await service.importRootfs(await layerTar(join(root, '..', 'other-base'), { 'etc/os': 'other' }), { reference: 'base2' });
  const shared = join(root, '..', 'shared-layer');
  const top1 = await service.appendLayer(base1, await layerTar(shared, { 'app/data.txt': 'same content' }), { reference: 'top1' });
  const top2 = await service.appendLayer(base2, packLayer(shared, { whiteouts: 'none' }), { reference: 'top2' });
  const diff1 = (await service.config(top1)).rootfs.diff_ids[1]!;
  const diff2 = (await service.config(top2)).rootfs.diff_ids[1]!;
  assert.equal(diff1, diff2, 'the same tar gives the same diffID');
  const chain1 = await service.chainIds(top1);
  const chain2 = await service.chainIds(top2);
  assert.notEqual(chain1[1], chain2[1], 'different stacks, different chainIDs');
  assert.equal((await layerDirsWithDiffId(service, diff1)).size, 1, 'one unpacked copy serves both chains');
  // Removing one user keeps the shared copy for the other.
  await service.remove('top1');
  assert.equal((await layerDirsWithDiffId(service, diff1)).size, 1);
  await service.remove('top2');
  assert.equal((await layerDirsWithDiffId(service, diff1)).size, 0, 'gone when the last user goes');
}));

test('a layer stays while any image uses it and goes when none does', (t) => withEngine(t, async (service, root, bbTar) => {
  const base = await service.importRootfs(createReadStream(bbTar), { reference: 'busybox' });
  const child = await service.appendLayer(base, await layerTar(join(root, '..', 'l1'), { 'x': 'x' }), { reference: 'child' });
  const baseChain = await service.chainIds(base);
  const childChain = await service.chainIds(child);
  const baseDiff = (await service.config(base)).rootfs.diff_ids[0]!;

  // Untagging the base leaves it in place: the child still stands on it.
  const untag = await service.remove('busybox');
  assert.deepEqual(untag, [{ Untagged: 'busybox:latest' }]);
  await service.snapshotter.stat(baseChain[0]!);
  assert.ok(await service.content.has(baseDiff));

  // Deleting the child deletes it, its layer, and the now unnamed parent with its layer.
  const removed = await service.remove('child');
  assert.deepEqual(removed, [
    { Untagged: 'child:latest' },
    { Deleted: child },
    { Deleted: childChain[1]! },
    { Deleted: base },
    { Deleted: baseChain[0]! },
  ]);
  await assert.rejects(service.snapshotter.stat(baseChain[0]!), /not found/);
  assert.equal(await service.content.has(baseDiff), false, 'layer blob collected');
  assert.deepEqual(await readdir(join(root, 'content', 'blobs', 'sha256')), [], 'no blob left');
  assert.equal(service.store.list().length, 0);
}));

test('rmi follows Docker: several names need force by ID, conflicts name the image', (t) => withEngine(t, async (service, _root, bbTar) => {
  const id = await service.importRootfs(createReadStream(bbTar), { reference: 'busybox' });
  await service.tag('busybox', 'other/name:v1');
  await assert.rejects(service.remove(id.slice(7, 19)), /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories/);
  assert.deepEqual(await service.remove('other/name:v1'), [{ Untagged: 'other/name:v1' }]);
  service.setUsersLookup((image) => (image === id ? [{ containerId: 'c0ffee0000000000', running: true }] : []));
  await assert.rejects(service.remove(id), /cannot be forced\) - image is being used by running container c0ffee000000/);
  await assert.rejects(service.remove('busybox'), /unable to remove repository reference "busybox" \(must force\) - container c0ffee000000 is using its referenced image/);
  service.setUsersLookup(() => []);
  const out = await service.remove(id);
  assert.deepEqual(out.slice(0, 2), [{ Untagged: 'busybox:latest' }, { Deleted: id }]);
  await assert.rejects(service.remove('busybox'), /No such image: busybox:latest/);
}));

test('diffID is stable across two writes and an export → import round trip', (t) => withEngine(t, async (service, root, bbTar) => {
  // A tree with a bit of everything the writer must reproduce.
  const tree = join(root, '..', 'tree');
  await layerTar(tree, { 'etc/conf': 'c', 'usr/lib/x/deep/file': 'deep', 'bin/tool': '#!/bin/sh\n' });
  await symlink('tool', join(tree, 'bin', 'alias'));
  const d1 = await digestOfStream(packLayer(tree, { whiteouts: 'none' }));
  const d2 = await digestOfStream(packLayer(tree, { whiteouts: 'none' }));
  assert.equal(d1, d2, 'two writes of one tree give one diffID');

  const id = await service.importRootfs(packLayer(tree, { whiteouts: 'none' }), { reference: 'tree' });
  assert.equal((await service.config(id)).rootfs.diff_ids[0], d1);
  const scratch = join(root, 'tmp');
  const exported = await digestOfStream(await service.exportRootfs('tree', scratch));
  assert.equal(exported, d1, 'export gives back the same bytes');
  const again = await service.importRootfs(await service.exportRootfs('tree', scratch), { reference: 'tree-again' });
  assert.equal((await service.config(again)).rootfs.diff_ids[0], d1, 'import of the export has the same diffID');
  // The busybox tarball itself (GNU tar, not our writer) keeps its own diffID across import.
  const bb = await service.importRootfs(createReadStream(bbTar));
  assert.equal((await service.config(bb)).rootfs.diff_ids[0], await digestOfStream(createReadStream(bbTar)));
  assert.deepEqual(await readdir(scratch), [], 'export leaves no mount point behind');
}));
