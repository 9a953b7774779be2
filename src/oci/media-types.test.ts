import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MediaType,
  isImageConfigType,
  isImageIndexType,
  isImageManifestType,
  isLayerType,
  isNonDistributableLayerType,
  isSchema1ManifestType,
  layerCompression,
  layerMediaType,
} from './media-types.js';
import { InvalidArgumentError } from '../base/index.js';

test('media type families', () => {
  assert.ok(isImageManifestType(MediaType.ociManifest));
  assert.ok(isImageManifestType(MediaType.dockerManifest));
  assert.ok(isImageManifestType(`${MediaType.dockerManifest}; charset=utf-8`));
  assert.ok(!isImageManifestType(MediaType.ociIndex));
  assert.ok(isImageIndexType(MediaType.ociIndex));
  assert.ok(isImageIndexType(MediaType.dockerManifestList));
  assert.ok(isImageConfigType(MediaType.ociConfig));
  assert.ok(isImageConfigType(MediaType.dockerConfig));
  assert.ok(isSchema1ManifestType(MediaType.dockerSchema1SignedManifest));
  assert.ok(isSchema1ManifestType(MediaType.dockerSchema1Manifest));
  assert.ok(isLayerType(MediaType.dockerLayerForeignGzip));
  assert.ok(!isLayerType(MediaType.ociConfig));
  assert.ok(isNonDistributableLayerType(MediaType.ociLayerNonDistributableZstd));
  assert.ok(!isNonDistributableLayerType(MediaType.ociLayerGzip));
});

test('layer compression from and to media types', () => {
  assert.equal(layerCompression(MediaType.ociLayer), 'none');
  assert.equal(layerCompression(MediaType.ociLayerGzip), 'gzip');
  assert.equal(layerCompression(MediaType.ociLayerZstd), 'zstd');
  assert.equal(layerCompression(MediaType.dockerLayerGzip), 'gzip');
  assert.equal(layerCompression(MediaType.dockerLayer), 'none');
  assert.throws(() => layerCompression('application/x-tar'), InvalidArgumentError);
  assert.equal(layerMediaType('gzip'), MediaType.ociLayerGzip);
  assert.equal(layerMediaType('none', 'docker'), MediaType.dockerLayer);
  assert.equal(layerMediaType('gzip', 'docker'), MediaType.dockerLayerGzip);
  assert.throws(() => layerMediaType('zstd', 'docker'), InvalidArgumentError);
});
