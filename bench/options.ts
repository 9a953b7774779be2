import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  reps: number;
  /** Container counts of the scale scenarios. */
  scaleCounts: number[];
  /** Metric ids or prefixes (`latency`, `scale.50`, `storage.idle`); empty means all. */
  only: string[];
  installDocker: boolean;
  withDocker: boolean;
  withPodman: boolean;
  /** Where the JSON and SVG go. */
  resultsDir?: string;
  /** Keep the temp directory (logs, store) for a post-mortem; daemons and mounts are still removed. */
  keepTemp: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [OPTIONS]

Starts strata and (when Debian's docker.io is installed) a private dockerd, imports the same
busybox image into both, drives both with the docker CLI, interleaved, and reports median,
min and max per metric and the strata/Docker ratio of medians.

Options:
  --quick              a small subset (3 repetitions, 10 containers, no 50,000-file image)
  --reps N             repetitions of each repeated metric (default 10, 3 with --quick)
  --only a,b,...       only metrics whose id is or starts with one of these (e.g. latency,scale.50)
  --install-docker     apt-get install docker.io when dockerd is missing
  --no-docker          strata alone, even when Docker is installed
  --with-podman        add podman (runc) as a third engine when it is installed
  --results-dir DIR    where to write <timestamp>.json and .svg (default bench/results)
  --keep-temp          keep the temp directory (daemon logs, stores) after the run
  -h, --help           this text
`;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      reps: { type: 'string' },
      only: { type: 'string', multiple: true },
      'install-docker': { type: 'boolean' },
      'no-docker': { type: 'boolean' },
      'with-podman': { type: 'boolean' },
      'results-dir': { type: 'string' },
      'keep-temp': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const quick = values.quick ?? false;
  let reps = quick ? 3 : 10;
  if (values.reps !== undefined) {
    reps = Number(values.reps);
    if (!Number.isInteger(reps) || reps < 1 || reps > 1000) throw new Error(`--reps wants a whole number from 1 to 1000, not "${values.reps}"`);
  }
  const only = (values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return {
    quick,
    reps,
    scaleCounts: quick ? [10] : [50, 200],
    only,
    installDocker: values['install-docker'] ?? false,
    withDocker: !(values['no-docker'] ?? false),
    withPodman: values['with-podman'] ?? false,
    resultsDir: values['results-dir'],
    keepTemp: values['keep-temp'] ?? false,
    help: values.help ?? false,
  };
}

/** Whether a metric id is selected by --only (exact id, or a prefix ending at a dot). */
export function isSelected(metricId: string, only: string[]): boolean {
  if (only.length === 0) return true;
  return only.some((o) => metricId === o || metricId.startsWith(o.endsWith('.') ? o : o + '.'));
}
