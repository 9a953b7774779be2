import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile, symlink, access, constants } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { extract } from 'tar-stream';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { startDaemon, run, type RunResult, type TestDaemon } from '../../test/support/daemon.js';

// bin/strata (run as `node -- bin/strata` so node itself never reads the CLI's flags).
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'strata');

const SEED_DOCKERFILE = 'FROM busybox\nRUN echo "base content" > /base_file.txt\n';

/** Output with image and container IDs replaced, lines split. */
function lines(text: string): string[] {
  return text.replace(/sha256:[0-9a-f]{64}/g, '<digest>').replace(/\b[0-9a-f]{12}\b/g, '<id>').split('\n');
}

async function writeTree(dir: string, files: Record<string, string>): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

async function imageSummary(api: Docker, name: string): Promise<{ Id: string; RootFS: { Layers: string[] }; Config: { Labels?: Record<string, string> | null } } | undefined> {
  try {
    return (await api.getImage(name).inspect()) as never;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** The file names in an image's layers, newest layer last (from `GET /images/{name}/get`). */
async function layerFiles(api: Docker, name: string): Promise<string[][]> {
  const archive = (await api.getImage(name).get()) as unknown as NodeJS.ReadableStream;
  const blobs = new Map<string, Buffer>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => { blobs.set(header.name, Buffer.concat(chunks)); next(); });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  archive.pipe(ex);
  await done;
  const manifest = JSON.parse(blobs.get('manifest.json')!.toString()) as { Layers: string[] }[];
  const result: string[][] = [];
  for (const layer of manifest[0]!.Layers) {
    const names: string[] = [];
    const lx = extract();
    const listed = new Promise<void>((resolve, reject) => {
      lx.on('entry', (header, stream, next) => { names.push(header.name); stream.on('end', next); stream.resume(); });
      lx.on('finish', resolve);
      lx.on('error', reject);
    });
    lx.end(blobs.get(layer)!);
    await listed;
    result.push(names);
  }
  return result;
}

/** The docker CLI on PATH, if installed. */
async function findDocker(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = join(dir, 'docker');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

async function dockerCli(dir: string, daemon: TestDaemon): Promise<((args: string[], input?: string) => Promise<RunResult>) | undefined> {
  const bin = await findDocker();
  if (!bin) return undefined;
  const config = join(dir, 'docker-config');
  await mkdir(config, { recursive: true });
  // No DOCKER_BUILDKIT: the daemon's Builder-Version 1 makes the CLI use the classic builder.
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false' };
  delete env.DOCKER_BUILDKIT;
  return (args, input) => run([bin, ...args], { env, input, timeoutMs: 120_000 });
}

/** Removes every image and container the daemon has, so nothing outlives the test. */
async function removeEverything(api: Docker): Promise<void> {
  for (const c of await api.listContainers({ all: true }).catch(() => [])) await api.getContainer(c.Id).remove({ force: true }).catch(() => {});
  for (const i of await api.listImages({ all: true }).catch(() => [])) await api.getImage(i.Id).remove({ force: true }).catch(() => {});
}

test('strata build: the classic build client against a real daemon', async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-build-cli-');
  t.after(() => temp.cleanup());
  const daemon = await startDaemon(join(temp.dir, 'd'));
  t.after(() => daemon.stop());
  const api = new Docker({ socketPath: daemon.socket });
  t.after(() => removeEverything(api));
  const strata = (args: string[], input?: string) => run([process.execPath, '--', CLI, '--host', daemon.host, ...args], { input, timeoutMs: 120_000 });
  const build = (args: string[], input?: string) => strata(['build', ...args], input);

  const imported = await strata(['import', await makeBusyboxTarball(temp.dir), 'busybox']);
  assert.equal(imported.code, 0, imported.stderr);
  const busybox = (await imageSummary(api, 'busybox'))!;
  const seedDir = await writeTree(join(temp.dir, 'seed'), { Dockerfile: SEED_DOCKERFILE });

  await t.test('the seed build prints the classic builder output and adds one layer holding /base_file.txt', async () => {
    const r = await build(['-t', 'seed', seedDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [
      'Sending build context to Docker daemon  2.048kB\r\r',
      'Step 1/2 : FROM busybox',
      ' ---> <id>',
      'Step 2/2 : RUN echo "base content" > /base_file.txt',
      ' ---> Running in <id>',
      'Removing intermediate container <id>',
      ' ---> <id>',
      'Successfully built <id>',
      'Successfully tagged seed:latest',
      '',
    ]);
    assert.match(r.stdout, new RegExp(`\n ---> ${busybox.Id.slice(7, 19)}\n`), 'step 1 names busybox');
    const seed = (await imageSummary(api, 'seed'))!;
    assert.match(r.stdout, new RegExp(`Successfully built ${seed.Id.slice(7, 19)}\n`));
    assert.deepEqual(seed.RootFS.Layers.slice(0, -1), busybox.RootFS.Layers);
    assert.equal(seed.RootFS.Layers.length, busybox.RootFS.Layers.length + 1);
    const layers = await layerFiles(api, 'seed');
    assert.deepEqual(layers.at(-1), ['base_file.txt']);
    const cat = await strata(['run', '--rm', 'seed', 'cat', '/base_file.txt']);
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, 'base content\n');
  });

  await t.test('a rebuild uses the cache', async () => {
    const r = await build(['-t', 'seed', seedDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout).slice(3, 6), ['Step 2/2 : RUN echo "base content" > /base_file.txt', ' ---> Using cache', ' ---> <id>']);
    assert.doesNotMatch(r.stdout, /Running in/);
    assert.match(r.stdout, new RegExp(`Successfully built ${(await imageSummary(api, 'seed'))!.Id.slice(7, 19)}\n`));
  });

  await t.test('the real docker CLI prints the same lines', async (st) => {
    const docker = await dockerCli(temp.dir, daemon);
    if (!docker) {
      st.skip('the docker CLI is not installed');
      return;
    }
    const viaDocker = await docker(['build', '--no-cache', '-t', 'seed-docker', seedDir]);
    assert.equal(viaDocker.code, 0, viaDocker.stderr);
    const viaStrata = await build(['--no-cache', '-t', 'seed-strata', seedDir]);
    assert.equal(viaStrata.code, 0, viaStrata.stderr);
    assert.deepEqual(lines(viaDocker.stdout.replace('seed-docker', 'seed-strata')), lines(viaStrata.stdout));
    const again = await docker(['build', '-t', 'seed-docker', seedDir]);
    assert.match(again.stdout, / ---> Using cache\n/);
    // A failing RUN: the same message, and docker's exit status (the command's).
    const failDir = await writeTree(join(temp.dir, 'fail-docker'), { Dockerfile: 'FROM busybox\nRUN exit 3\n' });
    const fails = await docker(['build', failDir]);
    const failsStrata = await build([failDir]);
    assert.equal(fails.code, failsStrata.code);
    assert.match(fails.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3\n$/);
    assert.deepEqual(lines(fails.stdout), lines(failsStrata.stdout));
    // With -q docker prints the same single line.
    const quiet = await docker(['build', '-q', seedDir]);
    assert.equal(quiet.stdout, (await build(['-q', seedDir])).stdout);
  });

  await t.test('changing a context file invalidates the cache from the COPY that uses it', async () => {
    const dir = await writeTree(join(temp.dir, 'copy'), {
      Dockerfile: 'FROM busybox\nRUN echo one > /one\nCOPY data.txt /data.txt\nRUN cat /data.txt\n',
      'data.txt': 'first\n',
    });
    const first = await build(['-t', 'copy', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Step 4\/4 : RUN cat \/data.txt\n ---> Running in [0-9a-f]{12}\nfirst\n/);
    const same = await build(['-t', 'copy', dir]);
    assert.equal((same.stdout.match(/ ---> Using cache\n/g) ?? []).length, 3, same.stdout);
    await writeFile(join(dir, 'data.txt'), 'second\n');
    const changed = await build(['-t', 'copy', dir]);
    assert.equal(changed.code, 0, changed.stderr);
    const steps = changed.stdout.split(/^Step /m).slice(1);
    assert.match(steps[1]!, /^2\/4 : RUN echo one > \/one\n ---> Using cache\n/);
    assert.doesNotMatch(steps[2]!, /Using cache/);
    assert.match(steps[3]!, /^4\/4 : RUN cat \/data.txt\n ---> Running in [0-9a-f]{12}\nsecond\n/);
  });

  await t.test('.dockerignore keeps files out of the context; symlinks are sent as links', async () => {
    const dir = await writeTree(join(temp.dir, 'ignore'), {
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\nRUN cd /ctx && find . | sort && readlink link\n',
      '.dockerignore': 'secret.txt\n*.log\nlogs\n!logs/keep.log\n',
      'kept.txt': 'kept\n',
      'secret.txt': 'secret\n',
      'debug.log': 'log\n',
      'logs/drop.log': 'x\n',
      'logs/keep.log': 'y\n',
    });
    await symlink('/nonexistent-target', join(dir, 'link'));
    const r = await build([dir]);
    assert.equal(r.code, 0, r.stderr);
    // As with dockerd: .dockerignore itself is sent (and copied, not being excluded), `logs`
    // comes back only for its exception.
    const listing = r.stdout.split(' ---> Running in ')[1]!.split('\n').slice(1, 8);
    assert.deepEqual(listing, ['.', './.dockerignore', './Dockerfile', './kept.txt', './link', './logs', './logs/keep.log']);
    assert.match(r.stdout, /\n\/nonexistent-target\n/);
    const copySecret = await writeTree(join(temp.dir, 'ignore-copy'), { Dockerfile: 'FROM busybox\nCOPY secret.txt /\n', 'secret.txt': 's', '.dockerignore': 'secret.txt\n' });
    const failed = await build([copySecret]);
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr, 'COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist\n');
  });

  await t.test('--target and COPY --from in a two-stage build', async () => {
    const dir = await writeTree(join(temp.dir, 'stages'), {
      Dockerfile: [
        'FROM busybox AS builder',
        'RUN echo built > /artifact',
        'FROM busybox AS final',
        'COPY --from=builder /artifact /artifact',
        'RUN cat /artifact',
        '',
      ].join('\n'),
    });
    const full = await build(['-t', 'stages', dir]);
    assert.equal(full.code, 0, full.stderr);
    assert.match(full.stdout, /Step 3\/5 : FROM busybox AS final\n/);
    assert.match(full.stdout, /Step 4\/5 : COPY --from=builder \/artifact \/artifact\n/);
    assert.match(full.stdout, /RUN cat \/artifact\n ---> Running in [0-9a-f]{12}\nbuilt\n/);
    const stages = await layerFiles(api, 'stages');
    assert.deepEqual(stages.at(-1), ['artifact']);
    const target = await build(['--target', 'builder', '-t', 'stage-builder', dir]);
    assert.equal(target.code, 0, target.stderr);
    assert.doesNotMatch(target.stdout, /final|COPY --from/);
    assert.match(target.stdout, /Successfully tagged stage-builder:latest\n$/);
    const missing = await build(['--target', 'nosuch', dir]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: failed to reach build target nosuch in Dockerfile\n');
  });

  await t.test('-f: a Dockerfile from outside the context, and from stdin', async () => {
    const dir = await writeTree(join(temp.dir, 'outside-ctx'), { 'hello.txt': 'hello\n' });
    const dockerfile = await writeTree(join(temp.dir, 'elsewhere'), { 'Build.dockerfile': 'FROM busybox\nCOPY . /ctx/\nRUN ls -A /ctx && cat /ctx/hello.txt\n' });
    const r = await build(['-f', join(dockerfile, 'Build.dockerfile'), '-t', 'outside', dir]);
    assert.equal(r.code, 0, r.stderr);
    // The Dockerfile travels under a random name that the rewritten .dockerignore hides.
    assert.match(r.stdout, / ---> Running in [0-9a-f]{12}\nhello.txt\nhello\n/);
    const piped = await build(['-f', '-', dir], 'FROM busybox\nCOPY hello.txt /\nRUN cat /hello.txt\n');
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /\nhello\n/);
    const stdinOnly = await build(['-'], 'FROM busybox\nRUN echo from-stdin\n');
    assert.equal(stdinOnly.code, 0, stdinOnly.stderr);
    assert.match(stdinOnly.stdout, /^Sending build context to Docker daemon  2.048kB\r\r\n/);
    const both = await build(['-f', '-', '-'], '');
    assert.equal(both.code, 1);
    assert.equal(both.stderr, "invalid argument: can't use stdin for both build context and dockerfile\n");
    const noDockerfile = await build([dir]);
    assert.equal(noDockerfile.code, 1);
    assert.equal(noDockerfile.stderr, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${join(dir, 'Dockerfile')}: no such file or directory\n`);
    const noPath = await build([join(temp.dir, 'nowhere')]);
    assert.equal(noPath.stderr, `unable to prepare context: path "${join(temp.dir, 'nowhere')}" not found\n`);
  });

  await t.test('-q prints only the image ID; --iidfile writes it', async () => {
    const quiet = await build(['-q', '-t', 'quiet', seedDir]);
    assert.equal(quiet.code, 0, quiet.stderr);
    const id = (await imageSummary(api, 'quiet'))!.Id;
    assert.equal(quiet.stdout, `${id}\n`);
    assert.equal(quiet.stderr, '');
    const iidfile = join(temp.dir, 'iid');
    const withFile = await build(['--iidfile', iidfile, seedDir]);
    assert.equal(withFile.code, 0, withFile.stderr);
    assert.equal(await readFile(iidfile, 'utf8'), id);
    // As docker does, -q writes the daemon's line as it came (with its newline).
    assert.equal((await build(['-q', '--iidfile', iidfile, seedDir])).code, 0);
    assert.equal(await readFile(iidfile, 'utf8'), `${id}\n`);
  });

  await t.test('a failing RUN exits with its status, prints the message and tags nothing', async () => {
    const dir = await writeTree(join(temp.dir, 'fail'), { Dockerfile: 'FROM busybox\nRUN echo before && exit 3\n' });
    const iidfile = join(temp.dir, 'fail-iid');
    await writeFile(iidfile, 'stale');
    const r = await build(['-t', 'broken', '--iidfile', iidfile, dir]);
    assert.notEqual(r.code, 0);
    assert.equal(r.code, 3, 'docker exits with the status the daemon gives the error: the command\'s');
    assert.equal(r.stderr, "The command '/bin/sh -c echo before && exit 3' returned a non-zero code: 3\n");
    assert.match(r.stdout, /Step 2\/2 : RUN echo before && exit 3\n ---> Running in [0-9a-f]{12}\nbefore\n$/);
    assert.equal(await imageSummary(api, 'broken'), undefined);
    await assert.rejects(access(iidfile), 'no stale image ID file is left');
    const quiet = await build(['-q', '-t', 'broken', dir]);
    assert.equal(quiet.code, 3);
    assert.equal(quiet.stdout, '');
    assert.match(quiet.stderr, /^Sending build context to Docker daemon  2.048kB\r\r\nStep 1\/2 : FROM busybox\n[\s\S]*before\nThe command '\/bin\/sh -c echo before && exit 3' returned a non-zero code: 3\n$/);
    const exact = await writeTree(join(temp.dir, 'fail-exact'), { Dockerfile: 'FROM busybox\nRUN exit 3\n' });
    const plain = await build([exact]);
    assert.equal(plain.stderr, "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n");
  });

  await t.test('a missing COPY source fails with docker\'s message', async () => {
    const dir = await writeTree(join(temp.dir, 'nocopy'), { Dockerfile: 'FROM busybox\nCOPY nothere.txt /x\n' });
    const r = await build(['-t', 'nocopy', dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'COPY failed: file not found in build context or excluded by .dockerignore: stat nothere.txt: file does not exist\n');
    assert.match(r.stdout, /Step 2\/2 : COPY nothere.txt \/x\n$/);
    assert.equal(await imageSummary(api, 'nocopy'), undefined);
  });

  await t.test('flags: --build-arg, --label, and docker\'s flag errors', async () => {
    const dir = await writeTree(join(temp.dir, 'args'), { Dockerfile: 'FROM busybox\nARG GREETING\nARG FROM_ENV\nRUN echo "$GREETING $FROM_ENV"\n' });
    const r = await run([process.execPath, '--', CLI, '--host', daemon.host, 'build', '--build-arg', 'GREETING=hi', '--build-arg', 'FROM_ENV', '--label', 'com.example=yes', '-t', 'args', dir], {
      env: { ...process.env, FROM_ENV: 'there' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nhi there\n/);
    assert.equal((await imageSummary(api, 'args'))!.Config.Labels?.['com.example'], 'yes');
    const badTag = await build(['-t', 'UPPER', dir]);
    assert.equal(badTag.code, 125);
    assert.match(badTag.stderr, /^invalid argument "UPPER" for "-t, --tag" flag: invalid reference format: repository name \(library\/UPPER\) must be lowercase\n/);
    const badArg = await build(['--build-arg', '=x', dir]);
    assert.equal(badArg.code, 125);
    assert.match(badArg.stderr, /^invalid argument "=x" for "--build-arg" flag: invalid environment variable: =x\n/);
  });

  await t.test('nothing is left behind', async () => {
    assert.deepEqual(await api.listContainers({ all: true }), [], 'build containers are removed');
  });
});

test('daemon: the docker CLI\'s context for a Dockerfile outside it (no end-of-archive blocks) is accepted', async (t: TestContext) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-build-docker-f-');
  t.after(() => temp.cleanup());
  const daemon = await startDaemon(join(temp.dir, 'd'));
  t.after(() => daemon.stop());
  const api = new Docker({ socketPath: daemon.socket });
  t.after(() => removeEverything(api));
  const docker = await dockerCli(temp.dir, daemon);
  if (!docker) {
    t.skip('the docker CLI is not installed');
    return;
  }
  assert.equal((await docker(['import', await makeBusyboxTarball(temp.dir), 'busybox'])).code, 0);
  const dir = await writeTree(join(temp.dir, 'ctx'), { 'hello.txt': 'hello\n' });
  const dockerfile = await writeTree(join(temp.dir, 'df'), { Dockerfile: 'FROM busybox\nCOPY hello.txt /\n' });
  const r = await docker(['build', '-f', join(dockerfile, 'Dockerfile'), dir]);
  assert.equal(r.code, 0, r.stderr);
});

test('daemon: COPY . /dir/ from a sent context creates /dir 0755 as dockerd does', async (t: TestContext) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-build-copy-mode-');
  t.after(() => temp.cleanup());
  const daemon = await startDaemon(join(temp.dir, 'd'));
  t.after(() => daemon.stop());
  const api = new Docker({ socketPath: daemon.socket });
  t.after(() => removeEverything(api));
  const strata = (args: string[]) => run([process.execPath, '--', CLI, '--host', daemon.host, ...args], { timeoutMs: 120_000 });
  assert.equal((await strata(['import', await makeBusyboxTarball(temp.dir), 'busybox'])).code, 0);
  const dir = await writeTree(join(temp.dir, 'ctx'), { Dockerfile: 'FROM busybox\nCOPY . /ctx/\nRUN stat -c %a /ctx\n', 'f.txt': 'f\n' });
  const r = await strata(['build', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n755\n/);
});
