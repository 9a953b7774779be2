/**
 * The scaffolding of snapshotter tests: a temp root per test that is unmounted and deleted
 * afterwards whatever happened, and helpers that mount a snapshot with host/mountAt, run a
 * body and always unmount.
 */
import { describe, test, type TestContext } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MNT_DETACH, mountAt, unmount, unmountIfMounted, type Mount } from '../../host/index.js';
import { makeTempRoot } from '../../../test/support/temp-root.js';
import type { PrepareOptions, Snapshotter } from '../snapshotter.js';

export type MakeSnapshotter = (root: string) => Snapshotter | Promise<Snapshotter>;

export interface SuiteOptions {
  /** Returns true when the test must stop (skipped): needsRoot or needsOverlay. */
  needs: (t: TestContext) => Promise<boolean>;
}

export interface SnapshotterTestContext {
  t: TestContext;
  sn: Snapshotter;
  /** The snapshotter's root. */
  root: string;
  /** A new instance on the same root, as after a daemon restart. */
  reopen(): Promise<Snapshotter>;
  /** Mounts `mounts` at a fresh directory for the length of `body`. */
  withMounts<T>(mounts: Mount[], body: (dir: string) => Promise<T>): Promise<T>;
  /** The same with the current mounts of snapshot `key`. */
  withMounted<T>(key: string, body: (dir: string) => Promise<T>): Promise<T>;
  /** prepare on `parent`, let `write` change the mounted tree, commit as `name`. */
  commitLayer(name: string, parent: string | undefined, write: (dir: string) => Promise<void>, options?: PrepareOptions): Promise<void>;
  /** A throw-away view on `parent`, mounted for the length of `body`, removed afterwards. */
  inView<T>(parent: string | undefined, body: (dir: string) => Promise<T>): Promise<T>;
}

export type SnapshotterTest = (title: string, body: (ctx: SnapshotterTestContext) => Promise<void>) => void;

/** Registers the tests `define` declares in a describe block named after the driver. */
export function snapshotterTests(name: string, make: MakeSnapshotter, options: SuiteOptions, define: (it: SnapshotterTest) => void): void {
  describe(`${name} snapshotter`, () => {
    define((title, body) => {
      test(title, async (t) => {
        if (await options.needs(t)) return;
        const temp = await makeTempRoot(`strata-snap-${name}-`);
        t.after(() => temp.cleanup());
        const root = join(temp.dir, 'root');
        await body(makeContext(t, await make(root), root, temp.dir, make));
      });
    });
  });
}

function makeContext(t: TestContext, sn: Snapshotter, root: string, tmp: string, make: MakeSnapshotter): SnapshotterTestContext {
  let mountCount = 0;
  let viewCount = 0;
  const ctx: SnapshotterTestContext = {
    t,
    sn,
    root,
    reopen: async () => make(root),
    withMounts: async (mounts, body) => {
      const target = join(tmp, 'mnt', String(mountCount++));
      await mkdir(target, { recursive: true });
      return withMountsAt(mounts, target, body);
    },
    withMounted: async (key, body) => ctx.withMounts(await sn.mounts(key), body),
    commitLayer: async (name, parent, write, options) => {
      const key = `${name}-active`;
      await ctx.withMounts(await sn.prepare(key, parent), write);
      await sn.commit(name, key, options);
    },
    inView: async (parent, body) => {
      const key = `view-${viewCount++}`;
      try {
        return await ctx.withMounts(await sn.view(key, parent), body);
      } finally {
        await sn.remove(key);
      }
    },
  };
  return ctx;
}

export async function withMountsAt<T>(mounts: Mount[], target: string, body: (dir: string) => Promise<T>): Promise<T> {
  let applied = 0;
  try {
    for (const m of mounts) {
      mountAt(m, target);
      applied++;
    }
    return await body(target);
  } finally {
    for (; applied > 0; applied--) release(target);
  }
}

/** A plain unmount; detached instead when a failed test left something open in it. */
function release(target: string): void {
  try {
    unmount(target);
  } catch {
    unmountIfMounted(target, MNT_DETACH);
  }
}
