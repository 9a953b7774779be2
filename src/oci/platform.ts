import { z } from 'zod';
import { InvalidArgumentError } from '../base/index.js';
import { goObject } from './schema-parse.js';

/**
 * The platform an image runs on (OCI image-spec `Platform`). The dotted keys are the wire
 * names, so a parsed platform serialises back unchanged.
 */
export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export const platformSchema: z.ZodType<Platform> = goObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
});

/** Operating systems Go knows (go/build syslist.go), as containerd's platforms package does. */
const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux',
  'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);

const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64',
  'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64',
  's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

export function isKnownOs(os: string): boolean {
  return KNOWN_OS.has(os);
}

export function isKnownArchitecture(arch: string): boolean {
  return KNOWN_ARCH.has(arch);
}

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/**
 * The canonical architecture/variant pair, as containerd's platforms package computes it:
 * `x86_64` → `amd64`, `aarch64` → `arm64`, arm64's `v8` is the default and dropped, bare
 * `arm` means `arm/v7`.
 */
export function normalizeArchitecture(architecture: string, variant = ''): { architecture: string; variant: string } {
  let arch = architecture.toLowerCase();
  let v = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      break;
    case 'armhf':
      arch = 'arm';
      v = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return { architecture: arch, variant: v };
}

/** A platform in canonical form: lower case, aliases resolved, default variants dropped, features sorted. */
export function normalizePlatform(platform: Platform): Platform {
  const { architecture, variant } = normalizeArchitecture(platform.architecture, platform.variant ?? '');
  const out: Platform = { os: normalizeOs(platform.os), architecture };
  if (variant !== '') out.variant = variant;
  if (platform['os.version']) out['os.version'] = platform['os.version'];
  const features = platform['os.features'];
  if (features && features.length > 0) out['os.features'] = [...new Set(features)].sort();
  return out;
}

const COMPONENT_RE = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses a platform specifier the way `docker --platform` does: `os[/arch[/variant]]`, or a
 * lone OS or architecture, filled in from `defaults` (the host). `linux/arm64/v8` keeps its
 * variant as written; compare platforms through `normalizePlatform` or a matcher.
 */
export function parsePlatform(specifier: string, defaults: Platform): Platform {
  if (specifier.includes('*')) {
    throw new InvalidArgumentError(`invalid platform "${specifier}": wildcards are not supported`);
  }
  const parts = specifier.split('/');
  if (parts.length > 3) {
    throw new InvalidArgumentError(`invalid platform "${specifier}": expected os[/arch[/variant]]`);
  }
  for (const part of parts) {
    if (!COMPONENT_RE.test(part)) {
      throw new InvalidArgumentError(`invalid platform "${specifier}": "${part}" is not a valid component`);
    }
  }
  const os = normalizeOs(parts[0]!);
  if (parts.length === 1) {
    if (isKnownOs(os)) {
      const out: Platform = { os, architecture: defaults.architecture };
      if (defaults.variant) out.variant = defaults.variant;
      return out;
    }
    const arch = normalizeArchitecture(parts[0]!);
    if (isKnownArchitecture(arch.architecture)) {
      // A bare "arm" means the common v7; say nothing rather than the default.
      const variant = arch.architecture === 'arm' && arch.variant === 'v7' ? '' : arch.variant;
      return variant ? { os: defaults.os, architecture: arch.architecture, variant } : { os: defaults.os, architecture: arch.architecture };
    }
    throw new InvalidArgumentError(`invalid platform "${specifier}": unknown operating system or architecture`);
  }
  if (parts.length === 2) {
    const arch = normalizeArchitecture(parts[1]!);
    const variant = arch.architecture === 'arm' && arch.variant === 'v7' ? '' : arch.variant;
    return variant ? { os, architecture: arch.architecture, variant } : { os, architecture: arch.architecture };
  }
  const arch = normalizeArchitecture(parts[1]!, parts[2]!);
  // Written out explicitly, arm64's variant is kept so the platform prints back as given.
  const variant = arch.architecture === 'arm64' && arch.variant === '' ? 'v8' : arch.variant;
  return variant ? { os, architecture: arch.architecture, variant } : { os, architecture: arch.architecture };
}

/** `os/arch[/variant]`, the form Docker prints and `--platform` accepts. */
export function formatPlatform(platform: Platform): string {
  if (!platform.os) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter((part) => part).join('/');
}
