import assert from 'node:assert/strict';
import { lstat, readdir, readFile, readlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { packLayer } from '../archive/index.js';
import { imageHistory } from '../images/index.js';
import { layerEntries, readImageFile, withBuildKit } from './testsuite/build-kit.js';

test('the seed Dockerfile: one new layer holding /base_file.txt, history and parents as Docker records them', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ Dockerfile: 'FROM busybox\nRUN echo "base content" > /base_file.txt\n' });
  const out = await kit.build({ context: { dir }, tags: ['seed'] });
  assert.equal(out.error, undefined);
  assert.match(out.text, /^Step 1\/2 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/2 : RUN echo "base content" > \/base_file.txt\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
  assert.match(out.text, /Successfully built [0-9a-f]{12}\nSuccessfully tagged seed:latest\n$/);
  const id = out.imageId!;
  assert.equal(kit.images.resolve('seed').id, id);

  const config = await kit.images.config(id);
  const base = await kit.images.config(kit.busybox);
  assert.equal(config.rootfs.diff_ids.length, base.rootfs.diff_ids.length + 1);
  assert.deepEqual(config.rootfs.diff_ids.slice(0, -1), base.rootfs.diff_ids, 'the base layer is shared, not copied');
  assert.deepEqual(await layerEntries(kit, config.rootfs.diff_ids.at(-1)!), ['base_file.txt'], 'only the new file: no /proc, /sys, /dev or /etc left by runc');
  assert.equal(await readImageFile(kit, id, 'base_file.txt'), 'base content\n');
  assert.equal(config.history?.at(-1)?.created_by, '/bin/sh -c echo "base content" > /base_file.txt');
  assert.equal(config.history?.at(-1)?.empty_layer, undefined);
  assert.equal(kit.images.store.get(id).parent, kit.busybox);
  assert.deepEqual(config.config?.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);

  // The committed snapshot is the step's own directory: nothing was unpacked again.
  const chain = await kit.images.chainIds(id);
  const info = await kit.images.snapshotter.stat(chain.at(-1)!);
  assert.equal(info.kind, 'committed');
  const history = await imageHistory(kit.images, kit.images.store.get(id));
  assert.deepEqual(history.map((h) => h.Id), [id, kit.busybox]);
  assert.deepEqual(await kit.leftovers(), []);
}));

test('every instruction: config, layers only for filesystem changes, Docker\'s history lines', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({
    'a.txt': 'hello\n',
    'd/x': 'x\n',
    Dockerfile: [
      'FROM busybox',
      'ARG A=1',
      'ENV E=v',
      'LABEL l=1',
      'RUN echo "base content" > /base_file.txt',
      'RUN echo hi',
      'COPY a.txt /dst/',
      'COPY d /dd',
      'ADD a.txt /add.txt',
      'WORKDIR /work',
      'WORKDIR /tmp',
      'USER nobody',
      'EXPOSE 80/tcp 90',
      'VOLUME /v',
      'ONBUILD RUN echo trig',
      'STOPSIGNAL SIGKILL',
      'HEALTHCHECK --interval=5s CMD true',
      'SHELL ["/bin/sh", "-ec"]',
      'CMD ["sh"]',
      'ENTRYPOINT echo x',
      'MAINTAINER me',
    ].join('\n'),
  });
  const out = await kit.build({ context: { dir }, tags: ['all'], buildArgs: { A: '2' } });
  assert.equal(out.error, undefined, out.text);
  assert.match(out.text, /Step 6\/21 : RUN echo hi\n ---> Running in [0-9a-f]{12}\nhi\nRemoving intermediate container/);
  const config = await kit.images.config(out.imageId!);
  assert.deepEqual(config.config, {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'E=v'],
    Labels: { l: '1' },
    WorkingDir: '/tmp',
    User: 'nobody',
    ExposedPorts: { '80/tcp': {}, '90/tcp': {} },
    Volumes: { '/v': {} },
    OnBuild: ['RUN echo trig'],
    StopSignal: 'SIGKILL',
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5e9 },
    Shell: ['/bin/sh', '-ec'],
    Cmd: ['sh'],
    Entrypoint: ['/bin/sh', '-ec', 'echo x'],
  });
  assert.equal(config.author, 'me');
  const history = (config.history ?? []).slice(1);
  assert.deepEqual(history.map((h) => [h.created_by, h.empty_layer ?? false]), [
    ['/bin/sh -c #(nop)  ARG A=1', true],
    ['/bin/sh -c #(nop)  ENV E=v', true],
    ['/bin/sh -c #(nop)  LABEL l=1', true],
    ['|1 A=2 /bin/sh -c echo "base content" > /base_file.txt', false],
    ['|1 A=2 /bin/sh -c echo hi', true],
    ['/bin/sh -c #(nop) COPY file:00ec16333078d287782d462baefc8bb9eb0231dc3aefba3ca3e2f7e5cf0cadda in /dst/ ', false],
    ['/bin/sh -c #(nop) COPY dir:649c5e2d66cc69f4dedf115b0e9a088e65df0feaaa8b7780719ea57dabf2c9ca in /dd ', false],
    ['/bin/sh -c #(nop) ADD file:00ec16333078d287782d462baefc8bb9eb0231dc3aefba3ca3e2f7e5cf0cadda in /add.txt ', false],
    ['/bin/sh -c #(nop) WORKDIR /work', false],
    ['/bin/sh -c #(nop) WORKDIR /tmp', true],
    ['/bin/sh -c #(nop)  USER nobody', true],
    ['/bin/sh -c #(nop)  EXPOSE 80/tcp 90', true],
    ['/bin/sh -c #(nop)  VOLUME [/v]', true],
    ['/bin/sh -c #(nop)  ONBUILD RUN echo trig', true],
    ['/bin/sh -c #(nop)  STOPSIGNAL SIGKILL', true],
    ['/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" \'\\x00\'}', true],
    ['/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]', true],
    ['/bin/sh -ec #(nop)  CMD ["sh"]', true],
    ['/bin/sh -ec #(nop)  ENTRYPOINT ["/bin/sh" "-ec" "echo x"]', true],
    ['/bin/sh -ec #(nop)  MAINTAINER me', true],
  ]);
  // busybox + RUN + COPY + COPY + ADD + WORKDIR /work: what Docker counted too.
  assert.equal(config.rootfs.diff_ids.length, 6);
  await kit.withImageRoot(out.imageId!, async (root) => {
    assert.equal(await readFile(join(root, 'dst/a.txt'), 'utf8'), 'hello\n');
    assert.equal(await readFile(join(root, 'dd/x'), 'utf8'), 'x\n');
    assert.equal(await readFile(join(root, 'add.txt'), 'utf8'), 'hello\n');
    assert.ok((await lstat(join(root, 'work'))).isDirectory());
    assert.equal((await lstat(join(root, 'dst/a.txt'))).uid, 0);
  });
  // Every step is an image whose parent is the step before: history shows IDs, not <missing>.
  const rows = await imageHistory(kit.images, kit.images.store.get(out.imageId!));
  assert.ok(rows.every((r) => r.Id !== '<missing>'));
  assert.equal(new Set(rows.map((r) => r.Id)).size, rows.length);
  assert.deepEqual(await kit.leftovers(), []);
}));

test('multi-stage: --target, COPY --from a stage by name and index and an image, unneeded stages skipped', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({
    Dockerfile: [
      'FROM busybox AS never',
      'RUN exit 1',
      'FROM busybox AS first',
      'RUN echo one > /one',
      'FROM scratch AS second',
      'COPY --from=first /one /one',
      'FROM busybox',
      'COPY --from=first /one /from-first',
      'COPY --from=2 /one /from-2',
      'COPY --from=busybox /etc/passwd /pw',
    ].join('\n'),
  });
  const out = await kit.build({ context: { dir }, tags: ['ms'] });
  assert.equal(out.error, undefined, out.text);
  assert.doesNotMatch(out.text, /exit 1/, 'the stage nothing needs is not built');
  assert.match(out.text, /Step 1\/8 : FROM busybox AS first/);
  assert.match(out.text, /Step 3\/8 : FROM scratch AS second\n ---> \n/);
  assert.equal((out.text.match(/\{aux /g) ?? []).length, 3, 'each stage reports its image');
  await kit.withImageRoot(out.imageId!, async (root) => {
    assert.equal(await readFile(join(root, 'from-first'), 'utf8'), 'one\n');
    assert.equal(await readFile(join(root, 'from-2'), 'utf8'), 'one\n');
    assert.match(await readFile(join(root, 'pw'), 'utf8'), /^root:/);
  });

  const second = await kit.build({ context: { dir }, target: 'second', tags: ['second'] });
  assert.equal(second.error, undefined, second.text);
  assert.match(second.text, /Step 4\/4 : COPY --from=first \/one \/one\n ---> Using cache\n/);
  const config = await kit.images.config(second.imageId!);
  assert.equal(config.rootfs.diff_ids.length, 1, 'a scratch stage has only its own layer');
  assert.deepEqual(await layerEntries(kit, config.rootfs.diff_ids[0]!), ['one']);
  assert.deepEqual(await kit.leftovers(), []);
}));

test('ARG scoping: meta args in FROM and as stage defaults, --build-arg, proxy args kept out of history, unused warning', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({
    Dockerfile: ['ARG BASE=busybox', 'ARG V=1', 'FROM ${BASE}', 'ARG V', 'ARG W=w', 'RUN echo "V=$V W=$W P=$HTTP_PROXY" > /args', 'ENV W=env', 'RUN echo "W=$W" >> /args'].join('\n'),
  });
  const out = await kit.build({ context: { dir }, buildArgs: { W: 'given', HTTP_PROXY: 'proxy', UNUSED: 'x' } });
  assert.equal(out.error, undefined, out.text);
  assert.match(out.text, /^Step 1\/8 : ARG BASE=busybox\nStep 2\/8 : ARG V=1\nStep 3\/8 : FROM \$\{BASE\}\n/);
  assert.match(out.text, /\[Warning\] One or more build-args \[UNUSED\] were not consumed\n/);
  assert.equal(await readImageFile(kit, out.imageId!, 'args'), 'V=1 W=given P=proxy\nW=env\n');
  const history = (await kit.images.config(out.imageId!)).history!.map((h) => h.created_by);
  assert.ok(history.includes('|2 V=1 W=given /bin/sh -c echo "V=$V W=$W P=$HTTP_PROXY" > /args'), history.join('\n'));
  assert.ok(history.includes('|1 V=1 /bin/sh -c echo "W=$W" >> /args'), 'ENV now sets W: the arg is not passed');
}));

test('ONBUILD triggers run in the child build, and are not inherited further', (t) => withBuildKit(t, async (kit) => {
  const parentDir = await kit.context({ 'a.txt': 'trig\n', Dockerfile: 'FROM busybox\nONBUILD RUN echo "trigger" > /trig\nONBUILD COPY a.txt /trig.txt\n' });
  assert.equal((await kit.build({ context: { dir: parentDir }, tags: ['withtrig'] })).error, undefined);
  const out = await kit.build({ context: { dir: parentDir }, dockerfile: { text: 'FROM withtrig\nRUN cat /trig /trig.txt > /both\n' } });
  assert.equal(out.error, undefined, out.text);
  assert.match(out.text, /Step 1\/2 : FROM withtrig\n# Executing 2 build triggers\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\nStep 2\/2/);
  assert.equal(await readImageFile(kit, out.imageId!, 'both'), 'trigger\ntrig\n');
  assert.equal((await kit.images.config(out.imageId!)).config?.OnBuild, undefined);
}));

test('COPY rules: --chown/--chmod, wildcards, file into directory, symlinks copied as links, image symlinks not followed out', (t) => withBuildKit(t, async (kit) => {
  const canary = join(kit.dir, 'canary');
  await writeFile(canary, 'untouched');
  const dir = await kit.context({
    'a.txt': 'a', 'w/1.txt': '1', 'w/2.txt': '2', 'w/skip.md': 's', 'links/abs': { link: '/etc/passwd' }, 'links/up': { link: '../../../etc' },
    Dockerfile: [
      'FROM busybox',
      `RUN ln -s ${kit.dir} /hostdir && mkdir /real`,
      'COPY --chown=nobody:nogroup --chmod=600 a.txt /owned',
      'COPY w/*.txt /w/',
      'COPY a.txt w/1.txt /multi/',
      'COPY a.txt /real',
      'COPY links /links',
      'COPY a.txt /hostdir/canary',
      'WORKDIR /rel',
      'COPY a.txt here',
    ].join('\n'),
  });
  const out = await kit.build({ context: { dir } });
  assert.equal(out.error, undefined, out.text);
  assert.equal(await readFile(canary, 'utf8'), 'untouched', 'a symlink in the image never leads to the host');
  await kit.withImageRoot(out.imageId!, async (root) => {
    const owned = await lstat(join(root, 'owned'));
    assert.deepEqual([owned.uid, owned.gid, owned.mode & 0o777], [65534, 65534, 0o600]);
    assert.deepEqual((await readdir(join(root, 'w'))).sort(), ['1.txt', '2.txt']);
    assert.deepEqual((await readdir(join(root, 'multi'))).sort(), ['1.txt', 'a.txt']);
    assert.equal(await readFile(join(root, 'real/a.txt'), 'utf8'), 'a');
    assert.equal(await readlink(join(root, 'links/abs')), '/etc/passwd');
    assert.equal(await readlink(join(root, 'links/up')), '../../../etc');
    assert.equal(await readFile(join(root, 'rel/here'), 'utf8'), 'a');
    // The COPY through /hostdir landed inside the image, where the link resolves in the root.
    assert.equal(await readFile(join(root, kit.dir, 'canary'), 'utf8'), 'a');
  });
  assert.deepEqual(await kit.leftovers(), []);
}));

test('COPY of a tree over many directories (copied side by side): every file, owner, mode and time; a later source wins', (t) => withBuildKit(t, async (kit) => {
  const files: Record<string, string | { link: string }> = { 'big/large.bin': 'L'.repeat(300_000), 'over/d0/f0.txt': 'replaced' };
  for (let d = 0; d < 7; d++) for (let f = 0; f < 6; f++) files[`tree/d${d}/f${f}.txt`] = `tree ${d} ${f}\n`;
  files['tree/d3/link'] = { link: '../d4/f1.txt' };
  files.Dockerfile = [
    'FROM busybox',
    'RUN mkdir -p /dst/d0 && echo lower > /dst/d0/f5.txt && echo stays > /dst/d0/extra',
    'COPY --chmod=640 --chown=nobody:nogroup tree big /dst/',
    'COPY tree over/ /two/',
  ].join('\n');
  const dir = await kit.context(files);
  const mtime = new Date('2001-02-03T04:05:06Z');
  await utimes(join(dir, 'tree/d2/f2.txt'), mtime, mtime);
  const out = await kit.build({ context: { tar: packLayer(dir, { whiteouts: 'none' }) } });
  assert.equal(out.error, undefined, out.text);
  await kit.withImageRoot(out.imageId!, async (root) => {
    for (let d = 0; d < 7; d++) {
      for (let f = 0; f < 6; f++) {
        const path = join(root, `dst/d${d}/f${f}.txt`);
        assert.equal(await readFile(path, 'utf8'), `tree ${d} ${f}\n`, path);
        const st = await lstat(path);
        assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [65534, 65534, 0o640], path);
        assert.equal(await readFile(join(root, `two/d${d}/f${f}.txt`), 'utf8'), d === 0 && f === 0 ? 'replaced' : `tree ${d} ${f}\n`);
      }
    }
    assert.equal(await readFile(join(root, 'dst/d0/extra'), 'utf8'), 'stays\n', 'what the image had beside the copy stays');
    assert.equal((await lstat(join(root, 'dst/d2/f2.txt'))).mtime.getTime(), mtime.getTime(), 'the source mtime is kept');
    assert.equal(await readlink(join(root, 'dst/d3/link')), '../d4/f1.txt');
    assert.equal((await readFile(join(root, 'dst/large.bin'), 'utf8')).length, 300_000);
  });
  assert.deepEqual(await kit.leftovers(), []);
}));

test('ADD: local tar archives are extracted; http URLs are downloaded (0600, not extracted)', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ 'tarsrc/t.txt': 't\n' });
  const tarPath = join(dir, 'arch.tar');
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  await pipeline(packLayer(join(dir, 'tarsrc'), { whiteouts: 'none' }), createWriteStream(tarPath));
  const server = createServer((req, res) => {
    if (req.url === '/file.txt') res.end('downloaded\n');
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    await writeFile(join(dir, 'Dockerfile'), `FROM busybox\nADD arch.tar /ex/\nADD http://127.0.0.1:${port}/file.txt /url.txt\nADD http://127.0.0.1:${port}/file.txt /urldir/\n`);
    const out = await kit.build({ context: { dir } });
    assert.equal(out.error, undefined, out.text);
    await kit.withImageRoot(out.imageId!, async (root) => {
      assert.equal(await readFile(join(root, 'ex/t.txt'), 'utf8'), 't\n');
      assert.equal(await readFile(join(root, 'url.txt'), 'utf8'), 'downloaded\n');
      assert.equal((await lstat(join(root, 'url.txt'))).mode & 0o777, 0o600);
      assert.equal(await readFile(join(root, 'urldir/file.txt'), 'utf8'), 'downloaded\n');
    });
    const history = (await kit.images.config(out.imageId!)).history!.map((h) => h.created_by);
    assert.match(history.at(-1)!, /^\/bin\/sh -c #\(nop\) ADD [0-9a-f]{64} in \/urldir\/ $/);

    await writeFile(join(dir, 'Dockerfile'), `FROM busybox\nADD http://127.0.0.1:${port}/missing /x\n`);
    const failed = await kit.build({ context: { dir } });
    assert.match(failed.error?.message ?? '', /failed to GET http:\/\/127\.0\.0\.1:\d+\/missing with status 404/);
    assert.deepEqual(await kit.leftovers(), []);
  } finally {
    server.close();
  }
}));

test('a tar context stream, -f elsewhere in it, -q, --label, and RUN with --network none', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ 'sub/build.Dockerfile': 'FROM busybox\nRUN cat /sys/class/net/*/operstate | sort > /net; ls /sys/class/net > /ifaces\n', 'x.txt': 'x' });
  const out = await kit.build({
    context: { tar: packLayer(dir, { whiteouts: 'none' }) },
    dockerfile: { path: 'sub/build.Dockerfile' },
    quiet: true,
    network: 'none',
    labels: { 'org.example': "it's $HOME" },
    tags: ['quiet:v1'],
  });
  assert.equal(out.error, undefined, out.text);
  assert.deepEqual(out.events.map((e) => e.type), ['quiet-result']);
  assert.equal(kit.images.resolve('quiet:v1').id, out.imageId);
  assert.equal(await readImageFile(kit, out.imageId!, 'ifaces'), 'lo\n', 'only loopback with --network none');
  const config = await kit.images.config(out.imageId!);
  assert.deepEqual(config.config?.Labels, { 'org.example': "it's $HOME" });
  assert.equal(config.history?.at(-1)?.created_by, "/bin/sh -c #(nop)  LABEL org.example=it's $HOME");
  assert.deepEqual(await kit.leftovers(), []);
}));

test('.dockerignore: excluded files are not copied, exceptions are, and they never reach the cache key', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({
    '.dockerignore': '# build files\n*.log\n!keep.log\nsecrets\n**/tmp\n',
    'app/main.txt': 'main', 'app/tmp': 'scratch', 'debug.log': 'noise', 'keep.log': 'kept', 'secrets/key': 'k',
    Dockerfile: 'FROM busybox\nCOPY . /ctx\n',
  });
  const out = await kit.build({ context: { dir } });
  assert.equal(out.error, undefined, out.text);
  await kit.withImageRoot(out.imageId!, async (root) => {
    assert.deepEqual((await readdir(join(root, 'ctx'))).sort(), ['.dockerignore', 'Dockerfile', 'app', 'keep.log']);
    assert.deepEqual(await readdir(join(root, 'ctx/app')), ['main.txt']);
  });
  // Changing an excluded file changes nothing.
  await writeFile(join(dir, 'debug.log'), 'more noise');
  const again = await kit.build({ context: { dir } });
  assert.equal(again.imageId, out.imageId);
}));

test('WORKDIR adds a layer only when it creates the directory; RUN that changes nothing adds none', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ Dockerfile: 'FROM busybox\nWORKDIR /app/sub\nWORKDIR /tmp\nRUN true\nRUN pwd > out\n' });
  const out = await kit.build({ context: { dir } });
  assert.equal(out.error, undefined, out.text);
  const config = await kit.images.config(out.imageId!);
  const steps = config.history!.slice(1).map((h) => [h.created_by, h.empty_layer ?? false]);
  assert.deepEqual(steps, [
    ['/bin/sh -c #(nop) WORKDIR /app/sub', false],
    ['/bin/sh -c #(nop) WORKDIR /tmp', true],
    ['/bin/sh -c true', true],
    ['/bin/sh -c pwd > out', false],
  ]);
  assert.equal(config.rootfs.diff_ids.length, 3);
  assert.deepEqual(await layerEntries(kit, config.rootfs.diff_ids[1]!), ['app/', 'app/sub/']);
  assert.deepEqual(await layerEntries(kit, config.rootfs.diff_ids[2]!), ['tmp/', 'tmp/out']);
  assert.equal(await readImageFile(kit, out.imageId!, 'tmp/out'), '/tmp\n');
}));
