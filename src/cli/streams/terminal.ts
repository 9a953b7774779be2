/**
 * The local terminal: whether a stream is a TTY, its size, raw mode (restored on every way
 * out), following size changes (SIGWINCH, which Node reports as the output's 'resize'), and
 * forwarding signals to a container (`--sig-proxy`).
 */
import { spawnSync } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

interface TtyIn { isTTY?: boolean; setRawMode?(mode: boolean): unknown; isRaw?: boolean }
interface TtyOut { isTTY?: boolean; rows?: number; columns?: number; on?(event: 'resize', fn: () => void): unknown; off?(event: 'resize', fn: () => void): unknown }

export function isTerminal(stream: Readable | Writable): boolean {
  return (stream as unknown as TtyIn).isTTY === true;
}

/** Rows and columns of a terminal output; 0, 0 when it is not one (Out().GetTtySize). */
export function terminalSize(out: Writable): { height: number; width: number } {
  const tty = out as unknown as TtyOut;
  if (!tty.isTTY) return { height: 0, width: 0 };
  return { height: tty.rows ?? 0, width: tty.columns ?? 0 };
}

const rawInputs = new Map<TtyIn, () => void>();
let exitHookInstalled = false;

/**
 * Puts a terminal input into raw mode; the returned function restores it (idempotent). The
 * terminal is also restored if the process exits without calling it.
 */
export function setRawTerminal(input: Readable): () => void {
  const tty = input as unknown as TtyIn & { fd?: number };
  if (!tty.isTTY || typeof tty.setRawMode !== 'function') return () => {};
  const wasRaw = tty.isRaw === true;
  // The terminal's whole state, to put back exactly (term.RestoreTerminal).
  const fd = typeof tty.fd === 'number' ? tty.fd : undefined;
  const saved = fd === undefined ? undefined : stty(fd, ['-g']);
  tty.setRawMode(true);
  // Node's raw mode keeps output processing (a "\n" from the container would reach the screen
  // as "\r\r\n"); docker's MakeRaw turns it off, so the container's bytes arrive unchanged.
  if (fd !== undefined) stty(fd, ['-opost']);
  const restore = () => {
    try {
      tty.setRawMode?.(wasRaw);
    } catch { /* the terminal is gone */ }
    if (fd !== undefined && saved) stty(fd, [saved.trim()]);
  };
  rawInputs.set(tty, restore);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => { for (const r of rawInputs.values()) r(); });
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    rawInputs.delete(tty);
    restore();
  };
}

/** Runs stty(1) on a terminal fd; its output, or undefined when that fails. */
function stty(fd: number, args: string[]): string | undefined {
  try {
    const r = spawnSync('stty', args, { stdio: [fd, 'pipe', 'ignore'], encoding: 'utf8', timeout: 5000 });
    return r.status === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

/**
 * MonitorTtySize: sizes the container's (or exec's) terminal to ours now (retrying briefly,
 * as the process may not have its terminal yet) and after every change. Returns the stop.
 */
export function monitorTtySize(out: Writable, resize: (height: number, width: number) => Promise<void>, onGiveUp: () => void): () => void {
  let stopped = false;
  const apply = async () => {
    const { height, width } = terminalSize(out);
    if (height === 0 && width === 0) return;
    await resize(height, width);
  };
  void apply().catch(async () => {
    for (let retry = 0; retry < 10 && !stopped; retry++) {
      await new Promise((r) => setTimeout(r, (retry + 1) * 10));
      try {
        await apply();
        return;
      } catch { /* try again */ }
    }
    if (!stopped) onGiveUp();
  });
  const tty = out as unknown as TtyOut;
  const onResize = () => { void apply().catch(() => {}); };
  tty.on?.('resize', onResize);
  return () => {
    stopped = true;
    tty.off?.('resize', onResize);
  };
}

/** The signals Node lets a process catch and that docker's ForwardAllSignals passes on. */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ'];

/**
 * `--sig-proxy`: signals this process receives go to the container (POST kill with the
 * signal's name without "SIG", as docker sends it). Returns the stop.
 */
export function forwardSignals(kill: (signal: string) => Promise<void>): () => void {
  const handlers = FORWARDED.map((signal) => {
    const handler = () => { void kill(signal.slice(3)).catch(() => {}); };
    try {
      process.on(signal, handler);
    } catch {
      return undefined;
    }
    return [signal, handler] as const;
  }).filter((h) => h !== undefined);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
