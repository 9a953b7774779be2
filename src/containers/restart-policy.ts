import { errorMessage, type Logger } from '../base/index.js';
import type { ContainerRecord } from './container-record.js';

/**
 * Docker's restart policies: `always` and `unless-stopped` restart after every exit that was
 * not an explicit stop; `on-failure[:N]` after a non-zero exit, at most N times. Restarts
 * back off as Docker's do: 100 ms, doubling, reset after a run of ten seconds or more.
 */
export class RestartManager {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly delays = new Map<string, number>();

  constructor(private readonly restart: (id: string) => Promise<void>, private readonly log: Logger) {}

  shouldRestart(record: ContainerRecord): boolean {
    if (record.manuallyStopped) return false;
    const policy = record.hostConfig.RestartPolicy;
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return record.state.ExitCode !== 0 && (policy.MaximumRetryCount === 0 || record.restartCount < policy.MaximumRetryCount);
      default:
        return false;
    }
  }

  schedule(id: string, ranForMs = 0): void {
    this.cancel(id);
    const previous = this.delays.get(id);
    const delay = previous === undefined || ranForMs >= 10_000 ? 100 : Math.min(previous * 2, 60_000);
    this.delays.set(id, delay);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.restart(id).catch((err) => this.log.warn('restart failed', { id, error: errorMessage(err) }));
    }, delay);
    timer.unref();
    this.timers.set(id, timer);
  }

  cancel(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  cancelAll(): void {
    for (const id of [...this.timers.keys()]) this.cancel(id);
  }
}
