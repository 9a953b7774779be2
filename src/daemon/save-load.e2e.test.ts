import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, writeFile, stat } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { findExecutable } from '../host/index.js';
import { needsOverlay, skipOrFail } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { startDaemon, run, type TestDaemon } from '../../test/support/daemon.js';

interface Reply { status: number; body: Buffer; headers: IncomingMessage['headers'] }

function api(daemon: TestDaemon, method: string, path: string, body?: Buffer | NodeJS.ReadableStream): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: daemon.socket, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body && !Buffer.isBuffer(body)) body.pipe(req);
    else req.end(body);
  });
}

async function blobsOf(daemon: TestDaemon): Promise<string[]> {
  return (await readdir(join(daemon.root, 'content', 'blobs', 'sha256')).catch(() => [] as string[])).sort();
}

/** The fields of `docker image inspect` that must survive save → load (paths and tag times differ). */
function portable(inspect: Record<string, unknown>) {
  const { Id, RepoTags, Created, Config, Architecture, Os, Comment, Author, RootFS, Size } = inspect;
  return { Id, RepoTags, Created, Config, Architecture, Os, Comment, Author, RootFS, Size };
}

test('docker save and docker load between two stratad daemons, through the real docker CLI', async (t) => {
  if (await needsOverlay(t)) return;
  const dockerBin = await findExecutable('docker');
  if (!dockerBin) {
    skipOrFail(t, 'the docker CLI is not installed');
    return;
  }
  const temp = await makeTempRoot('strata-save-load-');
  t.after(() => temp.cleanup());
  const tarball = await makeBusyboxTarball(temp.dir);
  const source = await startDaemon(join(temp.dir, 'd1'));
  t.after(() => source.stop());
  const target = await startDaemon(join(temp.dir, 'd2'));
  t.after(() => target.stop());
  const dockerConfig = join(temp.dir, 'docker-config');
  await mkdir(dockerConfig);
  const docker = (daemon: TestDaemon, ...args: string[]) => run([dockerBin, ...args], {
    env: { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: dockerConfig, DOCKER_CLI_HINTS: 'false' },
    timeoutMs: 120_000,
  });
  const inspect = async (daemon: TestDaemon, name: string) => {
    const r = await docker(daemon, 'image', 'inspect', name);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Record<string, unknown>[])[0]!;
  };
  const archive = join(temp.dir, 'busybox.tar');

  await t.test('docker save -o writes the archive; docker load -i on another daemon gives the same image', async () => {
    const imported = await docker(source, 'import', '--change', 'CMD ["sh"]', tarball, 'busybox:latest');
    assert.equal(imported.code, 0, imported.stderr);
    const saved = await docker(source, 'save', 'busybox', '-o', archive);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(saved.stdout, '');
    assert.ok((await stat(archive)).size > 1_000_000);
    const loaded = await docker(target, 'load', '-i', archive);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, 'Loaded image: busybox:latest\n');
    assert.deepEqual(portable(await inspect(target, 'busybox')), portable(await inspect(source, 'busybox')));
    const images = await docker(target, 'images', '--format', '{{.Repository}}:{{.Tag}}');
    assert.equal(images.stdout, 'busybox:latest\n');
    // The same image saved again, from either daemon, is the same archive.
    const again = join(temp.dir, 'again.tar');
    assert.equal((await docker(target, 'save', '-o', again, 'busybox:latest')).code, 0);
    assert.ok((await readFile(again)).equals(await readFile(archive)));
  });

  await t.test('a tag that moves is reported; the old image stays untagged', async () => {
    const other = join(temp.dir, 'other.tar');
    const tiny = await api(source, 'GET', '/images/busybox/get');
    assert.equal(tiny.status, 200);
    assert.equal(tiny.headers['content-type'], 'application/x-tar');
    await writeFile(other, tiny.body);
    const previous = await docker(target, 'import', '--message', 'another', tarball, 'busybox:latest');
    assert.equal(previous.code, 0, previous.stderr);
    const oldId = previous.stdout.trim();
    const loaded = await docker(target, 'load', '-i', other);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, `The image busybox:latest already exists, renaming the old one with ID ${oldId} to empty string\nLoaded image: busybox:latest\n`);
    const dangling = await docker(target, 'images', '--filter', 'dangling=true', '-q', '--no-trunc');
    assert.equal(dangling.stdout, `${oldId}\n`);
  });

  await t.test('a corrupted layer is refused and nothing is loaded', async () => {
    const bytes = await readFile(archive);
    const layerAt = bytes.indexOf(Buffer.from('bin/busybox'));
    assert.ok(layerAt > 0);
    bytes[layerAt + 600_000] ^= 0xff;
    const bad = join(temp.dir, 'bad.tar');
    await writeFile(bad, bytes);
    const fresh = await startDaemon(join(temp.dir, 'd3'));
    t.after(() => fresh.stop());
    const loaded = await docker(fresh, 'load', '-i', bad);
    assert.equal(loaded.code, 1);
    assert.match(loaded.stderr, /^layer 1 of busybox:latest \(blobs\/sha256\/[0-9a-f]{64}\) is corrupt: /);
    assert.equal((await docker(fresh, 'images', '-q')).stdout, '');
    assert.deepEqual(await blobsOf(fresh), [], 'no blob left behind');
  });

  await t.test('the API: progress when not quiet, errors in the stream, 404 before the first byte', async () => {
    const fresh = await startDaemon(join(temp.dir, 'd4'));
    t.after(() => fresh.stop());
    const noisy = await api(fresh, 'POST', '/v1.47/images/load?quiet=0', createReadStream(archive));
    assert.equal(noisy.status, 200);
    assert.equal(noisy.headers['content-type'], 'application/json');
    const lines = noisy.body.toString().trim().split(/\r?\n/).map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = lines.filter((l) => l.status === 'Loading layer');
    assert.ok(progress.length >= 1, noisy.body.toString());
    assert.match(String(progress.at(-1)!.progress), /^\[=+>\] +[\d.]+MB\/[\d.]+MB$/);
    assert.deepEqual(lines.at(-1), { stream: 'Loaded image: busybox:latest\n' });
    const quiet = await api(fresh, 'POST', '/images/load', createReadStream(archive));
    assert.equal(quiet.body.toString(), '{"stream":"Loaded image: busybox:latest\\n"}\r\n');
    const junk = await api(fresh, 'POST', '/images/load', Buffer.alloc(4096, 7));
    assert.equal(junk.status, 200);
    assert.match(JSON.parse(junk.body.toString()).errorDetail.message, /^invalid archive: tar header/);
    const missing = await api(fresh, 'GET', '/images/get?names=busybox&names=nosuch');
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.body.toString()), { message: 'No such image: nosuch:latest' });
  });

  await t.test('a client that disconnects mid-upload leaves nothing', async () => {
    const fresh = await startDaemon(join(temp.dir, 'd5'));
    t.after(() => fresh.stop());
    const bytes = await readFile(archive);
    await new Promise<void>((resolve) => {
      const req = request({ socketPath: fresh.socket, method: 'POST', path: '/images/load', headers: { 'Content-Type': 'application/x-tar' } });
      req.on('error', () => resolve());
      req.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => setTimeout(() => { req.destroy(); resolve(); }, 200));
    });
    // The daemon notices, cancels and collects; give it a bounded moment.
    const deadline = Date.now() + 10_000;
    while ((await blobsOf(fresh)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await blobsOf(fresh), []);
    assert.deepEqual(JSON.parse((await api(fresh, 'GET', '/images/json')).body.toString()), []);
    const ingests = await readdir(join(fresh.root, 'content', 'ingest')).catch(() => [] as string[]);
    assert.deepEqual(ingests, []);
  });
});
