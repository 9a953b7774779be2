import { z } from 'zod';
import { goObject, parseJsonText, parseWithSchema } from './schema-parse.js';
import { annotationsSchema, descriptorSchema, type Descriptor } from './descriptor.js';

/**
 * An image manifest: one config and an ordered list of layers (bottom first). The same
 * structure serves OCI (`application/vnd.oci.image.manifest.v1+json`) and Docker v2 schema 2
 * (`application/vnd.docker.distribution.manifest.v2+json`); `mediaType` tells them apart.
 */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export const imageManifestSchema: z.ZodType<ImageManifest> = goObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

/** Validates an already-decoded manifest; InvalidArgumentError naming the bad field. */
export function parseImageManifest(value: unknown): ImageManifest {
  return parseWithSchema(imageManifestSchema, value, 'image manifest');
}

export function parseImageManifestJson(json: string | Uint8Array): ImageManifest {
  return parseImageManifest(parseJsonText(json, 'image manifest'));
}
