import { z } from 'zod';
import type { Digest } from '../base/index.js';
import { goObject, parseJsonText, parseWithSchema } from './schema-parse.js';
import { digestSchema } from './descriptor.js';

/**
 * A health check as Docker stores it in an image (moby `container.HealthConfig`). Durations
 * are nanoseconds, Go's `time.Duration` on the wire.
 */
export interface HealthConfig {
  /** `[]` inherit, `["NONE"]` disable, `["CMD", args…]` exec, `["CMD-SHELL", command]` shell. */
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/**
 * The execution defaults of an image: the `config` object of an image config. OCI calls it
 * `ImageConfig`, Docker `container.Config`; the field names are Go's, capitalised. Docker-only
 * fields (Hostname, Tty, StopTimeout…) are kept as they came but not typed here.
 */
export interface ExecutionConfig {
  User?: string;
  /** Keys like `80/tcp`; values are empty objects. */
  ExposedPorts?: Record<string, object>;
  /** `NAME=value` strings. */
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[];
  Shell?: string[];
}

export interface RootFs {
  type: 'layers';
  /** Uncompressed layer digests, bottom layer first. */
  diff_ids: Digest[];
}

/** One step of an image's history; `empty_layer` steps (ENV, CMD…) produced no layer. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * An image config (`application/vnd.oci.image.config.v1+json` or
 * `application/vnd.docker.container.image.v1+json`). Its sha256 is the image ID.
 */
export interface ImageConfig {
  /** RFC 3339. */
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ExecutionConfig;
  rootfs: RootFs;
  history?: HistoryEntry[];
  // Docker-only, shown by `docker inspect`:
  comment?: string;
  container?: string;
  container_config?: ExecutionConfig;
  docker_version?: string;
}

const stringList = z.array(z.string());
const emptyObjectSet = z.record(z.string(), z.looseObject({}));

export const healthConfigSchema: z.ZodType<HealthConfig> = goObject({
  Test: stringList.optional(),
  Interval: z.number().int().optional(),
  Timeout: z.number().int().optional(),
  StartPeriod: z.number().int().optional(),
  StartInterval: z.number().int().optional(),
  Retries: z.number().int().optional(),
});

export const executionConfigSchema: z.ZodType<ExecutionConfig> = goObject({
  User: z.string().optional(),
  ExposedPorts: emptyObjectSet.optional(),
  Env: stringList.optional(),
  Entrypoint: stringList.optional(),
  Cmd: stringList.optional(),
  Volumes: emptyObjectSet.optional(),
  WorkingDir: z.string().optional(),
  Labels: z.record(z.string(), z.string()).optional(),
  StopSignal: z.string().optional(),
  ArgsEscaped: z.boolean().optional(),
  Healthcheck: healthConfigSchema.optional(),
  OnBuild: stringList.optional(),
  Shell: stringList.optional(),
});

export const rootFsSchema: z.ZodType<RootFs> = goObject({
  type: z.literal('layers', { message: 'rootfs.type must be "layers"' }),
  diff_ids: z.array(digestSchema),
});

export const historyEntrySchema: z.ZodType<HistoryEntry> = goObject({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});

export const imageConfigSchema: z.ZodType<ImageConfig> = goObject({
  created: z.string().optional(),
  author: z.string().optional(),
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': stringList.optional(),
  variant: z.string().optional(),
  config: executionConfigSchema.optional(),
  rootfs: rootFsSchema,
  history: z.array(historyEntrySchema).optional(),
  comment: z.string().optional(),
  container: z.string().optional(),
  container_config: executionConfigSchema.optional(),
  docker_version: z.string().optional(),
});

export function parseImageConfig(value: unknown): ImageConfig {
  return parseWithSchema(imageConfigSchema, value, 'image config');
}

export function parseImageConfigJson(json: string | Uint8Array): ImageConfig {
  return parseImageConfig(parseJsonText(json, 'image config'));
}
