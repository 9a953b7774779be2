import { parseArgs } from 'node:util';
import { InvalidArgumentError, type LogLevel } from '../base/index.js';
import type { DaemonConfig, StorageDriver } from './config.js';

export interface DaemonArgs {
  /** Settings given as flags (only those given). */
  flags: Partial<DaemonConfig>;
  configFile?: string;
  help: boolean;
  version: boolean;
}

export const DAEMON_USAGE = `Usage:	stratad [OPTIONS]

A self-sufficient runtime for containers.

Options:
      --config string           Daemon configuration file (default "/etc/strata/daemon.json")
  -D, --debug                   Enable debug mode
      --exec-root string        Root directory for execution state files (default "/run/strata")
  -G, --group string            Group for the unix socket (default "strata")
  -H, --host list               Daemon socket(s) to connect to (default unix:///run/strata/strata.sock)
      --insecure-tcp            Allow tcp:// hosts, which have no TLS and give root to whoever connects
      --label list              Set key=value labels to the daemon
  -l, --log-level string        Set the logging level ("debug"|"info"|"warn"|"error") (default "info")
      --root string             Root directory of persistent state (default "/var/lib/strata")
      --data-root string        Same as --root
      --shutdown-timeout int    Seconds to let requests in flight finish at shutdown (default 5)
  -s, --storage-driver string   Storage driver to use ("overlay"|"native")
  -v, --version                 Print version information and quit
`;

const LEVELS = ['debug', 'info', 'warn', 'error'];

/** Parses stratad's flags (also `strata daemon`'s). */
export function parseDaemonArgs(argv: string[]): DaemonArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        debug: { type: 'boolean', short: 'D' },
        'exec-root': { type: 'string' },
        group: { type: 'string', short: 'G' },
        host: { type: 'string', short: 'H', multiple: true },
        'insecure-tcp': { type: 'boolean' },
        label: { type: 'string', multiple: true },
        'log-level': { type: 'string', short: 'l' },
        root: { type: 'string' },
        'data-root': { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        'storage-driver': { type: 'string', short: 's' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  const v = parsed.values;
  const flags: Partial<DaemonConfig> = {};
  const root = v.root ?? v['data-root'];
  if (root !== undefined) flags.root = root;
  if (v['exec-root'] !== undefined) flags.execRoot = v['exec-root'];
  if (v.host !== undefined) flags.hosts = v.host;
  if (v.group !== undefined) flags.group = v.group;
  if (v['insecure-tcp'] !== undefined) flags.insecureTcp = v['insecure-tcp'];
  if (v.label !== undefined) flags.labels = v.label;
  if (v.debug !== undefined) flags.debug = v.debug;
  if (v['log-level'] !== undefined) {
    if (!LEVELS.includes(v['log-level'])) throw new InvalidArgumentError(`unable to parse logging level: ${v['log-level']}`);
    flags.logLevel = v['log-level'] as LogLevel;
  }
  if (v['storage-driver'] !== undefined) {
    if (v['storage-driver'] !== 'overlay' && v['storage-driver'] !== 'native') {
      throw new InvalidArgumentError(`unknown storage driver "${v['storage-driver']}": use overlay or native`);
    }
    flags.storageDriver = v['storage-driver'] as StorageDriver;
  }
  if (v['shutdown-timeout'] !== undefined) {
    const n = Number(v['shutdown-timeout']);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`invalid --shutdown-timeout "${v['shutdown-timeout']}"`);
    flags.shutdownTimeout = n;
  }
  return { flags, configFile: v.config, help: v.help ?? false, version: v.version ?? false };
}
