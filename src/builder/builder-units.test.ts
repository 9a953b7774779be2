import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, chmod, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BuildArgs, checkBuildArgs } from './build-args.js';
import { classicStreamMessage } from './build-request.js';
import { applyConfigInstruction, nopCreatedBy, type ConfigState } from './config-instructions.js';
import { EMPTY_ENV, expandInstruction, parseDockerfile, type Instruction } from './dockerfile/index.js';
import { DockerIgnore } from './dockerignore.js';
import { goDuration, goQuoteRune } from './go-format.js';
import { exposedPortKeys } from './port-specs.js';
import { combinedChecksum, sourceChecksum } from './source-checksum.js';
import { resolveSource, walkTree, type SourceTree } from './source-tree.js';
import { planStages } from './stage-plan.js';
import { containsWildcards, wildcardMatcher } from './wildcards.js';

function lastInstruction(body: string): Instruction {
  return expandInstruction(parseDockerfile(`FROM busybox\n${body}`).instructions.at(-1)!, { env: EMPTY_ENV, escapeToken: '\\' });
}

describe('history lines of metadata steps (checked against Docker 20.10)', () => {
  const cases: [string, string][] = [
    ['CMD ["sh"]', '/bin/sh -c #(nop)  CMD ["sh"]'],
    ['CMD echo shellcmd', '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo shellcmd"]'],
    ['ENTRYPOINT echo x', '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/sh" "-c" "echo x"]'],
    ['ENTRYPOINT []', '/bin/sh -c #(nop)  ENTRYPOINT []'],
    ['ENV A=1 B="two words"', '/bin/sh -c #(nop)  ENV A=1 B=two words'],
    ['LABEL l=1', '/bin/sh -c #(nop)  LABEL l=1'],
    ['EXPOSE 90 80/tcp', '/bin/sh -c #(nop)  EXPOSE 80/tcp 90'],
    ['VOLUME /v', '/bin/sh -c #(nop)  VOLUME [/v]'],
    ['USER nobody', '/bin/sh -c #(nop)  USER nobody'],
    ['ONBUILD RUN echo trig', '/bin/sh -c #(nop)  ONBUILD RUN echo trig'],
    ['STOPSIGNAL SIGKILL', '/bin/sh -c #(nop)  STOPSIGNAL SIGKILL'],
    ['WORKDIR /work', '/bin/sh -c #(nop) WORKDIR /work'],
    ['MAINTAINER me', '/bin/sh -c #(nop)  MAINTAINER me'],
    ['HEALTHCHECK --interval=5s CMD curl x', '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl x"] "5s" "0s" "0s" \'\\x00\'}'],
    ['HEALTHCHECK NONE', '/bin/sh -c #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" \'\\x00\'}'],
  ];
  for (const [line, createdBy] of cases) {
    test(line, () => {
      const state: ConfigState = { config: {}, cmdSet: false };
      const instruction = lastInstruction(line);
      assert.ok(instruction.kind !== 'run' && instruction.kind !== 'copy' && instruction.kind !== 'add' && instruction.kind !== 'arg' && instruction.kind !== 'from');
      const change = applyConfigInstruction(state, instruction as Parameters<typeof applyConfigInstruction>[1]);
      assert.equal(nopCreatedBy(state.config, change), createdBy);
    });
  }

  test('SHELL changes the shell of later history lines', () => {
    const state: ConfigState = { config: {}, cmdSet: false };
    const change = applyConfigInstruction(state, lastInstruction('SHELL ["/bin/sh", "-ec"]') as Parameters<typeof applyConfigInstruction>[1]);
    assert.equal(nopCreatedBy(state.config, change), '/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]');
  });

  test('HEALTHCHECK over a previous one prints Docker\'s note', () => {
    const state: ConfigState = { config: { Healthcheck: { Test: ['CMD-SHELL', 'curl x'] } }, cmdSet: false };
    const change = applyConfigInstruction(state, lastInstruction('HEALTHCHECK NONE') as Parameters<typeof applyConfigInstruction>[1]);
    assert.equal(change.note, 'Note: overriding previous HEALTHCHECK: [CMD-SHELL curl x]');
  });
});

describe('Go formatting', () => {
  test('durations', () => {
    assert.equal(goDuration(0), '0s');
    assert.equal(goDuration(5e9), '5s');
    assert.equal(goDuration(1.5e9), '1.5s');
    assert.equal(goDuration(90e9), '1m30s');
    assert.equal(goDuration(3600e9), '1h0m0s');
    assert.equal(goDuration(300e6), '300ms');
  });
  test('integers as rune literals', () => {
    assert.equal(goQuoteRune(0), "'\\x00'");
    assert.equal(goQuoteRune(3), "'\\x03'");
    assert.equal(goQuoteRune(65), "'A'");
  });
});

describe('EXPOSE port specs', () => {
  test('protocols, ranges and host parts', () => {
    assert.deepEqual(exposedPortKeys(['80', '90/udp', '8000-8002/tcp', '127.0.0.1:8080:80']), ['80/tcp', '90/udp', '8000/tcp', '8001/tcp', '8002/tcp', '80/tcp']);
  });
  test('Docker\'s errors', () => {
    assert.throws(() => exposedPortKeys(['abc']), { message: 'Invalid containerPort: abc' });
    assert.throws(() => exposedPortKeys(['80/foo']), { message: 'Invalid proto: foo' });
    assert.throws(() => exposedPortKeys(['70000']), { message: 'Invalid containerPort: 70000' });
  });
});

describe('build args', () => {
  test('stage ARG takes --build-arg, then its default, then the meta arg\'s default', () => {
    const args = new BuildArgs(new Map([['A', '2'], ['UNUSED', 'x'], ['HTTP_PROXY', 'p']]));
    args.addMetaArg('V', '1');
    const stage = args.forNewStage();
    stage.addArg('A', '1');
    stage.addArg('V', undefined);
    stage.addArg('NODEFAULT', undefined);
    assert.deepEqual(stage.filterAllowed(['PATH=/bin']), ['A=2', 'HTTP_PROXY=p', 'V=1']);
    assert.deepEqual(stage.filterAllowed(['A=env']), ['HTTP_PROXY=p', 'V=1'], 'ENV wins over ARG');
    assert.equal(stage.isReferencedOrNotBuiltin('HTTP_PROXY'), false, 'a proxy arg stays out of history');
    assert.deepEqual(args.unconsumed(), ['UNUSED']);
  });
  test('bad names are refused', () => {
    assert.throws(() => checkBuildArgs({ '': 'x' }), /invalid build-arg/);
    assert.throws(() => checkBuildArgs({ 'A=B': 'x' }), /invalid build-arg/);
    checkBuildArgs({ A: 'x', B: null });
  });
});

describe('.dockerignore', () => {
  test('Docker\'s pattern rules and exceptions', () => {
    const ignore = DockerIgnore.parse('# comment\n*.log\n!keep.log\nsub\n!sub/ok\n/abs/x\n**/deep\n\n  spaced  \n');
    const verdicts = Object.fromEntries(['a.log', 'keep.log', 'x/a.log', 'sub', 'sub/x', 'sub/ok', 'abs/x', 'q/r/deep', 'spaced', 'Dockerfile', ''].map((p) => [p, ignore.excludes(p)]));
    assert.deepEqual(verdicts, {
      'a.log': true, 'keep.log': false, 'x/a.log': false, sub: true, 'sub/x': true, 'sub/ok': false, 'abs/x': true,
      'q/r/deep': true, spaced: true, Dockerfile: false, '': false,
    });
    assert.equal(ignore.mayIncludeUnder('sub'), true, 'sub/ok is re-included');
    assert.equal(ignore.mayIncludeUnder('abs'), false);
  });
});

describe('wildcards (Go filepath.Match)', () => {
  test('matching', () => {
    assert.ok(containsWildcards('w/*.txt'));
    assert.ok(!containsWildcards('w/a\\*.txt'));
    const m = wildcardMatcher('w/*.txt');
    assert.ok(m('w/1.txt'));
    assert.ok(!m('w/sub/1.txt'));
    assert.ok(wildcardMatcher('f?[0-9]')('fa1'));
    assert.ok(!wildcardMatcher('f[^0-9]')('f1'));
  });
});

describe('source checksums (the docker CLI\'s context, as Docker 20.10 hashed it)', () => {
  test('file, dir and multi checksums match Docker\'s history lines', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-sum-'));
    try {
      await writeFile(join(root, 'a.txt'), 'hello\n');
      await mkdir(join(root, 'd'));
      await writeFile(join(root, 'd', 'x'), 'x\n');
      await chmod(join(root, 'a.txt'), 0o644);
      await chmod(join(root, 'd'), 0o755);
      await chmod(join(root, 'd', 'x'), 0o644);
      const tree: SourceTree = { kind: 'context', root };
      const [file] = await resolveSource(tree, 'a.txt');
      assert.equal(await sourceChecksum(file!), 'file:00ec16333078d287782d462baefc8bb9eb0231dc3aefba3ca3e2f7e5cf0cadda');
      const [dir] = await resolveSource(tree, 'd');
      assert.equal(await sourceChecksum(dir!), 'dir:649c5e2d66cc69f4dedf115b0e9a088e65df0feaaa8b7780719ea57dabf2c9ca');
      // The mtime is not part of it.
      await utimes(join(root, 'a.txt'), new Date(1000), new Date(1000));
      assert.equal(await sourceChecksum(file!), 'file:00ec16333078d287782d462baefc8bb9eb0231dc3aefba3ca3e2f7e5cf0cadda');
      assert.match(combinedChecksum(['file:a', 'file:b']), /^multi:[0-9a-f]{64}$/);
      assert.equal(combinedChecksum(['file:a']), 'file:a');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('sources: wildcards, ../ refused, .dockerignore hides', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-src-'));
    try {
      await mkdir(join(root, 'w'));
      for (const f of ['w/1.txt', 'w/2.txt', 'w/skip.md', 'secret']) await writeFile(join(root, f), f);
      const tree: SourceTree = { kind: 'context', root, ignore: DockerIgnore.parse('secret\n') };
      assert.deepEqual((await resolveSource(tree, 'w/*.txt')).map((e) => e.rel), ['w/1.txt', 'w/2.txt']);
      await assert.rejects(resolveSource(tree, '../x'), { message: 'forbidden path outside the build context: ../x ()' });
      await assert.rejects(resolveSource(tree, 'secret'), { message: 'file not found in build context or excluded by .dockerignore: stat secret: file does not exist' });
      const all = [];
      for await (const entry of walkTree(tree, '')) all.push(entry.rel);
      assert.deepEqual(all, ['w', 'w/1.txt', 'w/2.txt', 'w/skip.md']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('stage plan', () => {
  const parsed = parseDockerfile([
    'FROM busybox AS unused', 'RUN exit 1',
    'FROM busybox AS base', 'RUN echo base',
    'FROM busybox AS other', 'COPY --from=base /a /a',
    'FROM base AS final', 'COPY --from=2 /a /b',
  ].join('\n'));
  const names = (plan: ReturnType<typeof planStages>) => plan.map((p) => p.stage.name);
  test('the last stage and what it needs; unused stages are skipped', () => {
    assert.deepEqual(names(planStages(parsed, undefined, (s) => s.from.baseName)), ['base', 'other', 'final']);
  });
  test('--target stops at a stage', () => {
    assert.deepEqual(names(planStages(parsed, 'OTHER', (s) => s.from.baseName)), ['base', 'other']);
    assert.throws(() => planStages(parsed, 'nope', (s) => s.from.baseName), { message: 'failed to reach build target nope in Dockerfile' });
  });
});

describe('stream messages', () => {
  test('Docker\'s classic wording', () => {
    const id = 'sha256:a08318ffd19bd2328deb48c926211f89e4a41d93ecbbe2c3783a5ba8b5abdeed' as const;
    assert.deepEqual(classicStreamMessage({ type: 'step', index: 1, total: 4, instruction: 'FROM busybox' }), { stream: 'Step 1/4 : FROM busybox\n' });
    assert.deepEqual(classicStreamMessage({ type: 'step-image', imageId: id }), { stream: ' ---> a08318ffd19b\n' });
    assert.deepEqual(classicStreamMessage({ type: 'step-image', imageId: undefined }), { stream: ' ---> \n' });
    assert.deepEqual(classicStreamMessage({ type: 'cache-hit' }), { stream: ' ---> Using cache\n' });
    assert.deepEqual(classicStreamMessage({ type: 'container-started', containerId: 'd3c1d87165a4ffff' }), { stream: ' ---> Running in d3c1d87165a4\n' });
    assert.deepEqual(classicStreamMessage({ type: 'container-removed', containerId: 'd3c1d87165a4ffff' }), { stream: 'Removing intermediate container d3c1d87165a4\n' });
    assert.deepEqual(classicStreamMessage({ type: 'triggers', count: 1 }), { stream: '# Executing 1 build trigger\n' });
    assert.deepEqual(classicStreamMessage({ type: 'triggers', count: 2 }), { stream: '# Executing 2 build triggers\n' });
    assert.deepEqual(classicStreamMessage({ type: 'stage-image', imageId: id }), { aux: { ID: id } });
    assert.deepEqual(classicStreamMessage({ type: 'built', imageId: id }), { stream: 'Successfully built a08318ffd19b\n' });
    assert.deepEqual(classicStreamMessage({ type: 'tagged', name: 't1:latest' }), { stream: 'Successfully tagged t1:latest\n' });
    assert.deepEqual(classicStreamMessage({ type: 'quiet-result', imageId: id }), { stream: `${id}\n` });
  });
});
