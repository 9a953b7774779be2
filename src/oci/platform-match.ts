import { normalizePlatform, type Platform } from './platform.js';

/** Node's names for CPU architectures, mapped to the OCI (Go) names. */
const NODE_ARCH_TO_OCI: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le', // Node on Linux runs only little-endian ppc64
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/**
 * The platform of this host, in normalized form: `linux/amd64`, `linux/arm64`, … A 32-bit
 * arm host is assumed to be v7, the common case (telling v6 from v7 needs /proc/cpuinfo).
 */
export function currentPlatform(): Platform {
  const architecture = NODE_ARCH_TO_OCI[process.arch] ?? process.arch;
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return normalizePlatform({ os, architecture });
}

function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/** Features a candidate requires must all be offered by the wanted platform (both sorted). */
function featuresSatisfied(wanted: Platform, candidate: Platform): boolean {
  const need = candidate['os.features'] ?? [];
  const have = new Set(wanted['os.features'] ?? []);
  return need.every((feature) => have.has(feature));
}

function versionedVariants(prefix: string, from: number, downTo: number): string[] {
  const out: string[] = [];
  for (let v = from; v >= downTo; v--) out.push(`${prefix}${v}`);
  return out;
}

/**
 * The platforms a host of `wanted` can run, best first, as containerd's `platforms.Only`
 * orders them: amd64/vN falls back to lower levels then 386; arm64 to arm/v8…v5; arm/vN to
 * lower arm variants.
 */
export function compatiblePlatforms(wanted: Platform): Platform[] {
  const base = normalizePlatform(wanted);
  const variant = base.variant ?? '';
  const level = Number.parseInt(variant.replace(/^v/, ''), 10);
  const withArch = (architecture: string, v?: string): Platform => normalizePlatform({ ...base, architecture, variant: v ?? '' });
  switch (base.architecture) {
    case 'amd64': {
      const lower = Number.isInteger(level) && level > 1 ? versionedVariants('v', level - 1, 1) : [];
      return [base, ...lower.map((v) => withArch('amd64', v)), withArch('386')];
    }
    case 'arm': {
      const lower = Number.isInteger(level) && level > 5 ? versionedVariants('v', level - 1, 5) : [];
      return [base, ...lower.map((v) => withArch('arm', v))];
    }
    case 'arm64': {
      // A v9 (or v8.x) host also runs plain v8 images; any arm64 runs 32-bit arm down to v5.
      const plainArm64 = variant !== '' ? [withArch('arm64')] : [];
      return [base, ...plainArm64, ...versionedVariants('v', 8, 5).map((v) => withArch('arm', v))];
    }
    default:
      return [base];
  }
}

/**
 * Decides which platforms satisfy a wanted one and how good each is. `strict` accepts only
 * the wanted platform itself (after normalisation), as `docker pull --platform` does.
 */
export interface PlatformMatcher {
  matches(candidate: Platform): boolean;
  /** 0 for the best match, higher for fallbacks; Infinity when it does not match. */
  rank(candidate: Platform): number;
}

export function platformMatcher(wanted: Platform, options: { strict?: boolean } = {}): PlatformMatcher {
  const normalizedWanted = normalizePlatform(wanted);
  const order = options.strict ? [normalizedWanted] : compatiblePlatforms(normalizedWanted);
  const rank = (candidate: Platform): number => {
    const c = normalizePlatform(candidate);
    if (!featuresSatisfied(normalizedWanted, c)) return Infinity;
    const index = order.findIndex((p) => samePlatform(p, c));
    return index < 0 ? Infinity : index;
  };
  return { rank, matches: (candidate) => rank(candidate) !== Infinity };
}

/** The item whose platform best matches `wanted`; undefined when none can run there. */
export function pickBestPlatform<T>(items: readonly T[], platformOf: (item: T) => Platform | undefined, wanted: Platform, options: { strict?: boolean } = {}): T | undefined {
  const matcher = platformMatcher(wanted, options);
  let best: T | undefined;
  let bestRank = Infinity;
  for (const item of items) {
    const platform = platformOf(item);
    if (!platform) continue;
    const rank = matcher.rank(platform);
    if (rank < bestRank) {
      best = item;
      bestRank = rank;
    }
  }
  return best;
}
