import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDockerfile } from './dockerfile.js';
import { DockerfileError } from './errors.js';
import { createWordExpander, EXPANDED_INSTRUCTIONS, expandInstruction, expandRunMounts } from './expansion.js';
import type { Instruction } from './instructions.js';
import { envFromRecord } from './shell-env.js';

const ENV = envFromRecord({ A: '1', USER_ID: '1000', DIR: '/app', PORTS: '80 443/udp', EMPTY: '', IMG: 'alpine', TAG: '3.20' });

/** The last instruction of `FROM base` + body, expanded with ENV. */
function expanded(body: string, escape = false): Instruction {
  const parsed = parseDockerfile(`${escape ? '# escape=`\n' : ''}FROM base\n${body}`);
  return expandInstruction(parsed.instructions.at(-1)!, { env: ENV, escapeToken: parsed.escapeToken });
}

describe('what gets expanded', () => {
  test('ENV and LABEL: names and values, quotes removed', () => {
    const env = expanded('ENV X$A="$A $DIR" Y=\'$A\' Z=a\\ b');
    assert.ok(env.kind === 'env');
    assert.deepEqual(env.pairs.map((p) => [p.key, p.value]), [['X1', '1 /app'], ['Y', '$A'], ['Z', 'a b']]);
    const legacy = expanded('ENV P $DIR/bin:$PATH');
    assert.ok(legacy.kind === 'env');
    assert.deepEqual(legacy.pairs[0], { key: 'P', value: '/app/bin:', noDelimiter: true });
    const label = expanded('LABEL "k$A"="v ${A}"');
    assert.ok(label.kind === 'label');
    assert.deepEqual(label.pairs.map((p) => [p.key, p.value]), [['k1', 'v 1']]);
  });

  test('COPY and ADD: sources, destination, chown, chmod, checksum, unquoted heredoc bodies', () => {
    const copy = expanded("COPY --chown=$USER_ID --chmod=${MODE:-644} <<EOF <<'RAW' src-$A $DIR/\n\"$A\" \\$A\nEOF\n$A\nRAW\n");
    assert.ok(copy.kind === 'copy');
    assert.equal(copy.chown, '1000');
    assert.equal(copy.chmod, '644');
    assert.deepEqual(copy.sources, ['src-1']);
    assert.equal(copy.dest, '/app/');
    // Bodies keep their quotes; only $ and the backslash escape are special.
    assert.deepEqual(copy.contents.map((c) => c.data), ['"1" $A\n', '$A\n']);
    const add = expanded('ADD --checksum=sha256:$A https://x/$IMG.tar /');
    assert.ok(add.kind === 'add');
    assert.equal(add.checksum, 'sha256:1');
    assert.deepEqual(add.sources, ['https://x/alpine.tar']);
  });

  test('COPY --from is never expanded and may not use variables', () => {
    const copy = expanded('COPY --from=build /a /b');
    assert.ok(copy.kind === 'copy');
    assert.equal(copy.from, 'build');
    assert.throws(() => expanded('COPY --from=$IMG /a /b'), (err: unknown) => {
      assert.ok(err instanceof DockerfileError);
      assert.equal(err.message, 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
      assert.equal(err.startLine, 2);
      return true;
    });
  });

  test('WORKDIR, USER, VOLUME, STOPSIGNAL', () => {
    assert.deepEqual((expanded('WORKDIR $DIR/src') as { path: string }).path, '/app/src');
    assert.deepEqual((expanded('USER ${USER_ID}:${GID:-0}') as { user: string }).user, '1000:0');
    assert.deepEqual((expanded('VOLUME ["$DIR/data", "/x"]') as { volumes: readonly string[] }).volumes, ['/app/data', '/x']);
    assert.deepEqual((expanded('STOPSIGNAL SIG${S:-TERM}') as { signal: string }).signal, 'SIGTERM');
  });

  test('EXPOSE splits expansions into several ports', () => {
    assert.deepEqual((expanded('EXPOSE $PORTS 8080') as { ports: readonly string[] }).ports, ['80', '443/udp', '8080']);
  });

  test('ARG: only default values', () => {
    const arg = expanded('ARG K=$DIR/x NODEFAULT');
    assert.ok(arg.kind === 'arg');
    assert.deepEqual(arg.args.map((a) => [a.key, a.value]), [['K', '/app/x'], ['NODEFAULT', undefined]]);
  });

  test('FROM: image and platform, blank results refused', () => {
    const parsed = parseDockerfile('FROM --platform=$P ${IMG}:$TAG AS b\nFROM ${NONE}\nFROM --platform=${NONE} x\n');
    const from = expandInstruction(parsed.instructions[0]!, { env: envFromRecord({ IMG: 'alpine', TAG: '3', P: 'linux/arm64' }), escapeToken: '\\' });
    assert.ok(from.kind === 'from');
    assert.deepEqual([from.baseName, from.platform, from.stageName], ['alpine:3', 'linux/arm64', 'b']);
    assert.throws(() => expandInstruction(parsed.instructions[1]!, { env: ENV, escapeToken: '\\' }), { message: 'base name (${NONE}) should not be blank' });
    assert.throws(() => expandInstruction(parsed.instructions[2]!, { env: ENV, escapeToken: '\\' }), { message: 'empty platform value from expression ${NONE}' });
  });

  test('RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER, ONBUILD are left to the shell', () => {
    for (const body of ['RUN echo $A', 'CMD ["$A"]', 'ENTRYPOINT $A', 'SHELL ["/bin/$A"]', 'HEALTHCHECK CMD $A', 'MAINTAINER $A', 'ONBUILD RUN $A']) {
      const parsed = parseDockerfile(`FROM base\n${body}`);
      const instruction = parsed.instructions[1]!;
      assert.equal(expandInstruction(instruction, { env: ENV, escapeToken: '\\' }), instruction, body);
      assert.equal(EXPANDED_INSTRUCTIONS.has(instruction.kind), false, body);
    }
  });

  test('RUN --mount values are expanded field by field, then validated', () => {
    const parsed = parseDockerfile('FROM base\nRUN --mount=type=cache,target=$DIR/.cache,id=c$A,uid=$USER_ID --mount=type=secret,id=tok,env=TOKEN,required make\n');
    const run = parsed.instructions[1]!;
    assert.ok(run.kind === 'run');
    assert.deepEqual(expandRunMounts(run, { env: ENV, escapeToken: '\\' }), [
      { type: 'cache', from: '', source: '', target: '/app/.cache', readOnly: false, sizeLimit: 0, cacheId: 'c1', cacheSharing: '', required: false, uid: 1000 },
      { type: 'secret', from: '', source: '', target: '', readOnly: true, sizeLimit: 0, cacheId: 'tok', cacheSharing: '', required: true, env: 'TOKEN' },
    ]);
    const bad = parseDockerfile('FROM base\nRUN --mount=type=bind,mode=0700 x\n').instructions[1]!;
    assert.ok(bad.kind === 'run');
    assert.throws(() => expandRunMounts(bad, { env: ENV, escapeToken: '\\' }), { message: 'mode not allowed for "bind" type mounts' });
  });
});

describe('expansion behaviour', () => {
  test('the escape directive applies', () => {
    const env = expanded('ENV W="C:\\dir `$A"', true);
    assert.ok(env.kind === 'env');
    assert.deepEqual(env.pairs[0]!.value, 'C:\\dir $A');
  });

  test('errors carry the instruction lines', () => {
    assert.throws(() => expanded('RUN true\nWORKDIR ${NEED:?set NEED}'), (err: unknown) => {
      assert.ok(err instanceof DockerfileError);
      assert.equal(err.message, 'failed to process "${NEED:?set NEED}": NEED: set NEED');
      assert.equal(err.startLine, 3);
      return true;
    });
  });

  test('unset names are reported once per instruction', () => {
    const seen: string[][] = [];
    const parsed = parseDockerfile('FROM base\nENV X=$MISSING Y=${OTHER:-d} Z=$A\n');
    expandInstruction(parsed.instructions[1]!, { env: ENV, escapeToken: '\\', onUnmatched: (names) => seen.push([...names].sort()) });
    assert.deepEqual(seen, [['MISSING', 'OTHER']]);
  });

  test('createWordExpander', () => {
    const expand = createWordExpander({ env: ENV, escapeToken: '\\' });
    assert.equal(expand('${IMG}:${TAG}'), 'alpine:3.20');
  });
});
