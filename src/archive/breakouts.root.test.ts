/**
 * Hostile archives. Each case either applies with everything landing inside the target, or is
 * refused with InvalidArgumentError; in both modes and in every case, a canary in a sibling
 * directory of the target stays exactly as it was and nothing appears beside it.
 *
 * The cases cover the ground of containerd's TestBreakouts and moby's TestUntar* /
 * TestApplyLayer* tests: climbing names, absolute names, symlinks and symlink chains leading
 * out, hard links to outside paths or through symlinks, whiteouts naming `.`/`..` or reached
 * through symlinks, and entries replacing symlinks.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, lstat, readFile, readlink, symlink, writeFile, access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../base/index.js';
import { makeTempRoot, plantCanary } from '../../test/support/temp-root.js';
import { needsRoot } from '../../test/support/privileged.js';
import { applyLayer, extractArchive } from './apply-layer.js';
import { closeFd, openDirPath } from '../host/index.js';
import { regularFiles } from './testsuite/tree.js';
import { streamOf, tarOf, type FixtureEntry } from './testsuite/tar-fixture.js';

interface Scene {
  /** The directory holding `target` and `outside`. */
  base: string;
  target: string;
  /** A sibling of the target holding the canary; nothing may change here. */
  outside: string;
  canary: string;
  /** A unique name, so writes aimed at host paths such as /tmp/<token> can be looked for. */
  token: string;
}

type Mode = 'delete' | 'overlay';

interface BreakoutCase {
  name: string;
  /** What the target holds before the archive comes. */
  before?: (s: Scene) => Promise<void>;
  layer: (s: Scene) => FixtureEntry[];
  /** `applied`: must succeed; `rejected`: must fail with InvalidArgumentError. */
  outcome: 'applied' | 'rejected';
  /** When applied: where the archive's writes must have landed, inside the target. */
  inside?: (s: Scene, mode: Mode) => Promise<void>;
  gzip?: boolean;
}

const dir = (name: string, mode = 0o755): FixtureEntry => ({ name, type: 'directory', mode });
const file = (name: string, content = 'planted'): FixtureEntry => ({ name, content });
const sym = (name: string, linkname: string): FixtureEntry => ({ name, type: 'symlink', linkname });
const hard = (name: string, linkname: string): FixtureEntry => ({ name, type: 'link', linkname });

async function contentOf(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}
async function isSymlink(path: string): Promise<boolean> {
  return (await lstat(path)).isSymbolicLink();
}
/** A whiteout (delete mode) leaves nothing; (overlay mode) leaves a 0/0 character device. */
async function whitedOut(path: string, mode: Mode): Promise<boolean> {
  if (mode === 'delete') return !(await exists(path));
  const st = await lstat(path);
  return st.isCharacterDevice() && st.rdev === 0;
}

const CASES: BreakoutCase[] = [
  // Names that climb or are absolute are cleaned as if joined to "/".
  {
    name: 'file named ../outside/x lands in target/outside/x',
    layer: () => [file('../outside/planted')],
    outcome: 'applied',
    inside: async (s) => assert.equal(await contentOf(join(s.target, 'outside/planted')), 'planted'),
  },
  {
    name: 'file named /../outside/x',
    layer: () => [file('/../outside/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
  {
    name: 'file climbing far above the root towards /tmp',
    layer: (s) => [file(`${'../'.repeat(12)}tmp/${s.token}`)],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'tmp', s.token))),
  },
  {
    name: 'file named by the absolute path of the outside directory',
    layer: (s) => [file(`${s.outside}/planted`)],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, s.outside, 'planted'))),
  },
  {
    name: 'file named ".." (the root) is refused',
    layer: () => [file('..')],
    outcome: 'rejected',
  },
  {
    name: 'directory named ../outside with mode 0777 changes only the copy inside',
    layer: () => [dir('../outside', 0o777)],
    outcome: 'applied',
    inside: async (s) => assert.equal((await lstat(join(s.target, 'outside'))).mode & 0o777, 0o777),
  },
  {
    name: 'pax path record overriding a harmless header name',
    layer: () => [{ name: 'harmless', content: 'planted', pax: { path: '../outside/planted' } }],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
  {
    name: 'long (pax) name whose ".." components climb out',
    layer: () => [file(`${'a/'.repeat(60)}${'../'.repeat(70)}outside/planted`)],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
  {
    name: 'block device named ../outside/sda',
    layer: () => [{ name: '../outside/sda', type: 'block-device', devmajor: 8, devminor: 0 }],
    outcome: 'applied',
    inside: async (s) => assert.ok((await lstat(join(s.target, 'outside/sda'))).isBlockDevice()),
  },

  // Symlinks leading out, then something written through them.
  {
    name: 'absolute symlink to the outside dir, then a file through it',
    layer: (s) => [sym('esc', s.outside), file('esc/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, s.outside, 'planted'))),
  },
  {
    name: 'relative symlink to the outside dir, then a file through it',
    layer: () => [sym('esc', '../outside'), file('esc/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
  {
    name: 'absolute symlink to the canary, then a file of the same name',
    layer: (s) => [sym('esc', s.canary), file('esc', 'pwned')],
    outcome: 'applied',
    inside: async (s) => assert.equal(await contentOf(join(s.target, 'esc')), 'pwned'),
  },
  {
    name: 'relative symlink to the canary, then a file of the same name',
    layer: () => [sym('esc', '../outside/canary.txt'), file('esc', 'pwned')],
    outcome: 'applied',
    inside: async (s) => assert.ok((await lstat(join(s.target, 'esc'))).isFile()),
  },
  {
    name: 'symlink to the canary, then a hard link of the same name',
    layer: (s) => [file('inner', 'inner'), sym('esc', s.canary), hard('esc', 'inner')],
    outcome: 'applied',
    inside: async (s) => assert.equal((await lstat(join(s.target, 'esc'))).ino, (await lstat(join(s.target, 'inner'))).ino),
  },
  {
    name: 'symlink to the canary, then a device and a directory of the same name',
    layer: (s) => [sym('esc', s.canary), { name: 'esc', type: 'fifo' }, sym('esc2', s.canary), dir('esc2', 0o777)],
    outcome: 'applied',
    inside: async (s) => {
      assert.ok((await lstat(join(s.target, 'esc'))).isFIFO());
      assert.ok((await lstat(join(s.target, 'esc2'))).isDirectory());
    },
  },
  {
    name: 'symlink to the outside dir, then a directory and a file beneath it',
    layer: (s) => [sym('esc', s.outside), dir('esc/sub'), file('esc/sub/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, s.outside, 'sub/planted'))),
  },
  {
    name: 'symlink to the outside dir, then a symlink and a device through it',
    layer: () => [sym('esc', '../outside'), sym('esc/link', '/etc/passwd'), { name: 'esc/null', type: 'character-device', devmajor: 1, devminor: 3 }],
    outcome: 'applied',
    inside: async (s) => {
      assert.equal(await readlink(join(s.target, 'outside/link')), '/etc/passwd');
      assert.ok((await lstat(join(s.target, 'outside/null'))).isCharacterDevice());
    },
  },
  {
    name: 'symlink to the outside dir replaced by a directory',
    layer: () => [sym('esc', '../outside'), dir('esc'), file('esc/planted')],
    outcome: 'applied',
    inside: async (s) => {
      assert.ok((await lstat(join(s.target, 'esc'))).isDirectory());
      assert.ok(await exists(join(s.target, 'esc/planted')));
    },
  },
  {
    name: 'symlink whose own name climbs out, then written through',
    layer: (s) => [sym('../outside/evil-link', s.outside), file('../outside/evil-link/planted')],
    outcome: 'applied',
    inside: async (s) => {
      assert.ok(await isSymlink(join(s.target, 'outside/evil-link')));
      assert.ok(await exists(join(s.target, s.outside, 'planted')));
    },
  },
  {
    name: 'symlink named ".." is refused',
    layer: (s) => [sym('..', s.outside), file('../planted')],
    outcome: 'rejected',
  },
  {
    name: 'symlink with an empty name is refused',
    layer: (s) => [sym('', s.outside)],
    outcome: 'rejected',
  },
  {
    name: 'xattr on a file written through a symlink out',
    layer: () => [sym('esc', '../outside'), { name: 'esc/x', content: 'x', pax: { 'SCHILY.xattr.user.mark': 'm' } }],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/x'))),
  },

  // Chains of symlinks.
  {
    name: 'two hops: a symlink to "..", then a symlink through it to ../outside',
    layer: () => [dir('inner'), sym('inner/up', '..'), sym('inner/up/escape', '../outside'), file('inner/up/escape/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
  {
    name: 'chain of absolute symlinks',
    layer: (s) => [dir('dummy'), sym('dummy/hop', s.outside), sym('localetc', '/dummy/hop'), file('localetc/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, s.outside, 'planted'))),
  },
  {
    name: 'relative symlink to an absolute one',
    layer: (s) => [dir('dummy'), sym('dummy/hop', s.outside), sym('localetc', './dummy/hop'), file('localetc/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, s.outside, 'planted'))),
  },
  {
    name: 'absolute symlink that descends then climbs out',
    layer: () => [dir('dummy'), sym('localetc', '/dummy/../../outside'), file('localetc/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
  {
    name: 'symlink in a subdirectory climbing out, then a deep write',
    layer: () => [dir('dir'), sym('dir/loophole', '../../outside'), file('dir/loophole/newdir/newfile')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/newdir/newfile'))),
  },
  {
    name: 'symlink loop is refused',
    layer: () => [sym('a', 'b'), sym('b', 'a'), file('a/planted')],
    outcome: 'rejected',
  },
  {
    name: 'symlink loop through a directory that does not exist yet is refused',
    layer: () => [sym('a', 'missing/../a'), file('a/planted')],
    outcome: 'rejected',
  },
  {
    name: 'dangling symlink, then a file beneath it: the directories are made where it points, inside',
    layer: () => [sym('dang', '/nonexistent/deeper'), file('dang/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'nonexistent/deeper/planted'))),
  },
  {
    name: 'dangling relative symlink climbing out, then a file beneath it',
    layer: () => [dir('d'), sym('d/dang', '../../../outside/new-dir'), file('d/dang/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/new-dir/planted'))),
  },
  {
    name: 'directory replaced by a symlink to "/", then the same paths written again',
    layer: (s) => [
      dir('foo'), dir('foo/tmp'), file(`foo/tmp/${s.token}`, 'one'),
      sym('foo', '/'), file(`foo/tmp/${s.token}`, 'two'),
      dir('foo'), dir('foo/tmp'), file(`foo/tmp/${s.token}`, 'three'),
    ],
    outcome: 'applied',
    inside: async (s) => {
      assert.equal(await contentOf(join(s.target, 'tmp', s.token)), 'two');
      assert.equal(await contentOf(join(s.target, 'foo/tmp', s.token)), 'three');
    },
  },

  // Hard links.
  {
    name: 'hard link to the absolute path of the canary is refused',
    layer: (s) => [hard('grab', s.canary)],
    outcome: 'rejected',
  },
  {
    name: 'hard link to ../outside/canary.txt is refused',
    layer: () => [hard('grab', '../outside/canary.txt')],
    outcome: 'rejected',
  },
  {
    name: 'hard link to /../outside/canary.txt is refused',
    layer: () => [hard('grab', '/../outside/canary.txt')],
    outcome: 'rejected',
  },
  {
    name: 'hard link through a relative symlink out is refused',
    layer: () => [dir('breakouts'), sym('breakouts/d1', '../../outside'), hard('breakouts/grab', 'breakouts/d1/canary.txt')],
    outcome: 'rejected',
  },
  {
    name: 'hard link through an absolute symlink out is refused',
    layer: (s) => [sym('d1', s.outside), hard('grab', '/d1/canary.txt')],
    outcome: 'rejected',
  },
  {
    name: 'hard link through a symlink resolves inside the target',
    layer: () => [dir('etc'), file('etc/passwd', 'inside'), sym('localetc', '../../etc'), hard('localpasswd', '/localetc/passwd')],
    outcome: 'applied',
    inside: async (s) => assert.equal((await lstat(join(s.target, 'localpasswd'))).ino, (await lstat(join(s.target, 'etc/passwd'))).ino),
  },
  {
    name: 'hard link to a symlink pointing at the canary, then written',
    layer: (s) => [sym('sl', s.canary), hard('hl', 'sl'), file('hl', 'pwned')],
    outcome: 'applied',
    inside: async (s) => {
      assert.equal(await contentOf(join(s.target, 'hl')), 'pwned');
      assert.ok(await isSymlink(join(s.target, 'sl')));
    },
  },
  {
    name: 'hard link to a symlink pointing out, then a file beneath it',
    layer: () => [sym('sl', '../outside'), hard('hl', 'sl'), file('hl/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
  {
    name: 'hard link to a symlink before the symlink target exists',
    layer: () => [dir('etc'), sym('localpasswd', '/etc/passwd'), hard('localpasswd-dup', 'localpasswd'), file('/etc/passwd', 'after')],
    outcome: 'applied',
    inside: async (s) => {
      assert.ok(await isSymlink(join(s.target, 'localpasswd-dup')));
      assert.equal((await lstat(join(s.target, 'localpasswd-dup'))).ino, (await lstat(join(s.target, 'localpasswd'))).ino);
    },
  },
  {
    name: 'symlink created at the absolute name of an outside file, then hard-linked',
    layer: (s) => [sym(`${s.outside}/also`, s.canary), hard('sketchy', `${s.outside}/also`)],
    outcome: 'applied',
    inside: async (s) => assert.ok(await isSymlink(join(s.target, 'sketchy'))),
  },
  {
    name: 'hard link whose own name climbs out',
    layer: () => [file('inner', 'inner'), hard('../outside/grabbed', 'inner')],
    outcome: 'applied',
    inside: async (s) => assert.equal((await lstat(join(s.target, 'outside/grabbed'))).ino, (await lstat(join(s.target, 'inner'))).ino),
  },
  {
    name: 'hard link to the outside directory, then a file beneath it, is refused',
    layer: () => [hard('loophole', '../outside'), file('loophole/planted')],
    outcome: 'rejected',
  },
  {
    name: 'hard link to the outside directory, then replaced by a file, is refused',
    layer: () => [hard('loophole', '../outside'), file('loophole')],
    outcome: 'rejected',
  },
  {
    name: 'hard link to a directory inside is refused',
    layer: () => [dir('d'), hard('hl', 'd')],
    outcome: 'rejected',
  },

  // Whiteouts.
  {
    name: 'whiteout ".wh..." at the root (would delete the parent) is refused',
    before: async (s) => writeFile(join(s.target, 'keep'), 'keep'),
    layer: () => [file('.wh...', '')],
    outcome: 'rejected',
  },
  {
    name: 'whiteout "etc/.wh..." is refused',
    before: async (s) => { await mkdir(join(s.target, 'etc')); await writeFile(join(s.target, 'etc/passwd'), 'x'); },
    layer: () => [file('etc/.wh...', '')],
    outcome: 'rejected',
  },
  {
    name: 'whiteout ".wh.." (the root itself) is refused',
    layer: () => [file('.wh..', '')],
    outcome: 'rejected',
  },
  {
    name: 'whiteout "etc/.wh.." (the directory itself) is refused',
    before: async (s) => mkdir(join(s.target, 'etc')),
    layer: () => [file('etc/.wh..', '')],
    outcome: 'rejected',
  },
  {
    name: 'whiteout with an empty name is refused',
    layer: () => [file('.wh.', '')],
    outcome: 'rejected',
  },
  {
    name: 'whiteout named ../.wh.outside deletes only target/outside',
    before: async (s) => { await mkdir(join(s.target, 'outside')); await writeFile(join(s.target, 'outside/inner'), 'x'); },
    layer: () => [file('../.wh.outside', '')],
    outcome: 'applied',
    inside: async (s, mode) => assert.ok(await whitedOut(join(s.target, 'outside'), mode)),
  },
  {
    name: 'whiteout reached through an absolute symlink to the outside dir',
    before: async (s) => symlink(s.outside, join(s.target, 'esc')),
    layer: () => [file('esc/.wh.canary.txt', '')],
    outcome: 'applied',
  },
  {
    name: 'whiteout reached through a relative symlink to the outside dir',
    before: async (s) => symlink('../outside', join(s.target, 'esc')),
    layer: () => [file('esc/.wh.canary.txt', '')],
    outcome: 'applied',
  },
  {
    name: 'whiteout of a symlink to the outside dir removes only the link',
    before: async (s) => symlink(s.outside, join(s.target, 'esc')),
    layer: () => [file('.wh.esc', '')],
    outcome: 'applied',
    inside: async (s, mode) => assert.ok(await whitedOut(join(s.target, 'esc'), mode)),
  },
  {
    name: 'whiteout named by the absolute path of the canary',
    layer: (s) => [file(`${s.outside}/.wh.canary.txt`, '')],
    outcome: 'applied',
  },
  {
    name: 'whiteout under a dangling symlink',
    before: async (s) => {
      await mkdir(join(s.target, 'etc'));
      await writeFile(join(s.target, 'etc/passwd'), 'all users');
      await symlink('/dne', join(s.target, 'localetc'));
    },
    layer: () => [file('localetc/.wh.etc', '')],
    // Nothing to delete in delete mode; in overlay mode the whiteout goes where the link points.
    outcome: 'applied',
    inside: async (s, mode) => {
      assert.equal(await contentOf(join(s.target, 'etc/passwd')), 'all users');
      if (mode === 'overlay') assert.ok(await whitedOut(join(s.target, 'dne/etc'), mode));
    },
  },
  {
    name: 'whiteout whose path climbs back: dne/../.wh.etc deletes etc',
    before: async (s) => { await mkdir(join(s.target, 'etc')); await writeFile(join(s.target, 'etc/passwd'), 'x'); },
    layer: () => [file('dne/../.wh.etc', '')],
    outcome: 'applied',
    inside: async (s, mode) => assert.ok(await whitedOut(join(s.target, 'etc'), mode)),
  },
  {
    name: 'opaque marker reached through a symlink to the outside dir',
    before: async (s) => symlink('../outside', join(s.target, 'esc')),
    layer: () => [file('esc/.wh..wh..opq', '')],
    outcome: 'applied',
  },
  {
    name: 'opaque marker named ../.wh..wh..opq applies to the target root only',
    before: async (s) => writeFile(join(s.target, 'lower'), 'x'),
    layer: () => [file('../.wh..wh..opq', ''), file('upper')],
    outcome: 'applied',
    inside: async (s, mode) => {
      assert.ok(await exists(join(s.target, 'upper')));
      assert.equal(await exists(join(s.target, 'lower')), mode === 'overlay');
    },
  },

  // Entries replacing what the target already holds.
  {
    name: 'directory entry replacing an existing symlink to the outside dir',
    before: async (s) => symlink(s.outside, join(s.target, 'localetc')),
    layer: () => [dir('localetc', 0o777), file('localetc/planted')],
    outcome: 'applied',
    inside: async (s) => assert.ok((await lstat(join(s.target, 'localetc'))).isDirectory()),
  },
  {
    name: 'file entry replacing an existing symlink to the canary',
    before: async (s) => symlink(s.canary, join(s.target, 'esc')),
    layer: () => [{ name: 'esc', content: 'pwned', mode: 0o777, uid: 1234 }],
    outcome: 'applied',
    inside: async (s) => assert.ok((await lstat(join(s.target, 'esc'))).isFile()),
  },
  {
    name: 'symlink replacing an existing directory, then a hard link through it',
    before: async (s) => {
      await mkdir(join(s.target, 'etc'));
      await writeFile(join(s.target, 'etc/passwd'), 'inside');
      await mkdir(join(s.target, 'localetc'));
    },
    layer: () => [sym('localetc', '/etc'), hard('/localetc/localpasswd', '/etc/passwd')],
    outcome: 'applied',
    inside: async (s) => assert.equal((await lstat(join(s.target, 'etc/localpasswd'))).ino, (await lstat(join(s.target, 'etc/passwd'))).ino),
  },
  {
    name: 'existing relative symlink out, then a hard link beneath it',
    before: async (s) => {
      await mkdir(join(s.target, 'etc'));
      await writeFile(join(s.target, 'etc/passwd'), 'inside');
      await symlink('../../etc', join(s.target, 'localetc'));
    },
    layer: () => [hard('/localetc/localpasswd', '/etc/passwd')],
    outcome: 'applied',
    inside: async (s) => assert.ok(await exists(join(s.target, 'etc/localpasswd'))),
  },
  {
    name: 'gzip-compressed: relative symlink out, then a file through it',
    layer: () => [sym('esc', '../outside'), file('esc/planted')],
    outcome: 'applied',
    gzip: true,
    inside: async (s) => assert.ok(await exists(join(s.target, 'outside/planted'))),
  },
];

interface Snapshot {
  baseListing: string[];
  outsideListing: string[];
  canary: { mode: number; uid: number; gid: number; nlink: number; size: number; mtimeMs: number; ino: number };
  outsideDir: { mode: number; mtimeMs: number; uid: number };
}

async function snapshot(s: Scene): Promise<Snapshot> {
  const canary = await lstat(s.canary);
  const outsideDir = await lstat(s.outside);
  return {
    baseListing: (await readdir(s.base)).sort(),
    outsideListing: (await readdir(s.outside)).sort(),
    canary: { mode: canary.mode, uid: canary.uid, gid: canary.gid, nlink: canary.nlink, size: canary.size, mtimeMs: canary.mtimeMs, ino: canary.ino },
    outsideDir: { mode: outsideDir.mode, mtimeMs: outsideDir.mtimeMs, uid: outsideDir.uid },
  };
}

async function runCase(t: TestContext, c: BreakoutCase, mode: Mode | 'copy' | 'copy-grafted'): Promise<void> {
  const temp = await makeTempRoot('strata-breakout-');
  t.after(temp.cleanup);
  const scene: Scene = {
    base: temp.dir,
    target: join(temp.dir, 'target'),
    outside: join(temp.dir, 'outside'),
    canary: '',
    token: `strata-breakout-${randomBytes(6).toString('hex')}`,
  };
  const hostProbes = [join('/tmp', scene.token), join('/', scene.token)];
  // Only a regression would write these; they are removed all the same.
  t.after(() => Promise.all(hostProbes.map((probe) => rm(probe, { recursive: true, force: true }))));
  await mkdir(scene.target);
  await mkdir(scene.outside);
  const canary = await plantCanary(scene.outside);
  scene.canary = canary.path;
  await c.before?.(scene);
  const before = await snapshot(scene);

  const tar = await tarOf(c.layer(scene));
  let error: unknown;
  try {
    const input = streamOf(c.gzip ? gzipSync(tar) : tar);
    if (mode === 'copy' || mode === 'copy-grafted') {
      // With a graft in place, names are resolved by tree-resolve's walk instead of the kernel.
      const graftSource = join(scene.target, '.graft-source');
      if (mode === 'copy-grafted') await mkdir(graftSource, { recursive: true });
      const grafts = mode === 'copy-grafted' ? new Map([['mnt', { source: graftSource, readonly: false }]]) : undefined;
      const fd = openDirPath(scene.target);
      try {
        await extractArchive(input, fd, { grafts });
      } finally {
        closeFd(fd);
      }
    } else {
      await applyLayer(input, scene.target, { whiteouts: mode });
    }
  } catch (err) {
    error = err;
  }

  // Containment holds whatever the outcome.
  assert.ok(await canary.check(), 'the canary content is unchanged');
  assert.deepEqual(await snapshot(scene), before, 'nothing outside the target changed');
  for (const found of await regularFiles(scene.target)) {
    assert.ok(!(found.ino === before.canary.ino), `${found.path} is a hard link to the canary`);
    assert.notEqual(found.content.toString(), await readFile(scene.canary, 'utf8'), `${found.path} holds the canary's content`);
  }
  for (const probe of hostProbes) {
    assert.equal(await access(probe).then(() => true, () => false), false, `${probe} was written on the host`);
  }

  if (mode === 'copy' || mode === 'copy-grafted') {
    // `docker cp` refuses climbing names that layers clean, and reads `.wh.` names as files:
    // the outcomes differ from the table's, containment (checked above) does not.
    if (error !== undefined) assert.ok(error instanceof InvalidArgumentError, `refused with InvalidArgumentError, got: ${String(error)}`);
    return;
  }
  if (error !== undefined) {
    assert.equal(c.outcome, 'rejected', `expected the archive to apply, got: ${String(error)}`);
    assert.ok(error instanceof InvalidArgumentError, `refused with InvalidArgumentError, got: ${String(error)}`);
    assert.ok(error.message.length > 0);
    return;
  }
  assert.equal(c.outcome, 'applied', 'expected the archive to be refused');
  await c.inside?.(scene, mode);
}

for (const mode of ['delete', 'overlay', 'copy', 'copy-grafted'] as const) {
  test(`hostile archives stay inside the target (${mode} mode)`, async (t) => {
    if (await needsRoot(t)) return;
    for (const c of CASES) await t.test(c.name, (sub) => runCase(sub, c, mode));
  });
}
