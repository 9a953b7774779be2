import { z } from 'zod';
import { goObject, parseJsonText, parseWithSchema } from './schema-parse.js';
import { annotationsSchema, descriptorSchema, type Descriptor } from './descriptor.js';

/**
 * An image index (OCI) or manifest list (Docker): manifests for several platforms, each
 * descriptor carrying its `platform`.
 */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export const imageIndexSchema: z.ZodType<ImageIndex> = goObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

export function parseImageIndex(value: unknown): ImageIndex {
  return parseWithSchema(imageIndexSchema, value, 'image index');
}

export function parseImageIndexJson(json: string | Uint8Array): ImageIndex {
  return parseImageIndex(parseJsonText(json, 'image index'));
}
