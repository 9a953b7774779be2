import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { makeImageService } from '../../test/support/engine.js';
import { readAll, sha256Of, type Digest } from '../base/index.js';
import { packLayer, readTarEntries, encodeTarHeader, END_OF_ARCHIVE } from '../archive/index.js';
import { currentPlatform } from '../oci/index.js';
import type { ImageService } from './image-service.js';
import { saveImages } from './image-archive-export.js';
import { loadImages, type LoadEvent } from './image-archive-import.js';
import { inspectImage } from './image-views.js';

type Engine = { service: ImageService; fresh: () => Promise<ImageService>; dir: string; bbTar: string };

async function withEngines(t: Parameters<typeof needsOverlay>[0], fn: (e: Engine) => Promise<void>) {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-archive-');
  try {
    const service = await makeImageService(join(temp.dir, 'root'));
    let n = 0;
    const fresh = () => makeImageService(join(temp.dir, `root-${++n}`));
    await fn({ service, fresh, dir: temp.dir, bbTar: await makeBusyboxTarball(temp.dir) });
  } finally {
    await temp.cleanup();
  }
}

async function layerTar(dir: string, files: Record<string, string>): Promise<Readable> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return packLayer(dir, { whiteouts: 'none' });
}

async function save(service: ImageService, names: string[]): Promise<Buffer> {
  return readAll((await saveImages(service, names)).stream);
}

async function load(service: ImageService, archive: Buffer | Readable, options: { signal?: AbortSignal } = {}) {
  const events: LoadEvent[] = [];
  const input = Buffer.isBuffer(archive) ? Readable.from([archive]) : archive;
  const images = await loadImages(service, input, { onEvent: (e) => events.push(e), ...options });
  return { images, events, lines: events.filter((e) => e.type !== 'layer-progress') };
}

async function entries(archive: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const { header, body } of readTarEntries(Readable.from([archive])[Symbol.asyncIterator]())) {
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(chunk);
    out.set(header.name, Buffer.concat(parts));
  }
  return out;
}

/** A tar made by hand: files, and symlinks as `{ link: target }`. */
function makeTar(files: [string, Buffer | string | { link: string }][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of files) {
    const base = { name, mode: 0o644, uid: 0, gid: 0, mtime: 0, devmajor: 0, devminor: 0, xattrs: new Map<string, Buffer>() };
    if (typeof content === 'object' && !Buffer.isBuffer(content)) {
      parts.push(encodeTarHeader({ ...base, type: 'symlink', size: 0, linkname: content.link }));
      continue;
    }
    const data = Buffer.from(content);
    parts.push(encodeTarHeader({ ...base, type: 'file', size: data.length, linkname: '' }), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

/** Everything a store holds, to show a failed load left nothing behind. */
async function storeState(service: ImageService) {
  const blobs: string[] = [];
  for await (const b of service.content.list()) blobs.push(b.digest);
  const snapshots: string[] = [];
  for await (const s of service.snapshotter.walk()) snapshots.push(s.name);
  return {
    images: service.store.list().map((r) => r.id).sort(),
    names: service.store.allNames().map(([n]) => n).sort(),
    blobs: blobs.sort(),
    snapshots: snapshots.sort(),
    ingests: (await service.content.ingests()).length,
  };
}

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** busybox plus a child image with one more layer, tagged twice. */
async function twoImages(e: Engine): Promise<{ base: Digest; child: Digest }> {
  const base = await e.service.importRootfs(createReadStream(e.bbTar), { reference: 'busybox' });
  const child = await e.service.appendLayer(base, await layerTar(join(e.dir, 'child-layer'), { 'app/hello.txt': 'hello' }), { reference: 'example/app:1', createdBy: 'COPY hello.txt /app/' });
  await e.service.tag('example/app:1', 'example/app:latest');
  return { base, child };
}

test('save writes the Docker 25+ layout: OCI layout plus manifest.json and repositories', (t) => withEngines(t, async (e) => {
  const { base, child } = await twoImages(e);
  const archive = await save(e.service, ['example/app:1', 'busybox']);
  const files = await entries(archive);
  const baseDiff = (await e.service.config(base)).rootfs.diff_ids[0]!;
  const childDiffs = (await e.service.config(child)).rootfs.diff_ids;
  const names = [...files.keys()];
  assert.deepEqual(names.slice(0, 2), ['blobs/', 'blobs/sha256/']);
  assert.deepEqual(names.slice(-4), ['index.json', 'manifest.json', 'oci-layout', 'repositories']);
  const blobNames = names.slice(2, -4);
  assert.deepEqual(blobNames, [...blobNames].sort(), 'blobs in digest order');
  // Two configs, two manifests, two distinct layers: the shared base layer is there once.
  assert.equal(blobNames.length, 6);
  assert.equal(blobNames.filter((n) => n === `blobs/sha256/${baseDiff.slice(7)}`).length, 1);
  for (const name of blobNames) assert.equal(`sha256:${sha(files.get(name)!)}`, `sha256:${name.slice(13)}`, `${name} matches its name`);

  assert.equal(files.get('oci-layout')!.toString(), '{"imageLayoutVersion": "1.0.0"}');
  const manifestJson = JSON.parse(files.get('manifest.json')!.toString());
  assert.deepEqual(manifestJson, [
    {
      Config: `blobs/sha256/${child.slice(7)}`,
      RepoTags: ['example/app:1'],
      Layers: childDiffs.map((d) => `blobs/sha256/${d.slice(7)}`),
      Parent: base,
      LayerSources: Object.fromEntries([...childDiffs].sort().map((d) => [d, { mediaType: 'application/vnd.oci.image.layer.v1.tar', size: files.get(`blobs/sha256/${d.slice(7)}`)!.length, digest: d }])),
    },
    {
      Config: `blobs/sha256/${base.slice(7)}`,
      RepoTags: ['busybox:latest'],
      Layers: [`blobs/sha256/${baseDiff.slice(7)}`],
      LayerSources: { [baseDiff]: { mediaType: 'application/vnd.oci.image.layer.v1.tar', size: files.get(`blobs/sha256/${baseDiff.slice(7)}`)!.length, digest: baseDiff } },
    },
  ]);
  assert.ok(files.get('manifest.json')!.toString().endsWith('}]\n'), 'Go encoder: compact with a newline');
  assert.equal(files.get('repositories')!.toString(), `{"busybox":{"latest":"${baseDiff.slice(7)}"},"example/app":{"1":"${childDiffs[1]!.slice(7)}"}}\n`);

  const index = JSON.parse(files.get('index.json')!.toString());
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(index.manifests.map((m: { annotations: unknown }) => m.annotations), [
    { 'io.containerd.image.name': 'docker.io/example/app:1', 'org.opencontainers.image.ref.name': '1' },
    { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' },
  ]);
  const childManifest = JSON.parse(files.get(`blobs/sha256/${index.manifests[0].digest.slice(7)}`)!.toString());
  assert.deepEqual(childManifest.config, { mediaType: 'application/vnd.oci.image.config.v1+json', digest: child, size: files.get(`blobs/sha256/${child.slice(7)}`)!.length });
  assert.deepEqual(childManifest.layers.map((l: { digest: string }) => l.digest), childDiffs);
  assert.equal(index.manifests[0].digest, e.service.store.get(child).manifestDigest, 'the manifest saved is the one stored');

  // A bare repository saves every tag of it; an ID saves the image untagged.
  const all = JSON.parse((await entries(await save(e.service, ['example/app']))).get('manifest.json')!.toString());
  assert.deepEqual(all.map((i: { RepoTags: string[] }) => i.RepoTags), [['example/app:1', 'example/app:latest']]);
  const byId = await entries(await save(e.service, [base.slice(7, 19)]));
  assert.equal(JSON.parse(byId.get('manifest.json')!.toString())[0].RepoTags, null);
  assert.equal(byId.has('repositories'), false);
  assert.equal(JSON.parse(byId.get('index.json')!.toString()).manifests[0].annotations, undefined);
  await assert.rejects(saveImages(e.service, ['nosuch:tag']), /No such image: nosuch:tag/);
}));

test('saving the same images twice gives the same bytes', (t) => withEngines(t, async (e) => {
  await twoImages(e);
  const first = await save(e.service, ['busybox', 'example/app']);
  const second = await save(e.service, ['busybox', 'example/app']);
  assert.equal(sha(first), sha(second));
  assert.equal(first.length % 512, 0);
}));

test('save → load on a fresh root gives the same images: IDs, diffIDs, config, tags', (t) => withEngines(t, async (e) => {
  const { base, child } = await twoImages(e);
  const archive = await save(e.service, ['busybox', 'example/app']);
  const target = await e.fresh();
  const { images, lines, events } = await load(target, archive);
  assert.deepEqual(images, [
    { id: base, names: ['busybox:latest'] },
    { id: child, names: ['example/app:1', 'example/app:latest'] },
  ]);
  assert.deepEqual(lines, [
    { type: 'loaded', name: 'busybox:latest' },
    { type: 'loaded', name: 'example/app:1' },
    { type: 'loaded', name: 'example/app:latest' },
  ]);
  assert.ok(events.some((ev) => ev.type === 'layer-progress'), 'layers report progress');
  assert.ok(events.filter((ev) => ev.type === 'layer-progress').every((ev) => ev.type === 'layer-progress' && ev.current <= ev.total));
  for (const id of [base, child]) {
    assert.deepEqual(await target.content.readBytes(id), await e.service.content.readBytes(id), 'config bytes kept exactly');
    const before = await inspectImage(e.service, e.service.store.get(id));
    const after = await inspectImage(target, target.store.get(id));
    assert.deepEqual(after.RootFS, before.RootFS);
    assert.deepEqual(after.RepoTags, before.RepoTags);
    assert.deepEqual(after.Config, before.Config);
    assert.equal(after.Created, before.Created);
    assert.equal(after.Size, before.Size);
    assert.equal(target.store.get(id).parent, undefined, 'a loaded image has no parent: never a build cache source');
  }
  assert.deepEqual(target.store.get(child).manifestDigest, e.service.store.get(child).manifestDigest);
  // The loaded image is usable: its layers are unpacked.
  const chain = await target.chainIds(child);
  const dir = (await target.snapshotter.layerDir(chain[1]!)).dir;
  assert.deepEqual(await readdir(join(dir, 'app')), ['hello.txt']);
  // And it saves back to the same archive, but for the Parent link, which a load does not record.
  const again = await entries(await save(target, ['busybox', 'example/app']));
  const original = await entries(archive);
  assert.deepEqual([...again.keys()], [...original.keys()]);
  for (const [name, bytes] of original) if (name !== 'manifest.json') assert.ok(again.get(name)!.equals(bytes), name);
  const items = JSON.parse(original.get('manifest.json')!.toString()) as { Parent?: string }[];
  for (const item of items) delete item.Parent;
  assert.deepEqual(JSON.parse(again.get('manifest.json')!.toString()), items);
  // Nothing unreferenced was left in the store.
  const state = await storeState(target);
  assert.equal(state.ingests, 0);
  assert.equal(state.blobs.length, 2 + 2 + 2, 'two configs, two manifests, two layers');
}));

test('load moves an existing tag and reports the old image as Docker does', (t) => withEngines(t, async (e) => {
  const base = await e.service.importRootfs(createReadStream(e.bbTar), { reference: 'busybox' });
  const archive = await save(e.service, ['busybox']);
  const target = await e.fresh();
  const other = await target.importRootfs(await layerTar(join(e.dir, 'other'), { 'x': 'x' }), { reference: 'busybox' });
  const { lines } = await load(target, archive);
  assert.deepEqual(lines, [
    { type: 'renamed', name: 'busybox:latest', previousId: other },
    { type: 'loaded', name: 'busybox:latest' },
  ]);
  assert.equal(target.resolve('busybox').id, base);
  assert.ok(target.store.has(other), 'the old image stays, untagged');
  assert.deepEqual(target.store.namesOf(other), []);
  // Loading the same archive again changes nothing and says so quietly.
  assert.deepEqual((await load(target, archive)).lines, [{ type: 'loaded', name: 'busybox:latest' }]);
}));

test('load reads a gzip-compressed archive', (t) => withEngines(t, async (e) => {
  const base = await e.service.importRootfs(createReadStream(e.bbTar), { reference: 'busybox' });
  const target = await e.fresh();
  const { images } = await load(target, gzipSync(await save(e.service, ['busybox'])));
  assert.deepEqual(images, [{ id: base, names: ['busybox:latest'] }]);
}));

test('load reads the old docker-archive layout made by hand (layer.tar dirs, symlinked shared layer)', (t) => withEngines(t, async (e) => {
  const layer1 = await readAll(await layerTar(join(e.dir, 'l1'), { 'etc/os-release': 'ID=handmade\n' }));
  const layer2 = await readAll(await layerTar(join(e.dir, 'l2'), { 'app/run.sh': 'echo hi\n' }));
  const diff1 = sha256Of(layer1);
  const diff2 = sha256Of(layer2);
  const arch = currentPlatform().architecture;
  // Written in Go's key order, not JSON.stringify's of our types: the ID must be these bytes' digest.
  const configA = `{"architecture":"${arch}","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"created":"2020-01-02T03:04:05Z","history":[{"created":"2020-01-02T03:04:05Z","created_by":"ADD os-release"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["${diff1}"]}}`;
  const configB = `{"architecture":"${arch}","config":{"Cmd":["/app/run.sh"]},"created":"2020-01-02T03:04:06Z","os":"linux","rootfs":{"type":"layers","diff_ids":["${diff1}","${diff2}"]}}`;
  const idA = sha256Of(configA);
  const idB = sha256Of(configB);
  const v1a = 'a'.repeat(64);
  const v1b = 'b'.repeat(64);
  const v1c = 'c'.repeat(64);
  const manifest = JSON.stringify([
    { Config: `${idA.slice(7)}.json`, RepoTags: ['handmade:1'], Layers: [`${v1a}/layer.tar`] },
    { Config: `${idB.slice(7)}.json`, RepoTags: null, Layers: [`${v1b}/layer.tar`, `${v1c}/layer.tar`] },
  ]);
  const archive = makeTar([
    [`${idA.slice(7)}.json`, configA],
    [`${v1a}/VERSION`, '1.0'],
    [`${v1a}/json`, '{}'],
    [`${v1a}/layer.tar`, layer1],
    [`${v1b}/layer.tar`, { link: `../${v1a}/layer.tar` }],
    [`${v1c}/layer.tar`, layer2],
    [`${idB.slice(7)}.json`, configB],
    ['manifest.json', manifest],
    ['repositories', `{"handmade":{"1":"${v1a}"}}`],
  ]);
  const { images, lines } = await load(e.service, archive);
  assert.deepEqual(images, [{ id: idA, names: ['handmade:1'] }, { id: idB, names: [] }]);
  assert.deepEqual(lines, [{ type: 'loaded', name: 'handmade:1' }, { type: 'loaded-id', id: idB }]);
  assert.deepEqual((await e.service.config(idB)).rootfs.diff_ids, [diff1, diff2]);
  assert.equal((await e.service.content.readBytes(idA)).toString(), configA);
  const state = await storeState(e.service);
  assert.equal(state.blobs.length, 2 + 2 + 2, 'configs, manifests, layers: the v1 json and VERSION files were not kept');
}));

test('load reads a plain OCI layout: gzip layers, names from annotations, an index of platforms', (t) => withEngines(t, async (e) => {
  const layer = await readAll(await layerTar(join(e.dir, 'oci'), { 'data/file': 'oci layer\n' }));
  const gz = gzipSync(layer);
  const platform = currentPlatform();
  const config = JSON.stringify({ architecture: platform.architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Of(layer)] } });
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Of(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256Of(gz), size: gz.length }],
  });
  const md = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Of(manifest), size: manifest.length };
  const platforms = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { ...md, digest: sha256Of('elsewhere'), platform: { os: 'linux', architecture: platform.architecture === 's390x' ? 'amd64' : 's390x' } },
      { ...md, platform: { os: platform.os, architecture: platform.architecture } },
    ],
  });
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { ...md, annotations: { 'org.opencontainers.image.ref.name': 'example.com/oci/app:v1' } },
      { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256Of(platforms), size: platforms.length, annotations: { 'io.containerd.image.name': 'example.com/oci/multi:2' } },
      { ...md, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
    ],
  });
  const blob = (data: string | Buffer): [string, Buffer] => [`blobs/sha256/${sha256Of(data).slice(7)}`, Buffer.from(data)];
  const archive = makeTar([['oci-layout', '{"imageLayoutVersion":"1.0.0"}'], blob(config), blob(gz), blob(manifest), blob(platforms), ['index.json', index]]);
  const { images, lines } = await load(e.service, archive);
  const id = sha256Of(config);
  assert.deepEqual(images, [{ id, names: ['example.com/oci/app:v1', 'example.com/oci/multi:2'] }]);
  assert.deepEqual(lines, [{ type: 'loaded', name: 'example.com/oci/app:v1' }, { type: 'loaded', name: 'example.com/oci/multi:2' }]);
  assert.deepEqual((await e.service.config(id)).rootfs.diff_ids, [sha256Of(layer)], 'the layer is stored uncompressed, as its diffID');
  assert.equal(await e.service.content.has(sha256Of(gz)), false, 'the compressed blob is not kept');
}));

test('a corrupted layer fails the load with its name and leaves nothing behind', (t) => withEngines(t, async (e) => {
  const { base } = await twoImages(e);
  const archive = await save(e.service, ['busybox', 'example/app']);
  const target = await e.fresh();
  // A layer that was already there (from another image) must survive the failed load.
  await target.importRootfs(await layerTar(join(e.dir, 'keep'), { keep: 'me' }), { reference: 'keep' });
  const before = await storeState(target);
  const baseDiff = (await e.service.config(base)).rootfs.diff_ids[0]!;
  const files = await entries(archive);
  const offset = archive.indexOf(files.get(`blobs/sha256/${baseDiff.slice(7)}`)!.subarray(0, 4096));
  const corrupt = Buffer.from(archive);
  corrupt[offset + 100_000] ^= 0xff;
  await assert.rejects(load(target, corrupt), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'data-corrupt');
    assert.match(err.message, new RegExp(`^layer 1 of busybox:latest \\(blobs/sha256/${baseDiff.slice(7)}\\) is corrupt: `));
    return true;
  });
  assert.deepEqual(await storeState(target), before);
}));

test('a truncated archive, or one cut off by the client, leaves no image, tag or blob', (t) => withEngines(t, async (e) => {
  await twoImages(e);
  const archive = await save(e.service, ['busybox', 'example/app']);
  const target = await e.fresh();
  const before = await storeState(target);
  // In the first blob's content, in a layer, in the header of a document near the end.
  for (const cut of [1536, Math.floor(archive.length / 3), archive.length - 3000]) {
    await assert.rejects(load(target, archive.subarray(0, cut)), /truncated|missing|does not contain/, `cut at ${cut}`);
    assert.deepEqual(await storeState(target), before, `cut at ${cut}`);
  }
  // A client that goes away mid-upload: the body fails part way.
  const broken = Readable.from((async function* () {
    yield archive.subarray(0, archive.length / 2);
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  })());
  await assert.rejects(load(target, broken), /aborted/);
  assert.deepEqual(await storeState(target), before);
  // And one cancelled through the signal (the daemon's view of a closed connection).
  const controller = new AbortController();
  const slow = Readable.from((async function* () {
    yield archive.subarray(0, 700_000);
    controller.abort(new Error('client disconnected'));
    await new Promise((r) => setTimeout(r, 50));
    yield archive.subarray(700_000);
  })());
  await assert.rejects(load(target, slow, { signal: controller.signal }), /client disconnected/);
  assert.deepEqual(await storeState(target), before);
}));

test('archives that are not image archives are refused clearly', (t) => withEngines(t, async (e) => {
  await assert.rejects(load(e.service, makeTar([['hello.txt', 'hi']])), /invalid archive: does not contain a manifest.json or an index.json/);
  await assert.rejects(load(e.service, makeTar([['manifest.json', '[{"Config":"x.json","RepoTags":["a:1"],"Layers":[]}]']])), /invalid archive: config of a:1 is missing \(no file "x.json"\)/);
  await assert.rejects(load(e.service, makeTar([['manifest.json', 'null']])), /manifest cannot be null/);
  await assert.rejects(load(e.service, Buffer.alloc(4096, 7)), /Error: invalid archive: tar header/);
  await assert.rejects(load(e.service, Buffer.concat([gzipSync(makeTar([['a', 'b']])).subarray(0, 30), Buffer.alloc(100, 1)])), /Error: invalid archive: /);
  assert.deepEqual((await storeState(e.service)).blobs, []);
}));

test('a layer that is not the diffID its config lists, or a blob that lies about its size, is refused', (t) => withEngines(t, async (e) => {
  const layer = await readAll(await layerTar(join(e.dir, 'l'), { f: 'real' }));
  const other = await readAll(await layerTar(join(e.dir, 'o'), { f: 'other' }));
  const config = JSON.stringify({ architecture: currentPlatform().architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Of(layer)] } });
  const v1 = 'd'.repeat(64);
  const legacy = makeTar([
    ['config.json', config],
    [`${v1}/layer.tar`, other],
    ['manifest.json', JSON.stringify([{ Config: 'config.json', RepoTags: ['swapped:1'], Layers: [`${v1}/layer.tar`] }])],
  ]);
  await assert.rejects(load(e.service, legacy), new RegExp(`layer 1 of swapped:1 \\(${v1}/layer.tar\\) is corrupt: its content has digest ${sha256Of(other)}, not the diffID ${sha256Of(layer)} its image's config lists`));

  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Of(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Of(layer), size: layer.length + 1 }],
  });
  const index = JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Of(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': 'sized:1' } }] });
  const blob = (data: string | Buffer): [string, Buffer] => [`blobs/sha256/${sha256Of(data).slice(7)}`, Buffer.from(data)];
  const oci = makeTar([blob(config), blob(layer), blob(manifest), ['index.json', index]]);
  await assert.rejects(load(e.service, oci), new RegExp(`layer 1 of sized:1 \\(blobs/sha256/${sha256Of(layer).slice(7)}\\) is corrupt: expected ${layer.length + 1} bytes`));
  const state = await storeState(e.service);
  assert.deepEqual([state.images, state.names, state.blobs, state.snapshots], [[], [], [], []]);
}));
