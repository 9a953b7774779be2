/** The composition root: configuration, wiring, start-up recovery, `main`. */
export { Daemon, PID_FILE } from './daemon.js';
export { daemonMain } from './main.js';
export * from './config.js';
export { parseDaemonArgs } from './args.js';
export { parseListenAddress, formatListenAddress, type ListenAddress } from './host-address.js';
