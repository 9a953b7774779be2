import type { Engine } from './engines/engine.js';
import type { Fixtures } from './fixtures.js';
import { CommandError } from './process.js';

export type FixtureImage = 'busybox' | 'file-10m' | 'file-100m' | 'many-50k';

export const IMAGE_NAMES: Record<FixtureImage, string> = {
  'busybox': 'busybox:latest',
  'file-10m': 'bench-file-10m:latest',
  'file-100m': 'bench-file-100m:latest',
  'many-50k': 'bench-many-50k:latest',
};

/**
 * Per engine: imports each fixture image once, on first use, and finds out once whether the
 * engine can build (by trying the seed build), so scenarios neither repeat nor guess.
 */
export class EngineSetup {
  private readonly images = new Map<FixtureImage, Promise<string>>();
  private buildProbe?: Promise<string | undefined>;

  constructor(private readonly engine: Engine, private readonly fixtures: Fixtures) {}

  image(which: FixtureImage): Promise<string> {
    let p = this.images.get(which);
    if (!p) {
      p = (async () => {
        const tar = await this.tarFor(which);
        await this.engine.client.run(['import', tar, IMAGE_NAMES[which]], { timeoutMs: 600_000 });
        return IMAGE_NAMES[which];
      })();
      this.images.set(which, p);
    }
    return p;
  }

  private tarFor(which: FixtureImage): Promise<string> {
    switch (which) {
      case 'busybox': return this.fixtures.busyboxTar();
      case 'file-10m': return this.fixtures.bigFileTar(10);
      case 'file-100m': return this.fixtures.bigFileTar(100);
      case 'many-50k': return this.fixtures.manyFilesTar(50_000);
    }
  }

  /** undefined when `docker build` works on this engine, else the error it gave. */
  cannotBuild(): Promise<string | undefined> {
    this.buildProbe ??= (async () => {
      await this.image('busybox');
      const ctx = await this.fixtures.seedContext();
      try {
        await this.engine.client.run(['build', '-q', '-t', 'bench-build-probe:latest', ctx], { timeoutMs: 300_000 });
        await this.engine.client.tryRun(['rmi', 'bench-build-probe:latest']);
        return undefined;
      } catch (err) {
        return err instanceof CommandError ? `docker build fails: ${lastLine(err.result.stderr || err.message)}` : (err as Error).message;
      }
    })();
    return this.buildProbe;
  }
}

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0] ?? text.trim();
}
