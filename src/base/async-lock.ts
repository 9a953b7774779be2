/**
 * Serialises async work per key within this process. The daemon is the only writer of the
 * store, so an in-process lock is enough to keep two requests from racing on one record.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** A single mutex: a KeyedLock with one key. */
export class Mutex {
  private readonly lock = new KeyedLock();
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.run('', work);
  }
}
