import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InvalidArgumentError, isNotFound, type LogLevel } from '../base/index.js';

export type StorageDriver = 'overlay' | 'native';

/** How the daemon is set up; flags and the JSON config file share these keys. */
export interface DaemonConfig {
  root: string;
  execRoot: string;
  /** Addresses to serve on: `unix:///path` or (with insecureTcp) `tcp://host:port`. */
  hosts: string[];
  /** Undefined: chosen at start-up (the driver the store already uses, else overlay if the kernel has it). */
  storageDriver?: StorageDriver;
  logLevel: LogLevel;
  /** Group given access to unix sockets (mode 0660); ignored when it does not exist. */
  group: string;
  /** TCP without TLS gives root to whoever connects: only with this set. */
  insecureTcp: boolean;
  /** Seconds in-flight requests get to finish at shutdown. */
  shutdownTimeout: number;
  labels: string[];
  debug: boolean;
}

export const DEFAULT_ROOT = '/var/lib/strata';
export const DEFAULT_EXEC_ROOT = '/run/strata';
export const DEFAULT_HOST = 'unix:///run/strata/strata.sock';
export const DEFAULT_CONFIG_FILE = '/etc/strata/daemon.json';

export function defaultConfig(): DaemonConfig {
  return {
    root: DEFAULT_ROOT,
    execRoot: DEFAULT_EXEC_ROOT,
    hosts: [DEFAULT_HOST],
    logLevel: 'info',
    group: 'strata',
    insecureTcp: false,
    shutdownTimeout: 5,
    labels: [],
    debug: false,
  };
}

/** The config file: Docker-style kebab-case keys; `data-root` is accepted as Docker names it. */
const configFileSchema = z.looseObject({
  root: z.string().min(1).optional(),
  'data-root': z.string().min(1).optional(),
  'exec-root': z.string().min(1).optional(),
  hosts: z.array(z.string().min(1)).optional(),
  host: z.string().min(1).optional(),
  'storage-driver': z.enum(['overlay', 'native']).optional(),
  'log-level': z.enum(['debug', 'info', 'warn', 'error']).optional(),
  group: z.string().optional(),
  'insecure-tcp': z.boolean().optional(),
  'shutdown-timeout': z.number().int().min(0).optional(),
  labels: z.array(z.string()).optional(),
  debug: z.boolean().optional(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

/** Reads the config file; a missing default file is fine, a missing named one is not. */
export async function readConfigFile(path: string, required: boolean): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err) && !required) return {};
    throw new InvalidArgumentError(`unable to read the configuration file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`the configuration file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidArgumentError(`invalid configuration file ${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The file's settings as config fields (only those it sets). */
export function configFromFile(file: ConfigFile): Partial<DaemonConfig> {
  const out: Partial<DaemonConfig> = {};
  const root = file.root ?? file['data-root'];
  if (root !== undefined) out.root = root;
  if (file['exec-root'] !== undefined) out.execRoot = file['exec-root'];
  if (file.hosts !== undefined) out.hosts = file.hosts;
  else if (file.host !== undefined) out.hosts = [file.host];
  if (file['storage-driver'] !== undefined) out.storageDriver = file['storage-driver'];
  if (file['log-level'] !== undefined) out.logLevel = file['log-level'];
  if (file.group !== undefined) out.group = file.group;
  if (file['insecure-tcp'] !== undefined) out.insecureTcp = file['insecure-tcp'];
  if (file['shutdown-timeout'] !== undefined) out.shutdownTimeout = file['shutdown-timeout'];
  if (file.labels !== undefined) out.labels = file.labels;
  if (file.debug !== undefined) out.debug = file.debug;
  return out;
}

/**
 * Defaults, then the file, then flags. Like dockerd, a setting given both as a flag and in
 * the file is an error rather than a silent override.
 */
export function mergeConfig(fromFile: Partial<DaemonConfig>, fromFlags: Partial<DaemonConfig>): DaemonConfig {
  const both = Object.keys(fromFlags).filter((k) => k in fromFile);
  if (both.length > 0) {
    throw new InvalidArgumentError(`the following directives are specified both as a flag and in the configuration file: ${both.map(flagName).join(', ')}`);
  }
  return { ...defaultConfig(), ...fromFile, ...fromFlags };
}

function flagName(key: string): string {
  return key === 'hosts' ? 'host' : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
