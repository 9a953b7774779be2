import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../base/index.js';
import type { RlimitSpec } from './runtime-spec.js';

/** The row titles of /proc/<pid>/limits, by the rlimit they show. */
const LIMIT_ROWS: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

export const RLIMIT_TYPES: readonly string[] = Object.values(LIMIT_ROWS);

/** Hard limits by rlimit type; `Infinity` for unlimited. */
export type HardLimits = ReadonlyMap<string, number>;

/** Parses the text of /proc/<pid>/limits into hard limits. */
export function parseProcLimits(text: string): HardLimits {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const title = Object.keys(LIMIT_ROWS).find((t) => line.startsWith(t + ' '));
    if (!title) continue;
    const fields = line.slice(title.length).trim().split(/\s+/);
    const hard = fields[1];
    if (hard === undefined) continue;
    out.set(LIMIT_ROWS[title]!, hard === 'unlimited' ? Infinity : Number(hard));
  }
  return out;
}

/**
 * The hard limits of this process. runc inherits them through conmon, and without
 * CAP_SYS_RESOURCE (which strata may lack) setrlimit cannot raise a hard limit, so these are
 * the ceilings a container's rlimits must stay under.
 */
export async function currentHardLimits(path = '/proc/self/limits'): Promise<HardLimits> {
  return parseProcLimits(await readFile(path, 'utf8'));
}

/**
 * The largest number the spec can carry exactly: JSON numbers lose precision past 2^53, and a
 * rounded RLIM_INFINITY (2^64-1) would overflow Go's uint64 when runc decodes it.
 */
const LARGEST_EXACT = Number.MAX_SAFE_INTEGER;

/**
 * Lowers every rlimit to the current hard limit (soft never above hard) instead of letting
 * runc fail the start with EPERM; unknown types are an InvalidArgumentError.
 */
export function capRlimits(rlimits: readonly RlimitSpec[], hard: HardLimits): RlimitSpec[] {
  return rlimits.map((r) => {
    if (!RLIMIT_TYPES.includes(r.type)) throw new InvalidArgumentError(`unknown rlimit type ${JSON.stringify(r.type)}`);
    if (!(r.soft >= 0) || !(r.hard >= 0)) throw new InvalidArgumentError(`rlimit ${r.type}: limits must not be negative`);
    const ceiling = Math.min(hard.get(r.type) ?? Infinity, LARGEST_EXACT);
    const newHard = Math.min(r.hard, ceiling);
    const newSoft = Math.min(r.soft, newHard);
    return { type: r.type, soft: newSoft, hard: newHard };
  });
}

/** Docker's `--ulimit nofile=1024:2048` names without the RLIMIT_ prefix, in lower case. */
export function rlimitType(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('RLIMIT_') ? upper : `RLIMIT_${upper}`;
}
