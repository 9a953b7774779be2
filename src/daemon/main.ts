import { createLogger, errorMessage } from '../base/index.js';
import { productVersion } from '../api/types/index.js';
import { parseDaemonArgs, DAEMON_USAGE } from './args.js';
import { readConfigFile, configFromFile, mergeConfig, DEFAULT_CONFIG_FILE } from './config.js';
import { Daemon } from './daemon.js';

/**
 * `stratad [OPTIONS]` (and `strata daemon`): starts the daemon and runs until SIGTERM or
 * SIGINT, then shuts down cleanly. Returns the exit code.
 */
export async function daemonMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseDaemonArgs(argv);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n\n${DAEMON_USAGE}`);
    return 125;
  }
  if (args.help) {
    process.stdout.write(DAEMON_USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`strata version ${productVersion()}\n`);
    return 0;
  }
  let config;
  try {
    const file = await readConfigFile(args.configFile ?? DEFAULT_CONFIG_FILE, args.configFile !== undefined);
    config = mergeConfig(configFromFile(file), args.flags);
  } catch (err) {
    process.stderr.write(`unable to configure the daemon: ${errorMessage(err)}\n`);
    return 1;
  }
  if (config.debug) config.logLevel = 'debug';
  const logger = createLogger({}, config.logLevel);
  const daemon = new Daemon(config, logger);

  // A stray error from one connection must not take the daemon (and every client) down.
  process.on('uncaughtException', (err) => logger.error('uncaught exception', { error: errorMessage(err), stack: err.stack }));
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: errorMessage(reason) }));

  let signalled = 0;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  const onSignal = (signal: NodeJS.Signals) => {
    signalled++;
    if (signalled > 1) {
      logger.warn('second signal: exiting without a clean shutdown', { signal });
      process.exit(130);
    }
    logger.info('processing signal', { signal });
    stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => logger.info('SIGHUP received; configuration reload is not supported'));

  try {
    await daemon.start();
  } catch (err) {
    logger.error('failed to start daemon', { error: errorMessage(err) });
    process.stderr.write(`failed to start daemon: ${errorMessage(err)}\n`);
    return 1;
  }
  await stopped;
  await daemon.stop();
  return 0;
}
