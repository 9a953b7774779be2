import { InvalidArgumentError } from '../base/index.js';
import { capRlimits, currentHardLimits, type HardLimits } from './rlimits.js';
import type { RuntimeSpec } from './runtime-spec.js';
import { loadSeccompProfile, nativeSeccompArch, parseKernelVersion, resolveSeccompProfile, type SeccompProfile } from './seccomp-profile.js';
import { DEFAULT_PATH_ENV, defaultSpec, type SpecInput } from './spec-defaults.js';
import { INIT_PATH_IN_CONTAINER, mergeEnv, type SpecContext, type SpecOption } from './spec-options.js';

/** Facts about the host that finishing a spec depends on; tests pass their own. */
export interface HostFacts {
  hardLimits?: HardLimits;
  /** Go arch name and libseccomp arch of the host. */
  arch?: { go: string; scmp: string };
  kernel?: readonly [number, number];
  /** Loads the profile behind `{ kind: 'default' }`; default reads containers-common's file. */
  loadDefaultSeccomp?: (path?: string) => Promise<SeccompProfile | undefined>;
}

function hasEnv(env: readonly string[], key: string): boolean {
  return env.some((e) => e === key || e.startsWith(`${key}=`));
}

/**
 * The container's spec: runc/Docker defaults, then each option in order, then the parts
 * that depend on all of them — --init around the final args, PATH/HOSTNAME/TERM defaults in
 * the env, net.* sysctls dropped in the host's network namespace (runc refuses them there),
 * rlimits lowered to what this process may grant, and the seccomp profile resolved for the
 * final capability set.
 */
export async function buildSpec(input: SpecInput, options: readonly SpecOption[], host: HostFacts = {}): Promise<RuntimeSpec> {
  const spec = defaultSpec(input);
  const ctx: SpecContext = { containerId: input.containerId, rootfs: input.rootfs, seccomp: { kind: 'default' }, etcFiles: new Set() };
  for (const option of options) await option(spec, ctx);
  const id = input.containerId;

  if (spec.process.args.length === 0) throw new InvalidArgumentError(`container ${id}: no command specified`);
  if (ctx.initPath) {
    spec.process.args = [INIT_PATH_IN_CONTAINER, '--', ...spec.process.args];
    spec.mounts.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: ctx.initPath, options: ['bind', 'rprivate', 'ro'] });
  }

  // Docker's order: its defaults first, so image and user env can override them.
  const defaults: string[] = [];
  if (!hasEnv(spec.process.env, 'PATH')) defaults.push(DEFAULT_PATH_ENV);
  if (spec.hostname && !hasEnv(spec.process.env, 'HOSTNAME')) defaults.push(`HOSTNAME=${spec.hostname}`);
  if (spec.process.terminal && !hasEnv(spec.process.env, 'TERM')) defaults.push('TERM=xterm');
  spec.process.env = mergeEnv(defaults, spec.process.env);

  const ownNetns = spec.linux.namespaces.some((ns) => ns.type === 'network');
  if (!ownNetns && spec.linux.sysctl) {
    for (const key of Object.keys(spec.linux.sysctl)) if (key.startsWith('net.')) delete spec.linux.sysctl[key];
  }

  if (spec.root.readonly) {
    for (const m of spec.mounts) if (ctx.etcFiles.has(m.destination) && !m.options?.includes('ro')) m.options = [...(m.options ?? []), 'ro'];
  }

  if (spec.process.rlimits?.length) {
    spec.process.rlimits = capRlimits(spec.process.rlimits, host.hardLimits ?? (await currentHardLimits()));
  }

  const seccomp = ctx.seccomp;
  let profile: SeccompProfile | undefined;
  if (seccomp.kind === 'profile') profile = seccomp.profile;
  else if (seccomp.kind === 'default') profile = await (host.loadDefaultSeccomp ?? loadSeccompProfile)(seccomp.path);
  if (profile) {
    const arch = host.arch ?? nativeSeccompArch();
    spec.linux.seccomp = resolveSeccompProfile(profile, {
      arch: arch.go,
      capabilities: spec.process.capabilities?.bounding ?? [],
      kernel: host.kernel ?? parseKernelVersion(),
    }, arch.scmp);
  } else {
    delete spec.linux.seccomp;
  }
  return spec;
}
