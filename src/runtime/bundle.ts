import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { NotFoundError, isNotFound, writeJsonAtomic } from '../base/index.js';
import { parseJsonText, parseWithSchema } from '../oci/index.js';
import type { ProcessSpec, RuntimeSpec } from './runtime-spec.js';

export const BUNDLE_CONFIG = 'config.json';

/**
 * Writes `<bundleDir>/config.json` atomically (temp file, rename; compact, and without fsync:
 * it is written anew from the container's record at every start). A relative root
 * path is made absolute against the bundle: the runtime is started with a run-state
 * directory as its bundle (see ConmonRuntime), where a relative path would not resolve.
 */
export async function writeBundle(bundleDir: string, spec: RuntimeSpec): Promise<string> {
  const root = isAbsolute(spec.root.path) ? spec.root.path : resolve(bundleDir, spec.root.path);
  const path = join(bundleDir, BUNDLE_CONFIG);
  await writeJsonAtomic(path, { ...spec, root: { ...spec.root, path: root } }, { compact: true, durable: false });
  return path;
}

/** The fields exec sessions take from the container's own config.json. */
const bundleConfigSchema = z.looseObject({
  process: z.looseObject({
    args: z.array(z.string()),
    env: z.array(z.string()).optional(),
    cwd: z.string(),
    user: z.looseObject({ uid: z.number(), gid: z.number() }),
  }),
  root: z.looseObject({ path: z.string() }),
  annotations: z.record(z.string(), z.string()).optional(),
});

export interface BundleConfig {
  process: ProcessSpec;
  rootfs: string;
  annotations: Record<string, string>;
}

export async function readBundleConfig(configPath: string, containerId: string): Promise<BundleConfig> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    if (isNotFound(err)) throw new NotFoundError(`container ${containerId}: no bundle config at ${configPath}`);
    throw err;
  }
  const parsed = parseWithSchema(bundleConfigSchema, parseJsonText(text, `config.json of container ${containerId}`), `config.json of container ${containerId}`);
  return { process: parsed.process as unknown as ProcessSpec, rootfs: parsed.root.path, annotations: parsed.annotations ?? {} };
}
