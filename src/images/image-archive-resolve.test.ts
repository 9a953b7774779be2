import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256Of } from '../base/index.js';
import { encodeTarHeader, END_OF_ARCHIVE } from '../archive/index.js';
import { LocalContentStore } from '../content/index.js';
import type { Snapshotter } from '../snapshots/index.js';
import { ImageStore } from './image-store.js';
import { ImageService } from './image-service.js';
import { readImageArchive } from './image-archive-reader.js';
import { resolveArchiveImages } from './image-archive-resolve.js';

/** Reading and resolving need only the content store: no snapshotter, no privileges. */
async function withService(fn: (service: ImageService) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'strata-resolve-'));
  try {
    const store = new ImageStore(join(dir, 'images'));
    await store.init();
    await fn(new ImageService(new LocalContentStore(join(dir, 'content')), {} as Snapshotter, store));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function tar(files: [string, string | Buffer][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of files) {
    const data = Buffer.from(content);
    parts.push(encodeTarHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0, linkname: '', devmajor: 0, devminor: 0, xattrs: new Map() }));
    parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

async function resolve(service: ImageService, archive: Buffer) {
  return service.leases.with({}, async (lease) => resolveArchiveImages(service, await readImageArchive(service, Readable.from([archive]), lease)));
}

const layer = tar([['hello', 'hi']]);
const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Of(layer)] } });
const manifest = JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Of(config), size: config.length },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Of(layer), size: layer.length }],
});
const blob = (data: string | Buffer): [string, Buffer] => [`blobs/sha256/${sha256Of(data).slice(7)}`, Buffer.from(data)];
const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Of(manifest), size: manifest.length };

test('OCI layout names: containerd name first, a whole ref name next; a bare tag or digest names nothing', () => withService(async (service) => {
  const cases: [Record<string, string> | undefined, string[]][] = [
    [{ 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' }, ['docker.io/library/busybox:latest']],
    [{ 'org.opencontainers.image.ref.name': 'registry.example:5000/team/app:v2' }, ['registry.example:5000/team/app:v2']],
    [{ 'org.opencontainers.image.ref.name': 'team/app' }, ['docker.io/team/app:latest']],
    [{ 'org.opencontainers.image.ref.name': 'latest' }, []],
    [{ 'io.containerd.image.name': `busybox@${sha256Of('x')}` }, []],
    [{ 'io.containerd.image.name': 'Not A Name' }, []],
    [undefined, []],
  ];
  for (const [annotations, names] of cases) {
    const index = JSON.stringify({ schemaVersion: 2, manifests: [{ ...descriptor, annotations }] });
    const [image] = await resolve(service, tar([blob(config), blob(layer), blob(manifest), ['index.json', index]]));
    assert.deepEqual(image!.names.map(String), names, JSON.stringify(annotations));
    assert.equal(image!.id, sha256Of(config));
  }
}));

test('manifest.json wins over index.json; RepoTags null loads untagged; names must be tags', () => withService(async (service) => {
  const index = JSON.stringify({ schemaVersion: 2, manifests: [{ ...descriptor, annotations: { 'io.containerd.image.name': 'from-index:1' } }] });
  const items = (tags: unknown) => JSON.stringify([{ Config: blob(config)[0], RepoTags: tags, Layers: [blob(layer)[0]] }]);
  const files = [blob(config), blob(layer), blob(manifest), ['index.json', index]] as [string, Buffer | string][];
  const [tagged] = await resolve(service, tar([...files, ['manifest.json', items(['from-manifest:2'])]]));
  assert.deepEqual(tagged!.names.map((n) => n.familiarString()), ['from-manifest:2']);
  const [untagged] = await resolve(service, tar([...files, ['manifest.json', items(null)]]));
  assert.deepEqual(untagged!.names, []);
  await assert.rejects(resolve(service, tar([...files, ['manifest.json', items(['no-tag@' + sha256Of('x')])]])), /invalid tag "no-tag@sha256:/);
  await assert.rejects(resolve(service, tar([...files, ['manifest.json', '{"not":"a list"}']])), /invalid archive manifest.json: /);
}));

test('every blob named by digest is checked, referenced or not', () => withService(async (service) => {
  const stray = `blobs/sha256/${sha256Of('something else').slice(7)}`;
  const index = JSON.stringify({ schemaVersion: 2, manifests: [descriptor] });
  await assert.rejects(
    resolve(service, tar([blob(config), blob(layer), blob(manifest), [stray, 'not that'], ['index.json', index]])),
    new RegExp(`^DataCorruptError: ${stray} is corrupt: its content has digest ${sha256Of('not that')}`),
  );
  const windows = JSON.stringify({ architecture: 'amd64', os: 'windows', rootfs: { type: 'layers', diff_ids: [] } });
  await assert.rejects(resolve(service, tar([blob(windows), ['manifest.json', JSON.stringify([{ Config: blob(windows)[0], Layers: [] }])]])), /cannot load windows image/);
}));
