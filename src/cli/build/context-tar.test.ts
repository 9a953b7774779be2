import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, link, lutimes, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { ContextExcludes } from './context-ignore.js';
import { contextTar } from './context-tar.js';
import { isArchive, prepareContext } from './build-context.js';
import { encodeTarHeader, padding, END_OF_ARCHIVE } from './tar-writer.js';
import { goJsonMap, buildArgsMap, labelsMap, validateBuildArg, validateLabel, validateTag } from './build-options.js';
import { UploadProgress } from './upload-progress.js';

const T = 1700000000;

/**
 * A context with every kind of entry the walk meets. The docker CLI (28.2) sends this very
 * tree as the tar whose sha256 GOLDEN is (captured from `docker build` against a stub daemon).
 */
async function makeRichContext(root: string): Promise<void> {
  const files: Record<string, string> = {
    Dockerfile: 'FROM busybox\nCOPY . /c/\n',
    '.dockerignore': '# comment\n*.log\nignored\nkeep\n!keep/x/in.txt\n/abs/\n',
    'a.txt': 'a\n',
    'sub/b.txt': 'bb\n',
    'sub/deep/d.log': 'log\n',
    'ignored/i.txt': 'i\n',
    'keep/x/in.txt': 'in\n',
    'keep/x/out.txt': 'out\n',
    'abs/gone.txt': 'g\n',
    [`sub/${'n'.repeat(120)}`]: 'long name\n',
    [`sub/${'p'.repeat(90)}/${'q'.repeat(60)}/f`]: 'prefix split\n',
    'ünï/f': 'unicode\n',
    Zeta: 'upper sorts first\n',
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), content);
    await chmod(join(root, name), 0o644);
  }
  await symlink('a.txt', join(root, 'link'));
  await symlink('/etc/passwd', join(root, 'abslink'));
  await link(join(root, 'a.txt'), join(root, 'hard'));
  await chmod(join(root, 'sub/b.txt'), 0o4755);
  await writeFile(join(root, 'big.bin'), Buffer.alloc(70000, 7));
  await chmod(join(root, 'big.bin'), 0o600);
  const dirs = ['sub', 'sub/deep', 'ignored', 'keep', 'keep/x', 'abs', 'ünï', `sub/${'p'.repeat(90)}`, `sub/${'p'.repeat(90)}/${'q'.repeat(60)}`];
  for (const d of dirs) await chmod(join(root, d), 0o755);
  for (const f of [...Object.keys(files), 'link', 'abslink', 'hard', 'big.bin']) await lutimes(join(root, f), T, T);
  for (const d of dirs.reverse()) await utimes(join(root, d), T, T);
}

const GOLDEN = 'c4f62b027e4bca7a2f58391be5ba99bfa77b4250b134ca72682bddb18d70e6d9';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface Entry { name: string; type: string; linkname: string | null | undefined; mode: number | undefined; data: string }

async function entries(tar: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => { out.push({ name: h.name, type: h.type ?? '', linkname: h.linkname, mode: h.mode, data: Buffer.concat(chunks).toString() }); next(); });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
  return out;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-ctx-tar-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the context tar is byte for byte the docker CLI\'s, and the same every time', async () => {
  await withDir(async (dir) => {
    const ctx = join(dir, 'ctx');
    await mkdir(ctx);
    await makeRichContext(ctx);
    const { excludes } = await ContextExcludes.read(ctx);
    const tar = await collect(contextTar({ dir: ctx, excludes: excludes.keepingBuildFiles('Dockerfile', false) }));
    assert.equal(createHash('sha256').update(tar).digest('hex'), GOLDEN);
    assert.deepEqual(await collect(contextTar({ dir: ctx, excludes: excludes.keepingBuildFiles('Dockerfile', false) })), tar);
    const list = await entries(tar);
    assert.deepEqual(list.map((e) => e.name), [
      '.dockerignore', 'Dockerfile', 'Zeta', 'a.txt', 'abslink', 'big.bin', 'hard', 'keep/x/in.txt', 'link',
      'sub/', 'sub/b.txt', 'sub/deep/', 'sub/deep/d.log', `sub/${'n'.repeat(120)}`, `sub/${'p'.repeat(90)}/`,
      `sub/${'p'.repeat(90)}/${'q'.repeat(60)}/`, `sub/${'p'.repeat(90)}/${'q'.repeat(60)}/f`, 'ünï/', 'ünï/f',
    ]);
    const byName = new Map(list.map((e) => [e.name, e]));
    assert.deepEqual([byName.get('link')!.type, byName.get('link')!.linkname], ['symlink', 'a.txt']);
    assert.deepEqual([byName.get('abslink')!.type, byName.get('abslink')!.linkname], ['symlink', '/etc/passwd'], 'symlinks are never followed');
    assert.deepEqual([byName.get('hard')!.type, byName.get('hard')!.linkname], ['link', 'a.txt']);
    assert.equal(byName.get('sub/b.txt')!.mode, 0o4755);
    assert.equal(byName.get('big.bin')!.data, Buffer.alloc(70000, 7).toString());
  });
});

test('the Dockerfile and .dockerignore are sent even when excluded; replaced entries keep their place', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'Dockerfile'), 'FROM x\n');
    await writeFile(join(dir, '.dockerignore'), 'Dockerfile\n.dockerignore\n*.txt\n');
    await writeFile(join(dir, 'a.txt'), 'a');
    await writeFile(join(dir, 'b.bin'), 'b');
    const { excludes } = await ContextExcludes.read(dir);
    const kept = await entries(await collect(contextTar({ dir, excludes: excludes.keepingBuildFiles('Dockerfile', false) })));
    assert.deepEqual(kept.map((e) => e.name), ['.dockerignore', 'Dockerfile', 'b.bin']);
    const fromStdin = excludes.keepingBuildFiles('-', true);
    const replaced = await entries(await collect(contextTar({
      dir, excludes: fromStdin,
      replace: new Map([
        ['.dockerfile.abc', { data: Buffer.from('FROM y\n'), mode: 0o600, mtime: T }],
        ['.dockerignore', { data: Buffer.from('new\n'), mode: 0o600, mtime: T }],
      ]),
    })));
    assert.deepEqual(replaced.map((e) => [e.name, e.data]), [['.dockerignore', 'new\n'], ['b.bin', 'b'], ['.dockerfile.abc', 'FROM y\n']]);
  });
});

test('prepareContext: a Dockerfile from outside goes in under a random name that .dockerignore hides', async () => {
  await withDir(async (dir) => {
    await mkdir(join(dir, 'ctx'));
    await writeFile(join(dir, 'ctx', 'f.txt'), 'f');
    await writeFile(join(dir, 'Outside'), 'FROM busybox\n');
    const prepared = await prepareContext({ context: join(dir, 'ctx'), dockerfile: join(dir, 'Outside'), stdin: Readable.from([]) });
    assert.match(prepared.dockerfile, /^\.dockerfile\.[0-9a-f]{20}$/);
    const list = await entries(await collect(prepared.body));
    // The walk first, then what it did not meet, in name order.
    assert.deepEqual(list.map((e) => e.name), ['f.txt', prepared.dockerfile, '.dockerignore']);
    assert.equal(list.find((e) => e.name === prepared.dockerfile)!.data, 'FROM busybox\n');
    assert.equal(list.find((e) => e.name === '.dockerignore')!.data, `.dockerignore\n${prepared.dockerfile}\n`);
  });
});

test('prepareContext: stdin is a tar as it is, or a Dockerfile alone', async () => {
  const tar = Buffer.concat([encodeTarHeader({ name: 'Dockerfile', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 7, mtime: T }), Buffer.from('FROM x\n'), padding(7), END_OF_ARCHIVE]);
  const asTar = await prepareContext({ context: '-', dockerfile: '', stdin: Readable.from([tar.subarray(0, 100), tar.subarray(100)]) });
  assert.deepEqual(await collect(asTar.body), tar);
  const stdin = new PassThrough();
  stdin.end('FROM busybox\nRUN true\n');
  const asDockerfile = await prepareContext({ context: '-', dockerfile: '', stdin });
  assert.equal(asDockerfile.dockerfile, 'Dockerfile');
  assert.deepEqual((await entries(await collect(asDockerfile.body))).map((e) => [e.name, e.data]), [['Dockerfile', 'FROM busybox\nRUN true\n']]);
  await assert.rejects(prepareContext({ context: '-', dockerfile: 'x', stdin: Readable.from([Buffer.from('FROM a\n')]) }), { message: 'unable to prepare context: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles' });
  await assert.rejects(prepareContext({ context: '-', dockerfile: '-', stdin: Readable.from([]) }), { message: "invalid argument: can't use stdin for both build context and dockerfile" });
});

test('isArchive: compressed streams and tar headers, not text', () => {
  const tar = encodeTarHeader({ name: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0 });
  assert.equal(isArchive(tar), true);
  assert.equal(isArchive(gzipSync('x')), true);
  assert.equal(isArchive(Buffer.from('FROM busybox\n'.repeat(100))), false);
  assert.equal(isArchive(Buffer.alloc(1024)), false);
});

test('.dockerignore patterns are read as dockerignore.ReadAll reads them', () => {
  const ex = ContextExcludes.parse('\uFEFF# c\n  /abs/dir/  \n!  keep \n\n./rel\n**/*.tmp\n');
  assert.deepEqual(ex.patterns, ['abs/dir', '!keep', 'rel', '**/*.tmp']);
  assert.equal(ex.excludes('abs/dir/x'), true);
  assert.equal(ex.excludes('a/b.tmp'), true);
  assert.equal(ex.excludes('.'), false);
  assert.equal(ex.mayIncludeUnder('abs'), false);
  assert.equal(new ContextExcludes(['logs', '!logs/keep.log']).mayIncludeUnder('logs'), true);
});

test('flag values: build args, labels and tags as docker checks them', () => {
  assert.equal(validateBuildArg('A=1'), 'A=1');
  assert.equal(validateBuildArg('HOMEY', { HOMEY: '/h' }), 'HOMEY=/h');
  assert.equal(validateBuildArg('UNSET', {}), 'UNSET');
  assert.throws(() => validateBuildArg('=x'), { message: 'invalid environment variable: =x' });
  assert.throws(() => validateLabel('=x'), { message: "invalid label '=x': empty name" });
  assert.deepEqual(buildArgsMap(['A=1', 'B', 'A=2']), { A: '2', B: null });
  assert.deepEqual(labelsMap(['k', 'l=v=w']), { k: '', l: 'v=w' });
  assert.equal(goJsonMap({ b: '1', A: null, '<': '&' }), '{"\\u003c":"\\u0026","A":null,"b":"1"}');
  for (const ok of ['seed', 'seed:1.0', 'localhost:5000/a/b:t', 'Registry.example/x', 'a@sha256:' + 'a'.repeat(64)]) assert.equal(validateTag(ok), ok);
  assert.throws(() => validateTag('UPPER'), { message: 'invalid reference format: repository name (library/UPPER) must be lowercase' });
  assert.throws(() => validateTag('a:b:c'), { message: 'invalid reference format' });
  assert.throws(() => validateTag(''), { message: 'invalid reference format' });
  assert.throws(() => validateTag('a'.repeat(64).replace(/a/g, 'f')), /cannot specify 64-byte hexadecimal strings/);
});

test('upload progress: one final line off a terminal, overwritten updates on one', async () => {
  const run = async (terminal: boolean, sizes: number[]) => {
    let text = '';
    const progress = new UploadProgress((t) => { text += t; }, terminal);
    const done = collect(progress);
    for (const s of sizes) progress.write(Buffer.alloc(s));
    progress.end();
    await done;
    return text;
  };
  assert.equal(await run(false, [1024, 1024]), 'Sending build context to Docker daemon  2.048kB\r\r\n');
  assert.equal(await run(false, [600 * 1024, 600 * 1024]), 'Sending build context to Docker daemon  1.229MB\r\r\n');
  assert.equal(await run(true, [600 * 1024, 100]), 'Sending build context to Docker daemon  614.4kB\rSending build context to Docker daemon  614.5kB\r\r\n');
  assert.equal(await run(false, [512]), 'Sending build context to Docker daemon     512B\r\r\n');
});
