import { constants } from 'node:os';
import { InvalidArgumentError } from '../base/index.js';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

const byName = constants.signals as Readonly<Record<string, number>>;
const byNumber = new Map<number, string>();
for (const [name, number] of Object.entries(byName)) {
  // SIGIOT/SIGABRT and SIGPOLL/SIGIO share numbers: the first listed is the usual name.
  if (!byNumber.has(number)) byNumber.set(number, name);
}

export interface Signal {
  name: string;
  number: number;
}

/**
 * A signal as Docker accepts it (`SIGTERM`, `TERM`, `term`, `15`, `SIGRTMIN+3`), as its
 * canonical name and number. Unknown signals are an InvalidArgumentError.
 */
export function normalizeSignal(signal: string | number): Signal {
  if (typeof signal === 'number' || /^\d+$/.test(signal)) {
    const number = Number(signal);
    if (number >= 1 && number <= SIGRTMAX) {
      const name = byNumber.get(number) ?? (number >= SIGRTMIN ? `SIGRTMIN+${number - SIGRTMIN}` : undefined);
      if (name) return { name, number };
    }
    throw new InvalidArgumentError(`invalid signal: ${signal}`);
  }
  const upper = signal.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const known = byName[name];
  if (known !== undefined) return { name, number: known };
  const rt = /^SIGRTMIN\+(\d+)$/.exec(name) ?? (name === 'SIGRTMIN' ? ['', '0'] : null);
  if (rt && SIGRTMIN + Number(rt[1]) <= SIGRTMAX) return { name: `SIGRTMIN+${Number(rt[1])}`, number: SIGRTMIN + Number(rt[1]) };
  const rtMax = /^SIGRTMAX-(\d+)$/.exec(name) ?? (name === 'SIGRTMAX' ? ['', '0'] : null);
  if (rtMax && SIGRTMAX - Number(rtMax[1]) >= SIGRTMIN) {
    const number = SIGRTMAX - Number(rtMax[1]);
    return { name: `SIGRTMIN+${number - SIGRTMIN}`, number };
  }
  throw new InvalidArgumentError(`invalid signal: ${signal}`);
}
