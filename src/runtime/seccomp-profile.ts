import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { z } from 'zod';
import { isNotFound } from '../base/index.js';
import { goObject, parseJsonText, parseWithSchema } from '../oci/index.js';
import type { SeccompSpec, SeccompSyscallSpec } from './runtime-spec.js';

/** Where Debian's containers-common installs the profile Podman and CRI-O use. */
export const DEFAULT_SECCOMP_PROFILE_PATH = '/usr/share/containers/seccomp.json';

/*
 * The profile format of moby's profiles/seccomp and containers/common's pkg/seccomp: an OCI
 * seccomp section plus conditions (`includes`/`excludes` on capabilities, architectures and
 * minimum kernel) and an `archMap` from a native architecture to the ones it can also run.
 * The conditions are resolved here for one container; the runtime never sees them.
 */
const conditionSchema = goObject({
  caps: z.array(z.string()).optional(),
  arches: z.array(z.string()).optional(),
  minKernel: z.string().optional(),
});

const argSchema = goObject({
  index: z.number().int().nonnegative(),
  value: z.number().nonnegative(),
  valueTwo: z.number().nonnegative().optional(),
  op: z.string(),
});

const syscallRuleSchema = goObject({
  name: z.string().optional(),
  names: z.array(z.string()).optional(),
  action: z.string(),
  errnoRet: z.number().int().nonnegative().optional(),
  args: z.array(argSchema).optional(),
  includes: conditionSchema.optional(),
  excludes: conditionSchema.optional(),
});

export const seccompProfileSchema = goObject({
  defaultAction: z.string(),
  defaultErrnoRet: z.number().int().nonnegative().optional(),
  architectures: z.array(z.string()).optional(),
  archMap: z.array(goObject({ architecture: z.string(), subArchitectures: z.array(z.string()).optional() })).optional(),
  flags: z.array(z.string()).optional(),
  syscalls: z.array(syscallRuleSchema).optional(),
});

export type SeccompProfile = z.infer<typeof seccompProfileSchema>;

/** What a profile's conditions are resolved against. */
export interface SeccompTarget {
  /** Go's architecture name as profiles spell it in `arches`: amd64, arm64, x86, … */
  arch: string;
  /** The container's bounding capability set. */
  capabilities: readonly string[];
  /** Running kernel as [major, minor]. */
  kernel: readonly [number, number];
}

/** Node's process.arch → the names profiles use (Go's GOARCH and libseccomp's SCMP_ARCH_*). */
const ARCHES: Record<string, { go: string; scmp: string }> = {
  x64: { go: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  arm64: { go: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
  ia32: { go: 'x86', scmp: 'SCMP_ARCH_X86' },
  arm: { go: 'arm', scmp: 'SCMP_ARCH_ARM' },
  s390x: { go: 's390x', scmp: 'SCMP_ARCH_S390X' },
  ppc64: { go: 'ppc64le', scmp: 'SCMP_ARCH_PPC64LE' },
  riscv64: { go: 'riscv64', scmp: 'SCMP_ARCH_RISCV64' },
};

export function nativeSeccompArch(nodeArch: string = process.arch): { go: string; scmp: string } {
  return ARCHES[nodeArch] ?? { go: nodeArch, scmp: `SCMP_ARCH_${nodeArch.toUpperCase()}` };
}

export function parseKernelVersion(text: string = release()): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function parseSeccompProfile(text: string | Uint8Array, what = 'seccomp profile'): SeccompProfile {
  return parseWithSchema(seccompProfileSchema, parseJsonText(text, what), what);
}

const profileCache = new Map<string, Promise<SeccompProfile | undefined>>();

/**
 * Reads and parses a profile file, once per path; undefined when it does not exist (the
 * containers then run without seccomp, as Docker does on a kernel without it).
 */
export function loadSeccompProfile(path = DEFAULT_SECCOMP_PROFILE_PATH): Promise<SeccompProfile | undefined> {
  let cached = profileCache.get(path);
  if (!cached) {
    cached = readFile(path).then(
      (bytes) => parseSeccompProfile(bytes, `seccomp profile ${path}`),
      (err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      },
    );
    cached.catch(() => profileCache.delete(path));
    profileCache.set(path, cached);
  }
  return cached;
}

function kernelAtLeast(kernel: readonly [number, number], min: string): boolean {
  const [major, minor] = parseKernelVersion(min);
  return kernel[0] > major || (kernel[0] === major && kernel[1] >= minor);
}

/** True when a rule applies to the target: moby's and containers/common's filter, in order. */
function ruleApplies(rule: z.infer<typeof syscallRuleSchema>, target: SeccompTarget): boolean {
  const excl = rule.excludes;
  if (excl?.arches?.length && excl.arches.includes(target.arch)) return false;
  if (excl?.caps?.length && excl.caps.some((c) => target.capabilities.includes(c))) return false;
  const incl = rule.includes;
  if (incl?.arches?.length && !incl.arches.includes(target.arch)) return false;
  if (incl?.caps?.length && !incl.caps.every((c) => target.capabilities.includes(c))) return false;
  if (incl?.minKernel && !kernelAtLeast(target.kernel, incl.minKernel)) return false;
  return true;
}

/**
 * A profile resolved for one container: `archMap` narrowed to the native architecture and
 * its companions, and only the rules whose conditions hold for its capabilities, arch and
 * kernel — e.g. `chroot` is allowed with CAP_SYS_CHROOT and returns EPERM without it.
 */
export function resolveSeccompProfile(profile: SeccompProfile, target: SeccompTarget, scmpArch = nativeSeccompArch().scmp): SeccompSpec {
  const out: SeccompSpec = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new Error("seccomp profile has both 'architectures' and 'archMap'");
  }
  if (profile.architectures?.length) {
    out.architectures = [...profile.architectures];
  } else if (profile.archMap?.length) {
    const entry = profile.archMap.find((a) => a.architecture === scmpArch);
    if (entry) out.architectures = [entry.architecture, ...(entry.subArchitectures ?? [])];
  }
  if (profile.flags?.length) out.flags = [...profile.flags];
  const syscalls: SeccompSyscallSpec[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!ruleApplies(rule, target)) continue;
    if (rule.name && rule.names?.length) throw new Error("seccomp rule has both 'name' and 'names'");
    const names = rule.names?.length ? [...rule.names] : rule.name ? [rule.name] : [];
    if (names.length === 0) continue;
    const call: SeccompSyscallSpec = { names, action: rule.action };
    if (rule.errnoRet !== undefined) call.errnoRet = rule.errnoRet;
    if (rule.args?.length) {
      call.args = rule.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
    }
    syscalls.push(call);
  }
  out.syscalls = syscalls;
  return out;
}
