import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { needsOverlay } from '../../../test/support/privileged.js';
import { makeTempRoot } from '../../../test/support/temp-root.js';
import { makeBusyboxTarball } from '../../../test/support/busybox.js';
import { startDaemon, strata, type TestDaemon } from '../../../test/support/daemon.js';
import { createApiClient, toDaemonError, type Docker } from '../../api/client/index.js';
import { parseFlags } from '../parser/flags.js';
import { optionsFrom, type CommandContext, type CommandSpec } from '../parser/command.js';
import { saveCommand, loadCommand } from './image-archive.js';

interface Io { stdin?: Readable; stdinTty?: boolean; stdoutTty?: boolean }

/**
 * Runs a command module the way cli/main does (flags parsed, a context over the daemon),
 * without its registration in the command table; returns its stdout bytes and stderr text.
 */
async function runCommand(daemon: TestDaemon, spec: CommandSpec, argv: string[], io: Io = {}): Promise<{ stdout: Buffer; stderr: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  if (io.stdoutTty) Object.assign(stdout, { isTTY: true });
  const stdin = io.stdin ?? Readable.from([]);
  if (io.stdinTty) Object.assign(stdin, { isTTY: true });
  let stderr = '';
  let docker: Docker | undefined;
  const ctx: CommandContext = {
    host: daemon.host, stdin, stdout, stderr: new PassThrough(),
    out: (text) => { stdout.write(text); },
    err: (text) => { stderr += text; },
    async call(request) {
      docker ??= createApiClient(daemon.host);
      try {
        return await request(docker);
      } catch (e) {
        throw toDaemonError(e, daemon.host);
      }
    },
  };
  const parsed = parseFlags(argv, spec.flags);
  await spec.run(ctx, optionsFrom(parsed.values, parsed.given), parsed.args);
  await new Promise((r) => setImmediate(r));
  return { stdout: Buffer.concat(chunks), stderr };
}

test('strata save and strata load', async (t) => {
  if (await needsOverlay(t)) return;
  const temp = await makeTempRoot('strata-cli-archive-');
  t.after(() => temp.cleanup());
  const tarball = await makeBusyboxTarball(temp.dir);
  const daemon = await startDaemon(join(temp.dir, 'd'));
  t.after(() => daemon.stop());
  const imported = await strata(daemon, ['import', tarball, 'busybox']);
  assert.equal(imported.code, 0, imported.stderr);
  const id = imported.stdout.trim();
  const file = join(temp.dir, 'out', 'busybox.tar');

  await t.test('save: to stdout when it is not a terminal, refused when it is', async () => {
    const { stdout } = await runCommand(daemon, saveCommand, ['busybox']);
    assert.equal(stdout.length % 512, 0);
    assert.ok(stdout.includes(Buffer.from('manifest.json')));
    await assert.rejects(runCommand(daemon, saveCommand, ['busybox'], { stdoutTty: true }), { message: 'cowardly refusing to save to a terminal. Use the -o flag or redirect' });
  });

  await t.test('save -o: the whole archive appears under the name at once, or not at all', async () => {
    await assert.rejects(runCommand(daemon, saveCommand, ['-o', file, 'busybox']), { message: `failed to save image: invalid output path: directory "${join(temp.dir, 'out')}" does not exist` });
    await import('node:fs/promises').then((fs) => fs.mkdir(join(temp.dir, 'out')));
    await assert.rejects(runCommand(daemon, saveCommand, ['-o', file, 'nosuch']), { message: 'No such image: nosuch:latest' });
    assert.deepEqual(await readdir(join(temp.dir, 'out')), [], 'no temp file left by the failure');
    const { stdout } = await runCommand(daemon, saveCommand, ['--output', file, 'busybox', id]);
    assert.equal(stdout.length, 0);
    assert.deepEqual(await readdir(join(temp.dir, 'out')), ['busybox.tar']);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'as the docker CLI leaves it');
    const stdoutCopy = (await runCommand(daemon, saveCommand, ['busybox', id])).stdout;
    assert.ok((await readFile(file)).equals(stdoutCopy), 'file and stdout get the same bytes');
  });

  await t.test('load -i and from stdin, with Docker\'s output', async () => {
    const rmi = await strata(daemon, ['rmi', 'busybox']);
    assert.equal(rmi.code, 0, rmi.stderr);
    const fromFile = await runCommand(daemon, loadCommand, ['-i', file]);
    assert.equal(fromFile.stdout.toString(), 'Loaded image: busybox:latest\n');
    const images = await strata(daemon, ['images', '-q', '--no-trunc']);
    assert.equal(images.stdout, `${id}\n`);
    const fromStdin = await runCommand(daemon, loadCommand, ['-q'], { stdin: Readable.from([await readFile(file)]) });
    assert.equal(fromStdin.stdout.toString(), 'Loaded image: busybox:latest\n');
    await assert.rejects(runCommand(daemon, loadCommand, [], { stdinTty: true }), { message: 'requested load from stdin, but stdin is empty' });
    await assert.rejects(runCommand(daemon, loadCommand, ['-i', join(temp.dir, 'nope.tar')]), { message: `open ${join(temp.dir, 'nope.tar')}: no such file or directory` });
  });

  await t.test('load of a damaged archive fails with the daemon\'s message', async () => {
    const bytes = await readFile(file);
    const bad = join(temp.dir, 'bad.tar');
    await writeFile(bad, bytes.subarray(0, bytes.length - 5000));
    await assert.rejects(runCommand(daemon, loadCommand, ['-i', bad]), /invalid archive: /);
  });
});
