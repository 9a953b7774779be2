import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../base/index.js';
import { parseImageManifest, parseImageManifestJson } from './image-manifest.js';
import { parseImageIndexJson } from './image-index.js';
import { parseImageConfigJson } from './image-config.js';
import { parseManifestDocument } from './manifest-document.js';
import { MediaType } from './media-types.js';
import { parseDescriptor } from './descriptor.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

function throwsInvalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof InvalidArgumentError && pattern.test(err.message));
}

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaType.dockerManifest,
  config: { mediaType: MediaType.dockerConfig, size: 1470, digest: D1 },
  layers: [{ mediaType: MediaType.dockerLayerGzip, size: 2_000_000, digest: D2 }],
};

test('image manifest: Docker v2 schema 2 and OCI, unknown fields kept', () => {
  const m = parseImageManifestJson(JSON.stringify(dockerManifest));
  assert.equal(m.config.digest, D1);
  assert.equal(m.layers[0]!.size, 2_000_000);
  const oci = parseImageManifest({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, size: 2, digest: D1, 'x-extra': 1 },
    layers: [{ mediaType: MediaType.ociLayerZstd, size: 5, digest: D2, annotations: { 'org.opencontainers.image.title': 'a' } }],
    annotations: { a: 'b' },
    futureField: { nested: true },
  });
  assert.deepEqual((oci as unknown as Record<string, unknown>).futureField, { nested: true });
  assert.equal((oci.config as unknown as Record<string, unknown>)['x-extra'], 1);
});

test('image manifest: errors name the field', () => {
  throwsInvalid(() => parseImageManifestJson('{'), /^invalid image manifest: not JSON/);
  throwsInvalid(() => parseImageManifest({ ...dockerManifest, schemaVersion: 1 }), /^invalid image manifest: schemaVersion/);
  throwsInvalid(() => parseImageManifest({ ...dockerManifest, layers: [{ mediaType: 'x', size: -1, digest: D2 }] }), /layers\[0\]\.size/);
  throwsInvalid(() => parseImageManifest({ ...dockerManifest, config: { mediaType: 'x', size: 1, digest: 'sha256:abc' } }), /config\.digest: expected a digest/);
  throwsInvalid(() => parseImageManifest({ ...dockerManifest, config: { mediaType: 'x', size: 1, digest: `sha512:${'a'.repeat(128)}` } }), /config\.digest/);
  throwsInvalid(() => parseImageManifest({ ...dockerManifest, layers: undefined }), /layers/);
});

test('image index / manifest list', () => {
  const index = parseImageIndexJson(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.dockerManifestList,
    manifests: [
      { mediaType: MediaType.dockerManifest, size: 527, digest: D1, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: MediaType.dockerManifest, size: 527, digest: D2, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      { mediaType: MediaType.ociManifest, size: 527, digest: D3, platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1', 'os.features': ['win32k'] } },
    ],
  }));
  assert.equal(index.manifests.length, 3);
  assert.equal(index.manifests[1]!.platform!.variant, 'v8');
  assert.equal(index.manifests[2]!.platform!['os.version'], '10.0.17763.1');
  throwsInvalid(() => parseImageIndexJson('{"schemaVersion":2,"manifests":[{"mediaType":"x","size":1,"digest":"' + D1 + '","platform":{"os":"linux"}}]}'), /manifests\[0\]\.platform\.architecture/);
});

// A config as Docker writes it: Go nils come out as null.
const dockerConfig = {
  architecture: 'amd64',
  config: {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, Tty: false,
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sh'], Image: 'sha256:aaaa', Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
    ExposedPorts: { '80/tcp': {} },
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000, Retries: 3 },
    StopSignal: 'SIGTERM', Shell: ['/bin/sh', '-c'], ArgsEscaped: true,
  },
  container: '3f1c', container_config: { Cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh"]'], Labels: {} },
  created: '2023-05-19T20:19:22.751398522Z',
  docker_version: '20.10.23',
  history: [
    { created: '2023-05-19T20:19:22.642507645Z', created_by: '/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in / ' },
    { created: '2023-05-19T20:19:22.751398522Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
  ],
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [D1] },
};

test('image config: Docker config with nulls and Docker-only fields', () => {
  const c = parseImageConfigJson(Buffer.from(JSON.stringify(dockerConfig)));
  assert.equal(c.architecture, 'amd64');
  assert.deepEqual(c.config!.Cmd, ['sh']);
  assert.equal(c.config!.Entrypoint, undefined, 'null means absent');
  assert.equal(c.config!.Healthcheck!.Interval, 30_000_000_000);
  assert.deepEqual(c.config!.ExposedPorts, { '80/tcp': {} });
  assert.equal((c.config as unknown as Record<string, unknown>).Hostname, '', 'unknown fields pass through');
  assert.deepEqual(c.rootfs.diff_ids, [D1]);
  assert.equal(c.history![1]!.empty_layer, true);
  assert.equal(c.docker_version, '20.10.23');
});

test('image config: errors', () => {
  throwsInvalid(() => parseImageConfigJson(JSON.stringify({ ...dockerConfig, rootfs: { type: 'layers+base', diff_ids: [] } })), /rootfs\.type must be "layers"/);
  throwsInvalid(() => parseImageConfigJson(JSON.stringify({ ...dockerConfig, rootfs: undefined })), /^invalid image config: rootfs/);
  throwsInvalid(() => parseImageConfigJson(JSON.stringify({ ...dockerConfig, config: { Env: 'A=b' } })), /config\.Env/);
  throwsInvalid(() => parseImageConfigJson(JSON.stringify({ ...dockerConfig, rootfs: { type: 'layers', diff_ids: ['nope'] } })), /rootfs\.diff_ids\[0\]/);
  throwsInvalid(() => parseImageConfigJson(JSON.stringify({ ...dockerConfig, os: 3 })), /^invalid image config: os/);
  throwsInvalid(() => parseImageConfigJson('[]'), /^invalid image config/);
});

test('parseManifestDocument tells manifests from indexes and refuses schema 1', () => {
  const m = parseManifestDocument(JSON.stringify(dockerManifest));
  assert.equal(m.kind, 'manifest');
  assert.equal(m.mediaType, MediaType.dockerManifest);

  const noType = { schemaVersion: 2, config: dockerManifest.config, layers: [] };
  const fromHeader = parseManifestDocument(JSON.stringify(noType), `${MediaType.ociManifest}; charset=utf-8`);
  assert.equal(fromHeader.kind, 'manifest');
  const fromShape = parseManifestDocument(JSON.stringify(noType), 'application/json');
  assert.equal(fromShape.kind, 'manifest');
  assert.equal(fromShape.mediaType, MediaType.ociManifest);

  const idx = parseManifestDocument(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  assert.equal(idx.kind, 'index');
  assert.equal(parseManifestDocument(JSON.stringify({ schemaVersion: 2, manifests: [] }), MediaType.dockerManifestList).mediaType, MediaType.dockerManifestList);

  throwsInvalid(() => parseManifestDocument(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] })), /schema 1, which is no longer supported/);
  throwsInvalid(() => parseManifestDocument('{}', MediaType.dockerSchema1SignedManifest), /schema 1/);
  throwsInvalid(() => parseManifestDocument(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.example+json' })), /unsupported manifest media type "application\/vnd.example\+json"/);
  throwsInvalid(() => parseManifestDocument(JSON.stringify({ schemaVersion: 2 })), /neither "manifests" nor "config"/);
  throwsInvalid(() => parseManifestDocument('null'), /expected a JSON object/);
  throwsInvalid(() => parseManifestDocument(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, config: {} })), /^invalid image index: manifests/);
});

test('parseDescriptor', () => {
  const d = parseDescriptor({ mediaType: MediaType.ociLayerGzip, digest: D1, size: 3, urls: ['https://example.com/l'] });
  assert.equal(d.size, 3);
  throwsInvalid(() => parseDescriptor({ mediaType: 'x', digest: D1 }), /^invalid descriptor: size/);
});
