import { InvalidArgumentError } from '../base/index.js';

/**
 * Media types of image documents and layers. OCI names come from the image-spec
 * (specs-go/v1/mediatype.go); Docker names from the distribution manifest v2 schema 2 spec.
 * Docker and OCI types are interchangeable in structure; what differs is only the string.
 */
export const MediaType = {
  // OCI image-spec
  ociDescriptor: 'application/vnd.oci.descriptor.v1+json',
  ociLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmptyJson: 'application/vnd.oci.empty.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** Deprecated by OCI, still found in Windows base images. */
  ociLayerNonDistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNonDistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNonDistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',

  // Docker image manifest v2, schema 2
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar',
  dockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',

  // Docker image manifest v2, schema 1: known only to be refused with a clear message.
  dockerSchema1Manifest: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1SignedManifest: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

/** How a layer blob is compressed, read from its media type. */
export type LayerCompression = 'none' | 'gzip' | 'zstd';

const MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaType.ociManifest, MediaType.dockerManifest]);
const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.ociIndex, MediaType.dockerManifestList]);
const CONFIG_TYPES: ReadonlySet<string> = new Set([MediaType.ociConfig, MediaType.dockerConfig]);
const SCHEMA1_TYPES: ReadonlySet<string> = new Set([MediaType.dockerSchema1Manifest, MediaType.dockerSchema1SignedManifest]);

const LAYER_COMPRESSION: ReadonlyMap<string, LayerCompression> = new Map<string, LayerCompression>([
  [MediaType.ociLayer, 'none'],
  [MediaType.ociLayerGzip, 'gzip'],
  [MediaType.ociLayerZstd, 'zstd'],
  [MediaType.ociLayerNonDistributable, 'none'],
  [MediaType.ociLayerNonDistributableGzip, 'gzip'],
  [MediaType.ociLayerNonDistributableZstd, 'zstd'],
  [MediaType.dockerLayer, 'none'],
  [MediaType.dockerLayerGzip, 'gzip'],
  [MediaType.dockerLayerForeign, 'none'],
  [MediaType.dockerLayerForeignGzip, 'gzip'],
]);

const NON_DISTRIBUTABLE: ReadonlySet<string> = new Set([
  MediaType.ociLayerNonDistributable,
  MediaType.ociLayerNonDistributableGzip,
  MediaType.ociLayerNonDistributableZstd,
  MediaType.dockerLayerForeign,
  MediaType.dockerLayerForeignGzip,
]);

/** Parameters (`; charset=utf-8`) do not change what a document is; registries add them. */
function baseType(mediaType: string): string {
  const semi = mediaType.indexOf(';');
  return (semi < 0 ? mediaType : mediaType.slice(0, semi)).trim().toLowerCase();
}

export function isImageManifestType(mediaType: string): boolean {
  return MANIFEST_TYPES.has(baseType(mediaType));
}

export function isImageIndexType(mediaType: string): boolean {
  return INDEX_TYPES.has(baseType(mediaType));
}

export function isImageConfigType(mediaType: string): boolean {
  return CONFIG_TYPES.has(baseType(mediaType));
}

export function isSchema1ManifestType(mediaType: string): boolean {
  return SCHEMA1_TYPES.has(baseType(mediaType));
}

export function isLayerType(mediaType: string): boolean {
  return LAYER_COMPRESSION.has(baseType(mediaType));
}

/** Non-distributable ("foreign") layers are not pushed to registries; their URLs say where they live. */
export function isNonDistributableLayerType(mediaType: string): boolean {
  return NON_DISTRIBUTABLE.has(baseType(mediaType));
}

/** The compression of a layer media type; InvalidArgumentError for a type that is not a layer. */
export function layerCompression(mediaType: string): LayerCompression {
  const compression = LAYER_COMPRESSION.get(baseType(mediaType));
  if (compression === undefined) {
    throw new InvalidArgumentError(`unsupported layer media type "${mediaType}"`);
  }
  return compression;
}

/** The layer media type to write for a compression, in the OCI or the Docker family. */
export function layerMediaType(compression: LayerCompression, family: 'oci' | 'docker' = 'oci'): string {
  if (family === 'docker') {
    if (compression === 'zstd') {
      throw new InvalidArgumentError('Docker image manifests have no zstd layer media type; use an OCI manifest');
    }
    return compression === 'gzip' ? MediaType.dockerLayerGzip : MediaType.dockerLayer;
  }
  if (compression === 'gzip') return MediaType.ociLayerGzip;
  if (compression === 'zstd') return MediaType.ociLayerZstd;
  return MediaType.ociLayer;
}

/**
 * Schema 1 manifests were removed from Docker; pulling one fails with this message rather
 * than a confusing schema error.
 */
export function schema1RemovedMessage(what: string): string {
  return (
    `${what} uses Docker Image manifest version 2, schema 1, which is no longer supported; ` +
    'the image must be pushed again in the OCI format or Docker Image manifest v2, schema 2'
  );
}
