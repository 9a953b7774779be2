import { InvalidArgumentError } from '../../base/index.js';
import { BuildFlags } from './build-flags.js';
import { goQuote } from './go-quote.js';
import { parseGoDuration } from './go-duration.js';
import { parseGoInt } from './go-numbers.js';
import type { HealthConfig } from './instructions.js';

const ONE_MILLISECOND = 1e6;

/** A duration flag: '' means 0 (inherit), and anything below 1ms but above zero is refused. */
function optionalInterval(flags: BuildFlags, name: string): number {
  const value = flags.string(name);
  if (value === '') return 0;
  const ns = parseGoDuration(value);
  if (ns === 0) return 0;
  if (ns < ONE_MILLISECOND) throw new InvalidArgumentError(`Interval ${goQuote(name)} cannot be less than 1ms`);
  return ns;
}

/**
 * HEALTHCHECK's arguments: `NONE` (flags are ignored, as in BuildKit), or `CMD` with a
 * command in exec or shell form and the `--interval`, `--timeout`, `--start-period`,
 * `--start-interval` and `--retries` flags.
 */
export function parseHealthConfig(args: readonly string[], json: boolean, flagArgs: readonly string[]): HealthConfig {
  if (args.length === 0) throw new InvalidArgumentError('HEALTHCHECK requires at least one argument');
  const type = args[0]!.toUpperCase();
  const command = args.slice(1);
  if (type === 'NONE') {
    if (command.length !== 0) throw new InvalidArgumentError('HEALTHCHECK NONE takes no arguments');
    return { test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  }

  const flags = new BuildFlags(flagArgs)
    .addString('interval')
    .addString('timeout')
    .addString('start-period')
    .addString('start-interval')
    .addString('retries')
    .parse();

  if (type !== 'CMD') throw new InvalidArgumentError(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const argv = json ? command : command.length === 0 ? [] : [command.join(' ')];
  if (argv.length === 0) throw new InvalidArgumentError('Missing command after HEALTHCHECK CMD');
  const test = [json ? 'CMD' : 'CMD-SHELL', ...argv];

  const interval = optionalInterval(flags, 'interval');
  const timeout = optionalInterval(flags, 'timeout');
  const startPeriod = optionalInterval(flags, 'start-period');
  const startInterval = optionalInterval(flags, 'start-interval');
  let retries = 0;
  const retriesText = flags.string('retries');
  if (retriesText !== '') {
    retries = parseGoInt(retriesText, 32);
    if (retries < 0) throw new InvalidArgumentError(`--retries cannot be negative (${retries})`);
  }
  return { test, interval, timeout, startPeriod, startInterval, retries };
}
