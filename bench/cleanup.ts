/**
 * Everything the bench starts (daemons, containers, mounts, temp dirs) registers how to undo
 * it here, right after it exists. `runAll` undoes in reverse order, once, and keeps going past
 * failures, so a crash half-way or a Ctrl-C still leaves the machine as it was.
 */
export class Cleanup {
  private readonly actions: { label: string; undo: () => Promise<void> }[] = [];
  private running?: Promise<void>;
  /** Set by a signal: the run stops at the next step instead of working against stopping daemons. */
  aborted = false;

  add(label: string, undo: () => Promise<void>): void {
    this.actions.push({ label, undo });
  }

  runAll(log: (line: string) => void = () => {}): Promise<void> {
    this.running ??= (async () => {
      while (this.actions.length > 0) {
        const { label, undo } = this.actions.pop()!;
        try {
          await undo();
        } catch (err) {
          log(`cleanup: ${label}: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /**
   * On SIGINT/SIGTERM: clean up, then exit with 128+signal. The daemons run in their own process
   * groups, so a terminal's Ctrl-C reaches only this process and the order of teardown is ours.
   * Returns a function that removes the handlers.
   */
  onSignals(log: (line: string) => void): () => void {
    const handler = (signal: NodeJS.Signals): void => {
      if (this.aborted) return; // a second Ctrl-C while cleaning up: the first one's cleanup is already running
      this.aborted = true;
      log(`bench: ${signal}: stopping everything it started`);
      void this.runAll(log).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }
}
