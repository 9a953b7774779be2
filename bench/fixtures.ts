import { mkdir, writeFile, copyFile, open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun } from './process.js';

const projectTop = fileURLToPath(new URL('../../', import.meta.url));

/** Options of GNU tar that make an archive's owners the same whoever runs the bench. */
const TAR_OWNER = ['--owner=0', '--group=0', '--numeric-owner'];

/**
 * The files every engine is given, made once per run under `dir` and only when a metric needs
 * them: the busybox rootfs tarball (scripts/make-busybox-rootfs, the same one the tests use),
 * variants of it with extra files appended, and build contexts. Every image is made with
 * `docker import`, which every engine supports, so all engines store the same bytes.
 */
export class Fixtures {
  private readonly made = new Map<string, Promise<string>>();

  constructor(readonly dir: string) {}

  private once(key: string, make: () => Promise<string>): Promise<string> {
    let p = this.made.get(key);
    if (!p) {
      p = make();
      this.made.set(key, p);
    }
    return p;
  }

  busyboxTar(): Promise<string> {
    return this.once('busybox', async () => {
      await mkdir(this.dir, { recursive: true });
      const out = join(this.dir, 'busybox.tar');
      await mustRun([join(projectTop, 'scripts', 'make-busybox-rootfs'), out], { timeoutMs: 120_000 });
      return out;
    });
  }

  /** busybox plus what `fill(extraDir)` writes, appended under the top-level names `names`. */
  private async busyboxPlus(key: string, names: string[], fill: (extraDir: string) => Promise<void>): Promise<string> {
    return this.once(key, async () => {
      const base = await this.busyboxTar();
      const extra = join(this.dir, `${key}-extra`);
      await mkdir(extra, { recursive: true });
      await fill(extra);
      const out = join(this.dir, `${key}.tar`);
      await copyFile(base, out);
      await mustRun(['tar', '--append', '-f', out, ...TAR_OWNER, '-C', extra, ...names], { timeoutMs: 300_000 });
      return out;
    });
  }

  /** The seed image's tree for engines that cannot build it: busybox + /base_file.txt. */
  seedTar(): Promise<string> {
    return this.busyboxPlus('seed', ['base_file.txt'], (d) => writeFile(join(d, 'base_file.txt'), 'base\n'));
  }

  /** busybox + /data/file-<mib>m of random (incompressible) bytes. */
  bigFileTar(mib: number): Promise<string> {
    return this.busyboxPlus(`file-${mib}m`, ['data'], async (d) => {
      await mkdir(join(d, 'data'));
      await writeRandomFile(join(d, 'data', `file-${mib}m`), mib * 2 ** 20);
    });
  }

  /** busybox + /many/dNNN/fNNNN: `count` small files in directories of 500. */
  manyFilesTar(count: number): Promise<string> {
    return this.busyboxPlus(`many-${count}`, ['many'], (d) => writeManyFiles(join(d, 'many'), count));
  }

  /** The seed Dockerfile: FROM busybox + RUN echo base > /base_file.txt. */
  seedContext(): Promise<string> {
    return this.once('seed-context', async () => {
      const ctx = join(this.dir, 'seed-context');
      await mkdir(ctx, { recursive: true });
      await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo base > /base_file.txt\n');
      return ctx;
    });
  }

  /** A context with `count` small files and a Dockerfile that copies them. */
  manyFilesContext(count: number): Promise<string> {
    return this.once(`context-${count}`, async () => {
      const ctx = join(this.dir, `context-${count}`);
      await writeManyFiles(join(ctx, 'files'), count);
      await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY files /files\n');
      return ctx;
    });
  }

  /** A directory for a Dockerfile the caller rewrites (the 10-step build). */
  async scratchContext(name: string): Promise<string> {
    const ctx = join(this.dir, name);
    await mkdir(ctx, { recursive: true });
    return ctx;
  }
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    const chunk = 1 << 20;
    for (let written = 0; written < bytes; written += chunk) await file.write(randomBytes(Math.min(chunk, bytes - written)));
  } finally {
    await file.close();
  }
}

async function writeManyFiles(dir: string, count: number): Promise<void> {
  const perDir = 500;
  for (let d = 0; d * perDir < count; d++) {
    const sub = join(dir, `d${String(d).padStart(3, '0')}`);
    await mkdir(sub, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let f = d * perDir; f < Math.min(count, (d + 1) * perDir); f++) {
      writes.push(writeFile(join(sub, `f${String(f).padStart(5, '0')}`), `file ${f}\n`));
    }
    await Promise.all(writes);
  }
}
