import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packLayer } from '../archive/index.js';
import { mountsUnder } from '../host/index.js';
import { DockerfileError } from './dockerfile/index.js';
import { RunStepFailedError } from './build-errors.js';
import { withBuildKit, type BuildKit } from './testsuite/build-kit.js';

interface BadCase {
  name: string;
  files: Record<string, string | { link: string }>;
  request?: { buildArgs?: Record<string, string | null>; target?: string };
  message: string | RegExp;
  line?: number;
}

const CASES: BadCase[] = [
  { name: 'missing FROM', files: { Dockerfile: 'RUN echo hi\n' }, message: 'Dockerfile parse error on line 1: no build stage in current context', line: 1 },
  { name: 'only ARGs', files: { Dockerfile: 'ARG A=1\n' }, message: 'No image was generated. Is your Dockerfile empty?' },
  { name: 'unknown instruction', files: { Dockerfile: 'FROM busybox\nFORM x\n' }, message: /^Dockerfile parse error on line 2: unknown instruction: FORM/, line: 2 },
  { name: 'malformed JSON for SHELL', files: { Dockerfile: 'FROM busybox\nSHELL ["/bin/sh", \n' }, message: 'Dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form', line: 2 },
  { name: 'unterminated heredoc', files: { Dockerfile: 'FROM busybox\nRUN <<EOF\necho hi\n' }, message: 'Dockerfile parse error on line 2: unterminated heredoc', line: 2 },
  { name: 'missing Dockerfile', files: { 'a.txt': 'a' }, message: 'Cannot locate specified Dockerfile: Dockerfile' },
  { name: 'COPY of a missing file', files: { Dockerfile: 'FROM busybox\nCOPY x /x\n' }, message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat x: file does not exist', line: 2 },
  { name: 'COPY of an ignored file', files: { Dockerfile: 'FROM busybox\nCOPY secret.txt /x\n', 'secret.txt': 's', '.dockerignore': '*.txt\n' }, message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist', line: 2 },
  { name: '../ escaping the context', files: { Dockerfile: 'FROM busybox\nCOPY ../x /x\n' }, message: 'COPY failed: forbidden path outside the build context: ../x ()', line: 2 },
  { name: 'an absolute symlink in the context', files: { Dockerfile: 'FROM busybox\nCOPY abs /x\n', abs: { link: '/etc/passwd' } }, message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat abs: file does not exist', line: 2 },
  { name: 'an escaping symlink in the context', files: { Dockerfile: 'FROM busybox\nCOPY esc /x\n', esc: { link: '../../../../etc/passwd' } }, message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat esc: file does not exist', line: 2 },
  { name: 'an unknown stage in --from', files: { Dockerfile: 'FROM busybox AS a\nFROM busybox\nCOPY --from=nope /x /x\n' }, message: 'COPY failed: invalid from flag value nope: No such image: nope', line: 3 },
  { name: 'the current stage\'s index in --from', files: { Dockerfile: 'FROM busybox\nFROM busybox\nCOPY --from=1 /x /x\n' }, message: 'COPY failed: invalid from flag value 1: refers to the current or a later build stage', line: 3 },
  { name: 'a bad --build-arg', files: { Dockerfile: 'FROM busybox\n' }, request: { buildArgs: { 'A B': 'x' } }, message: /^invalid build-arg "A B"/ },
  { name: 'an unknown base image', files: { Dockerfile: 'FROM nosuchimage\n' }, message: /^pull access denied for nosuchimage/, line: 1 },
  { name: 'an unknown --target', files: { Dockerfile: 'FROM busybox\n' }, request: { target: 'nope' }, message: 'failed to reach build target nope in Dockerfile' },
  { name: 'several sources into a file', files: { Dockerfile: 'FROM busybox\nCOPY a b /dest\n', a: 'a', b: 'b' }, message: 'When using COPY with more than one source file, the destination must be a directory and end with a /', line: 2 },
  { name: 'an unknown user for --chown', files: { Dockerfile: 'FROM busybox\nCOPY --chown=ghost a /a\n', a: 'a' }, message: /can't find uid for user ghost: no such user: ghost/, line: 2 },
  { name: 'a command that does not exist', files: { Dockerfile: 'FROM busybox\nRUN ["nosuchbinary"]\n' }, message: /executable file not found/, line: 2 },
  { name: 'a bad port', files: { Dockerfile: 'FROM busybox\nEXPOSE abc\n' }, message: 'Invalid containerPort: abc', line: 2 },
];

async function inventory(kit: BuildKit): Promise<string> {
  const records = kit.images.store.list().map((r) => r.id).sort();
  const names = kit.images.store.allNames().map(([n]) => n).sort();
  const snapshots: string[] = [];
  for await (const info of kit.images.snapshotter.walk()) snapshots.push(`${info.kind}:${info.name}`);
  return JSON.stringify({ records, names, snapshots: snapshots.sort() });
}

test('bad input: an error naming the problem (and the line), and nothing left behind', (t) => withBuildKit(t, async (kit) => {
  for (const bad of CASES) {
    const before = await inventory(kit);
    const dir = await kit.context(bad.files);
    const out = await kit.build({ context: { dir }, tags: ['bad:latest'], ...(bad.request ?? {}) });
    assert.ok(out.error, `${bad.name}: the build should fail`);
    if (typeof bad.message === 'string') assert.equal(out.error.message, bad.message, bad.name);
    else assert.match(out.error.message, bad.message, bad.name);
    if (bad.line !== undefined) {
      assert.ok(out.error instanceof DockerfileError, `${bad.name}: ${out.error.constructor.name}`);
      assert.equal(out.error.startLine, bad.line, bad.name);
    }
    assert.equal(await inventory(kit), before, `${bad.name}: no image, tag or snapshot left`);
    assert.deepEqual(await kit.leftovers(), [], bad.name);
  }
}));

test('a failing RUN: Docker\'s message with the exit code, its container deleted, earlier steps kept as cache only', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ Dockerfile: 'FROM busybox\nRUN echo before && echo oops >&2 && exit 3\n' });
  const before = await inventory(kit);
  const out = await kit.build({ context: { dir }, tags: ['fails'] });
  assert.ok(out.error instanceof RunStepFailedError);
  assert.equal(out.error.message, "The command '/bin/sh -c echo before && echo oops >&2 && exit 3' returned a non-zero code: 3");
  assert.equal(out.error.exitCode, 3);
  assert.equal(out.error.startLine, 2);
  // stdout and stderr come through separate pipes: between them the order is not fixed.
  assert.match(out.text, / ---> Running in [0-9a-f]{12}\n(before\noops|oops\nbefore)\n$/);
  assert.equal(await inventory(kit), before);
  assert.deepEqual(await kit.leftovers(), []);

  // Quiet: everything held back comes out with the error.
  const quiet = await kit.build({ context: { dir }, quiet: true });
  assert.ok(quiet.error instanceof RunStepFailedError);
  assert.match(quiet.text, /^Step 1\/2 : FROM busybox\n/);
}));

test('recover() cleans up after a build a crash interrupted', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 600\n' });
  // A context sent as a tar, as the API gets it: unpacked onto a tmpfs of the build's own.
  const build = kit.builder.build({ context: { tar: packLayer(dir, { whiteouts: 'none' }) } });
  for (;;) {
    const next = await build.next();
    if (next.done || next.value.type === 'output') break;
  }
  assert.ok((await mountsUnder(kit.execRoot)).some((m) => /\/context-[0-9a-f]+$/.test(m)), 'the context tmpfs is mounted while the build runs');
  // The build is stuck in its RUN, as if the daemon had died: recovery must clear it.
  await kit.builder.recover();
  assert.deepEqual(await kit.leftovers(), []);
  await build.return(undefined);
  assert.deepEqual(await kit.leftovers(), []);
}));

test('a build cancelled during RUN kills and deletes its container', (t) => withBuildKit(t, async (kit) => {
  const dir = await kit.context({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 600\n' });
  const controller = new AbortController();
  const events = [];
  let error: unknown;
  try {
    for await (const event of kit.builder.build({ context: { dir }, signal: controller.signal })) {
      events.push(event);
      if (event.type === 'output') controller.abort();
    }
  } catch (err) {
    error = err;
  }
  assert.ok(error, 'the build ends with an error');
  assert.deepEqual(await kit.leftovers(), []);

  // A consumer that stops reading has the same effect.
  for await (const event of kit.builder.build({ context: { dir } })) if (event.type === 'output') break;
  assert.deepEqual(await kit.leftovers(), []);
}));
