import { z } from 'zod';
import { InvalidArgumentError, UnavailableError, errorMessage } from '../base/index.js';
import { runCommand } from '../host/index.js';
import { parseJsonText, parseWithSchema } from '../oci/index.js';
import type { RuntimeSpec } from './runtime-spec.js';

/**
 * `runc features` (runtime-spec features.md): what this runtime binary understands. Loose
 * objects, every field optional, so an older or newer runtime's document still parses.
 */
export const runtimeFeaturesSchema = z.looseObject({
  ociVersionMin: z.string().optional(),
  ociVersionMax: z.string().optional(),
  hooks: z.array(z.string()).optional(),
  mountOptions: z.array(z.string()).optional(),
  linux: z.looseObject({
    namespaces: z.array(z.string()).optional(),
    capabilities: z.array(z.string()).optional(),
    cgroup: z.looseObject({ v1: z.boolean().optional(), v2: z.boolean().optional(), systemd: z.boolean().optional() }).optional(),
    seccomp: z.looseObject({
      enabled: z.boolean().optional(),
      actions: z.array(z.string()).optional(),
      operators: z.array(z.string()).optional(),
      archs: z.array(z.string()).optional(),
    }).optional(),
    apparmor: z.looseObject({ enabled: z.boolean().optional() }).optional(),
    selinux: z.looseObject({ enabled: z.boolean().optional() }).optional(),
  }).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type RuntimeFeatures = z.infer<typeof runtimeFeaturesSchema>;

export function parseRuntimeFeatures(text: string, runtimeName = 'runc'): RuntimeFeatures {
  return parseWithSchema(runtimeFeaturesSchema, parseJsonText(text, `${runtimeName} features output`), `${runtimeName} features output`);
}

/** Runs `<runtime> features`; UnavailableError when the binary cannot report them. */
export async function loadRuntimeFeatures(runtimePath: string): Promise<RuntimeFeatures> {
  let stdout: string;
  try {
    ({ stdout } = await runCommand([runtimePath, 'features'], { timeoutMs: 15_000 }));
  } catch (err) {
    throw new UnavailableError(`${runtimePath} cannot report its features: ${errorMessage(err)}`, { cause: err });
  }
  return parseRuntimeFeatures(stdout, runtimePath);
}

/**
 * Options that are file-system data (passed to the kernel, not turned into mount flags by
 * the runtime) yet carry no `=`. Anything else outside the runtime's list is a typo.
 */
const BARE_DATA_OPTIONS = new Set(['newinstance', 'inode32', 'inode64', 'noswap', 'userxattr', 'nouser_xattr', 'user_xattr', 'acl', 'noacl']);

function isBind(mount: RuntimeSpec['mounts'][number]): boolean {
  return mount.type === 'bind' || (mount.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}

export interface FeatureCheckOptions {
  /** The daemon's bounding set: capabilities beyond it cannot be granted. */
  hostCapabilities?: readonly string[];
  runtimeName?: string;
}

/**
 * Every problem of `spec` for a runtime with `features`: unknown namespaces, capabilities,
 * mount options, seccomp actions, operators and architectures. Empty when it is fine.
 */
export function specFeatureProblems(spec: RuntimeSpec, features: RuntimeFeatures, options: FeatureCheckOptions = {}): string[] {
  const problems: string[] = [];
  const linux = features.linux;
  const namespaces = linux?.namespaces;
  if (namespaces) {
    for (const ns of spec.linux.namespaces) if (!namespaces.includes(ns.type)) problems.push(`unknown namespace ${JSON.stringify(ns.type)}`);
  }
  const caps = spec.process.capabilities;
  const allCaps = caps ? [...new Set([...caps.bounding, ...caps.effective, ...caps.permitted, ...caps.inheritable, ...caps.ambient])] : [];
  const knownCaps = linux?.capabilities;
  for (const cap of allCaps) {
    if (knownCaps && !knownCaps.includes(cap)) problems.push(`unknown capability ${JSON.stringify(cap)}`);
    else if (options.hostCapabilities && !options.hostCapabilities.includes(cap)) problems.push(`capability ${cap} is not in the daemon's own bounding set, so it cannot be granted`);
  }
  const mountOptions = features.mountOptions;
  if (mountOptions) {
    for (const mount of spec.mounts) {
      for (const option of mount.options ?? []) {
        if (mountOptions.includes(option)) continue;
        // Non-bind mounts pass options the runtime does not know to the kernel as data.
        if (!isBind(mount) && (option.includes('=') || BARE_DATA_OPTIONS.has(option))) continue;
        problems.push(`unknown mount option ${JSON.stringify(option)} on ${mount.destination}`);
      }
    }
  }
  const seccomp = spec.linux.seccomp;
  const sf = linux?.seccomp;
  if (seccomp && sf) {
    if (sf.enabled === false) problems.push('seccomp is not supported by the runtime');
    const actions = new Set([seccomp.defaultAction, ...(seccomp.syscalls ?? []).map((s) => s.action)]);
    for (const action of actions) if (sf.actions && !sf.actions.includes(action)) problems.push(`unknown seccomp action ${JSON.stringify(action)}`);
    const operators = new Set((seccomp.syscalls ?? []).flatMap((s) => (s.args ?? []).map((a) => a.op)));
    for (const op of operators) if (sf.operators && !sf.operators.includes(op)) problems.push(`unknown seccomp operator ${JSON.stringify(op)}`);
    for (const arch of seccomp.architectures ?? []) if (sf.archs && !sf.archs.includes(arch)) problems.push(`unknown seccomp architecture ${JSON.stringify(arch)}`);
  }
  return problems;
}

/** Throws InvalidArgumentError naming the container and each problem specFeatureProblems finds. */
export function checkSpecFeatures(containerId: string, spec: RuntimeSpec, features: RuntimeFeatures, options: FeatureCheckOptions = {}): void {
  const problems = specFeatureProblems(spec, features, options);
  if (problems.length > 0) {
    throw new InvalidArgumentError(`container ${containerId}: the spec asks for what ${options.runtimeName ?? 'the OCI runtime'} does not support: ${problems.join('; ')}`);
  }
}
