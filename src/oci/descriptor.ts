import { z } from 'zod';
import { isDigest, type Digest } from '../base/index.js';
import { goObject, parseWithSchema } from './schema-parse.js';
import { platformSchema, type Platform } from './platform.js';

/**
 * A content descriptor (OCI image-spec descriptor.md): what a blob is, its digest and size.
 * Only sha256 digests are accepted — the store and verification speak nothing else.
 */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** The blob itself, base64, embedded to save a round trip. */
  data?: string;
  /** Only on descriptors of manifests inside an index. */
  platform?: Platform;
  artifactType?: string;
}

export const digestSchema = z.custom<Digest>(
  (value) => typeof value === 'string' && isDigest(value),
  { message: 'expected a digest of the form sha256:<64 lowercase hex characters>' },
);

export const annotationsSchema = z.record(z.string(), z.string());

export const descriptorSchema: z.ZodType<Descriptor> = goObject({
  mediaType: z.string(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: annotationsSchema.optional(),
  data: z.string().optional(),
  platform: platformSchema.optional(),
  artifactType: z.string().optional(),
});

export function parseDescriptor(value: unknown): Descriptor {
  return parseWithSchema(descriptorSchema, value, 'descriptor');
}
