import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { needsOverlay } from '../../test/support/privileged.js';
import { makeTempRoot } from '../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../test/support/busybox.js';
import { makeContainerEngine, type ContainerEngine } from '../../test/support/engine.js';
import { containerChanges, commitContainer } from './container-changes.js';
import { containerLogs } from './container-logs.js';
import { ChangeKind } from './changes.js';

async function execOutput(engine: ContainerEngine, container: string, cmd: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const id = engine.execs.create(container, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const session = await engine.execs.start(id);
  const [stdout, stderr, code] = await Promise.all([text(session.stdout), text(session.stderr), session.exited]);
  return { code, stdout, stderr };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

test('seed scenario: two containers on one image, copy-on-write per container', async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-seed-');
  let engine: ContainerEngine | undefined;
  try {
    engine = await makeContainerEngine(temp.dir);
    const base = await engine.images.importRootfs(createReadStream(await makeBusyboxTarball(temp.dir)), { reference: 'busybox' });
    const image = await engine.images.appendLayer(base, Readable.from(await baseFileLayer(temp.dir)), { reference: 'base-image', createdBy: 'RUN echo base > /base_file.txt' });

    const c1 = await engine.containers.create({ Image: 'base-image', Cmd: ['tail', '-f', '/dev/null'], name: 'container1' });
    const c2 = await engine.containers.create({ Image: 'base-image', Cmd: ['tail', '-f', '/dev/null'], name: 'container2' });
    await engine.containers.start('container1');
    await engine.containers.start('container2');
    assert.equal(engine.containers.get('container1').state.Status, 'running');

    const modify = await execOutput(engine, 'container1', ['sh', '-c', 'echo "modified in container1" > /base_file.txt']);
    assert.equal(modify.code, 0, modify.stderr);
    assert.equal((await execOutput(engine, 'container1', ['cat', '/base_file.txt'])).stdout, 'modified in container1\n');
    assert.equal((await execOutput(engine, 'container2', ['cat', '/base_file.txt'])).stdout, 'base content\n');

    const d1 = await containerChanges(engine.containers, 'container1');
    assert.deepEqual(d1, [{ Path: '/base_file.txt', Kind: ChangeKind.Modify }]);
    assert.deepEqual(await containerChanges(engine.containers, 'container2'), []);

    // Only container1's writable layer holds a copy; the image layer is unchanged.
    const upper1 = (await engine.images.snapshotter.layerDir(c1.id)).dir;
    const upper2 = (await engine.images.snapshotter.layerDir(c2.id)).dir;
    assert.equal(await readFile(join(upper1, 'base_file.txt'), 'utf8'), 'modified in container1\n');
    await assert.rejects(stat(join(upper2, 'base_file.txt')), /ENOENT/);
    const chain = await engine.images.chainIds(image);
    const imageLayer = (await engine.images.snapshotter.layerDir(chain[chain.length - 1]!)).dir;
    assert.equal(await readFile(join(imageLayer, 'base_file.txt'), 'utf8'), 'base content\n');

    // Commit container1: the new image's one new layer holds only the change, and runs with it.
    const committed = await commitContainer(engine.containers, 'container1', { reference: 'committed' });
    const config = await engine.images.config(committed);
    assert.equal(config.rootfs.diff_ids.length, 3);
    await engine.containers.create({ Image: 'committed', Cmd: ['cat', '/base_file.txt'], name: 'c3' });
    const exited = engine.containers.wait('c3', 'next-exit');
    await engine.containers.start('c3');
    assert.deepEqual(await exited, { StatusCode: 0 });
    const lines: string[] = [];
    for await (const line of containerLogs(engine.containers, 'c3')) lines.push(`${line.stream}:${line.data.toString()}`);
    assert.deepEqual(lines, ['stdout:modified in container1\n']);

    await engine.containers.remove('container1', { force: true });
    await engine.containers.remove('container2', { force: true });
    assert.equal(engine.containers.list().length, 1);
  } finally {
    await engine?.close();
    await temp.cleanup();
  }
});

/** A one-file layer: /base_file.txt with "base content". */
async function baseFileLayer(dir: string): Promise<Buffer> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { packLayer } = await import('../archive/index.js');
  const tree = join(dir, 'base-layer');
  await mkdir(tree, { recursive: true });
  await writeFile(join(tree, 'base_file.txt'), 'base content\n');
  const chunks: Buffer[] = [];
  for await (const c of packLayer(tree, { whiteouts: 'none' })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
