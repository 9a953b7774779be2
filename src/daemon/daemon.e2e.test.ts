import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, access, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import Docker from 'dockerode';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { startDaemon, strata, run, STRATAD_BIN, type TestDaemon } from '../../test/support/daemon.js';

interface Reply { status: number; body: string; headers: Record<string, string | string[] | undefined> }

function api(daemon: TestDaemon, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: daemon.socket, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const exists = (path: string) => access(path).then(() => true, () => false);

test('stratad serves the image API to the strata CLI, dockerode and raw clients', async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-daemon-e2e-');
  t.after(() => temp.cleanup());
  const tarball = await makeBusyboxTarball(temp.dir);
  const daemon = await startDaemon(join(temp.dir, 'd1'));
  t.after(() => daemon.stop());
  const started = BigInt(Date.now() - 1000) / 1000n;

  await t.test('pid file, socket mode, version and info', async () => {
    assert.equal((await readFile(join(daemon.execRoot, 'stratad.pid'), 'utf8')).trim(), String(daemon.pid));
    assert.equal((await stat(daemon.socket)).mode & 0o777, 0o660);
    const version = await strata(daemon, ['version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^Client: strata\n Version: +\d+\.\d+\.\d+/);
    assert.match(version.stdout, /\nServer: strata\n Engine:\n  Version: +\d+\.\d+\.\d+\n  API version: +1\.47 \(minimum version 1\.24\)\n/);
    const info = await strata(daemon, ['info']);
    assert.equal(info.code, 0, info.stderr);
    for (const line of [' Images: 0', ' Storage Driver: overlay', ' OSType: linux', ` Docker Root Dir: ${daemon.root}`, ' Containers: 0']) {
      assert.ok(info.stdout.includes(`${line}\n`), `info has "${line}":\n${info.stdout}`);
    }
    assert.equal((await strata(daemon, ['info', '--format', '{{.Driver}} {{.Images}}'])).stdout, 'overlay 0\n');
  });

  let imageId = '';
  await t.test('import a tarball and list it with Docker\'s columns', async () => {
    const imported = await strata(daemon, ['import', tarball, 'busybox']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/);
    imageId = imported.stdout.trim();
    const images = await strata(daemon, ['images']);
    const [header, row, ...rest] = images.stdout.split('\n');
    assert.match(header!, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    assert.match(row!, new RegExp(`^busybox +latest +${imageId.slice(7, 19)} +(Less than a second|\\d+ seconds?) ago +\\d+(\\.\\d+)?MB$`));
    assert.deepEqual(rest, ['']);
    assert.equal((await strata(daemon, ['images', '-q'])).stdout, `${imageId.slice(7, 19)}\n`);
    assert.equal((await strata(daemon, ['images', '-q', '--no-trunc'])).stdout, `${imageId}\n`);
  });

  await t.test('import from stdin with a message and a tag; history and inspect', async () => {
    const imported = await strata(daemon, ['import', '--message', 'from stdin', '-', 'example/tools:v1'], { input: await readFile(tarball) });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.notEqual(imported.stdout.trim(), imageId, 'another message and time: another image (sharing the layer)');
    const history = await strata(daemon, ['history', 'example/tools:v1']);
    assert.match(history.stdout, /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT\n/);
    const inspect = await strata(daemon, ['image', 'inspect', 'busybox']);
    assert.match(history.stdout, /\n[0-9a-f]{12} +(Less than a second|\d+ seconds?) ago +\d+(\.\d+)?MB +from stdin\n$/);
    const parsed = JSON.parse(inspect.stdout) as { Id: string; RepoTags: string[]; Os: string; RootFS: { Layers: string[] } }[];
    assert.equal(parsed.length, 1);
    assert.equal(parsed[0]!.Id, imageId);
    assert.deepEqual(parsed[0]!.RepoTags, ['busybox:latest']);
    assert.ok(inspect.stdout.startsWith('[\n    {\n        "Id": '), 'indented with four spaces like docker');
    const formatted = await strata(daemon, ['inspect', '--format', '{{.Os}} {{len .RootFS.Layers}} {{.Config.Cmd}} {{json .RepoDigests}}', 'busybox']);
    assert.equal(formatted.stdout, 'linux 1 [] []\n');
  });

  await t.test('tag, filters, formats', async () => {
    assert.equal((await strata(daemon, ['tag', 'busybox', 'localhost:5000/bb:2'])).code, 0);
    const filtered = await strata(daemon, ['images', '--filter', 'reference=localhost:5000/*', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(filtered.stdout, 'localhost:5000/bb:2\n');
    const byName = await strata(daemon, ['images', 'busybox', '--format', '{{.Repository}}']);
    assert.equal(byName.stdout, 'busybox\n');
    const table = await strata(daemon, ['image', 'ls', '--format', 'table {{.Repository}}\t{{.Tag}}']);
    assert.match(table.stdout, /^REPOSITORY +TAG\n/);
    const json = await strata(daemon, ['images', '--format', 'json', 'busybox']);
    assert.equal(JSON.parse(json.stdout).Repository, 'busybox');
    const bad = await strata(daemon, ['images', '--filter', 'color=red']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "Error response from daemon: invalid filter 'color'\n");
  });

  await t.test('system df', async () => {
    const df = await strata(daemon, ['system', 'df']);
    assert.match(df.stdout, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\nImages +2 +0 +[\d.]+MB +[\d.]+MB \(100%\)\nContainers +0 +0 +0B +0B\nLocal Volumes +0 +0 +0B +0B\nBuild Cache +0 +0 +0B +0B\n$/);
    const verbose = await strata(daemon, ['system', 'df', '-v']);
    assert.match(verbose.stdout, /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/);
  });

  await t.test('rmi: errors and exit codes like docker, then untag and delete', async () => {
    const missing = await strata(daemon, ['rmi', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: No such image: nosuch:latest\n');
    const untag = await strata(daemon, ['rmi', 'localhost:5000/bb:2', 'example/tools:v1']);
    assert.match(untag.stdout, /^Untagged: localhost:5000\/bb:2\nUntagged: example\/tools:v1\nDeleted: sha256:[0-9a-f]{64}\n$/, 'the second image goes; its layer stays, busybox uses it');
    const del = await strata(daemon, ['image', 'rm', 'busybox']);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, new RegExp(`^Untagged: busybox:latest\nDeleted: ${imageId}\n`));
    assert.equal((await strata(daemon, ['images', '-q'])).stdout, '');
  });

  await t.test('events: the image operations above, in order, within since/until', async () => {
    const until = BigInt(Date.now()) / 1000n + 1n;
    const events = await strata(daemon, ['events', '--since', String(started), '--until', String(until), '--filter', 'type=image']);
    assert.equal(events.code, 0, events.stderr);
    const actions = events.stdout.trim().split('\n').map((line) => line.split(' ')[2]);
    assert.deepEqual(actions, ['tag', 'import', 'tag', 'import', 'tag', 'untag', 'untag', 'delete', 'untag', 'delete']);
    assert.match(events.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) image tag sha256:[0-9a-f]{64} \(name=busybox:latest\)\n/);
    const json = await strata(daemon, ['events', '--since', String(started), '--until', String(until), '--format', '{{json .}}', '--filter', 'event=delete']);
    const messages = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { Type: string; Action: string; Actor: { ID: string }; timeNano: number });
    assert.deepEqual(messages.map((m) => m.Action), ['delete', 'delete']);
    assert.equal(messages[1]!.Actor.ID, imageId, 'busybox was deleted last');
    assert.match(json.stdout, /"timeNano":\d{19}\}/);
  });

  await t.test('dockerode works against the daemon', async () => {
    const docker = new Docker({ socketPath: daemon.socket });
    assert.equal(String(await docker.ping()), 'OK');
    const output = await docker.importImage(createReadStream(tarball), { repo: 'dockerode/test', tag: 'one' });
    for await (const _ of output) { /* wait for the end of the stream */ }
    const list = await docker.listImages({ filters: JSON.stringify({ reference: ['dockerode/*'] }) });
    assert.deepEqual(list.map((i) => i.RepoTags), [['dockerode/test:one']]);
    const inspect = await docker.getImage('dockerode/test:one').inspect();
    assert.equal(inspect.Os, 'linux');
    await assert.rejects(docker.getImage('nosuch').inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    const version = await docker.version();
    assert.equal(version.ApiVersion, '1.47');
  });

  await t.test('bad input gets Docker-style errors, never a crash', async () => {
    const json = { 'Content-Type': 'application/json' };
    const malformed = await api(daemon, 'POST', '/v1.47/auth', '{"username": ', json);
    assert.equal(malformed.status, 400);
    assert.match(JSON.parse(malformed.body).message, /^invalid JSON: /);
    const wrongType = await api(daemon, 'POST', '/auth', '{"username": 42}', json);
    assert.equal(wrongType.status, 400);
    assert.match(JSON.parse(wrongType.body).message, /username/);
    const huge = await api(daemon, 'POST', '/auth', Buffer.alloc(11 * 1024 * 1024, 0x20), json);
    assert.equal(huge.status, 413);
    const unknown = await api(daemon, 'GET', '/v1.47/containers/nosuch/frobnicate');
    assert.equal(unknown.status, 404);
    assert.deepEqual(JSON.parse(unknown.body), { message: 'page not found' });
    assert.equal((await api(daemon, 'GET', '/images/json?filters=%7Bnot-json')).status, 400);
    const badChange = await strata(daemon, ['import', '--change', 'RUN echo', tarball]);
    assert.equal(badChange.code, 1);
    assert.match(badChange.stderr, /run is not a valid change command/);
    const change = await strata(daemon, ['import', '--change', 'CMD ["sh"]', '--change', 'ENV A=b', tarball, 'changed']);
    assert.equal(change.code, 0, change.stderr);
    const config = JSON.parse((await strata(daemon, ['image', 'inspect', '--format', '{{json .Config}}', 'changed'])).stdout);
    assert.deepEqual(config.Cmd, ['sh']);
    assert.deepEqual(config.Env, ['A=b']);
    const pull = await api(daemon, 'POST', '/v1.47/images/create?fromImage=busybox&tag=latest');
    assert.equal(pull.status, 200);
    assert.match(JSON.parse(pull.body.trim()).errorDetail.message, /cannot reach registries/);
    const tagNothing = await api(daemon, 'POST', '/images/dockerode/test:one/tag');
    assert.equal(tagNothing.status, 400);
  });

  await t.test('a client that disconnects mid-import leaves no image and no partial data', async () => {
    const before = (await strata(daemon, ['images', '-aq', '--no-trunc'])).stdout;
    const data = await readFile(tarball);
    await new Promise<void>((resolve) => {
      const req = request({ socketPath: daemon.socket, method: 'POST', path: '/v1.47/images/create?fromSrc=-&repo=partial', headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(data.length) } });
      req.on('error', () => resolve());
      req.write(data.subarray(0, Math.floor(data.length / 3)), () => setTimeout(() => { req.destroy(); resolve(); }, 200));
    });
    const ingestDir = join(daemon.root, 'content', 'ingest');
    let left: string[] = [];
    for (let i = 0; i < 50; i++) {
      left = await readdir(ingestDir).catch(() => []);
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(left, [], 'the partial ingest was discarded');
    assert.equal((await strata(daemon, ['images', '-aq', '--no-trunc'])).stdout, before);
    assert.equal((await api(daemon, 'GET', '/_ping')).body, 'OK', 'the daemon keeps serving');
  });

  await t.test('a second daemon on the same store is refused, naming the first', async () => {
    const second = await run([process.execPath, STRATAD_BIN, '--root', daemon.root, '--exec-root', join(temp.dir, 'other-exec'), '--host', `unix://${join(temp.dir, 'other.sock')}`, '--config', join(temp.dir, 'd1', 'daemon.json')], { timeoutMs: 30_000 });
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, new RegExp(`another strata daemon \\(pid ${daemon.pid}\\) is using the store at ${daemon.root}`));
    assert.equal(await exists(join(temp.dir, 'other.sock')), false);
    assert.equal((await api(daemon, 'GET', '/_ping')).body, 'OK');
  });

  await t.test('SIGTERM shuts down cleanly: socket and pid file removed', async () => {
    const code = await daemon.stop();
    assert.equal(code, 0, daemon.log());
    assert.equal(await exists(daemon.socket), false);
    assert.equal(await exists(join(daemon.execRoot, 'stratad.pid')), false);
    assert.match(daemon.log(), /"msg":"daemon shutdown complete"/);
  });

  await t.test('the CLI says when no daemon answers', async () => {
    const down = await strata(daemon, ['images']);
    assert.equal(down.code, 1);
    assert.equal(down.stderr, `Cannot connect to the strata daemon at ${daemon.host}. Is the strata daemon running?\n`);
  });
});

test('the daemon refuses plain TCP unless told to', async (t) => {
  const temp = await makeTempRoot('strata-daemon-tcp-');
  t.after(() => temp.cleanup());
  const refused = await run([process.execPath, STRATAD_BIN, '--root', join(temp.dir, 'root'), '--exec-root', join(temp.dir, 'exec'), '--host', 'tcp://127.0.0.1:23750', '--storage-driver', 'native'], { timeoutMs: 30_000 });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refusing to listen on tcp:\/\/127\.0\.0\.1:23750: the API has no TLS/);
});
