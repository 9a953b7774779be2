import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../../base/index.js';
import { parseDockerfile, parseOnbuildTrigger } from './dockerfile.js';
import { DockerfileError } from './errors.js';
import type { Instruction } from './instructions.js';

/** The instructions after a leading `FROM base`. */
function parse(body: string): Instruction[] {
  return parseDockerfile(`FROM base\n${body}`).instructions.slice(1);
}

function one<K extends Instruction['kind']>(body: string, kind: K): Extract<Instruction, { kind: K }> {
  const [instruction] = parse(body);
  assert.equal(instruction!.kind, kind);
  return instruction as Extract<Instruction, { kind: K }>;
}

/** Asserts `Dockerfile parse error on line <line>: <detail>` (line counts the leading FROM). */
function assertError(body: string, detail: string, line = 2): void {
  assert.throws(() => parse(body), (err: unknown) => {
    assert.ok(err instanceof DockerfileError, `expected DockerfileError, got ${String(err)}`);
    assert.ok(err instanceof InvalidArgumentError);
    assert.equal(err.detail, detail);
    assert.equal(err.message, `Dockerfile parse error on line ${line}: ${detail}`);
    assert.equal(err.startLine, line);
    return true;
  });
}

describe('argument counts (BuildKit messages)', () => {
  for (const keyword of ['MAINTAINER', 'WORKDIR', 'USER', 'STOPSIGNAL']) {
    test(`${keyword} requires exactly one argument`, () => assertError(keyword, `${keyword} requires exactly one argument`));
  }
  for (const keyword of ['ENV', 'LABEL', 'ONBUILD', 'HEALTHCHECK', 'EXPOSE', 'VOLUME', 'ARG', 'SHELL']) {
    test(`${keyword} requires at least one argument`, () => assertError(keyword, `${keyword} requires at least one argument`));
  }
  for (const keyword of ['ADD', 'COPY']) {
    test(`${keyword} needs a destination`, () =>
      assertError(`${keyword} arg1`, `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`));
  }
  test('SHELL []', () => assertError('SHELL []', 'SHELL requires at least one argument'));
  test('FROM with two arguments', () => {
    assert.throws(() => parseDockerfile('FROM a b\n'), /^DockerfileError: Dockerfile parse error on line 1: FROM requires either one or three arguments$/);
  });
});

describe('error wording and lines', () => {
  test('unknown instructions, with a suggestion in the same case', () => {
    assert.throws(() => parseDockerfile('FROM a\nRUN b\nFORM c\n'), {
      message: 'Dockerfile parse error on line 3: unknown instruction: FORM (did you mean FROM?)',
    });
    assertError('cpoy a b', 'unknown instruction: cpoy (did you mean copy?)');
    assertError('FOO bar', 'unknown instruction: FOO (did you mean FROM?)');
    assertError('XYZZY bar', 'unknown instruction: XYZZY');
  });

  test('ENV and LABEL names can not be blank', () => {
    assertError('ENV =value', 'ENV names can not be blank');
    assertError('LABEL ="x"', 'LABEL names can not be blank');
    assertError('ARG =x', 'ARG names can not be blank');
  });

  test('the line of a continued instruction is its first line', () => {
    assertError('RUN true\nCOPY \\\n  onlyone\n', 'COPY requires at least two arguments, but only one was provided. Destination could not be determined', 3);
  });

  test('instructions before the first FROM', () => {
    assert.throws(() => parseDockerfile('ARG A\nRUN x\n'), { message: 'Dockerfile parse error on line 2: no build stage in current context' });
  });

  test('ONBUILD triggers that are not allowed', () => {
    assertError('ONBUILD ONBUILD RUN x', 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    assertError('ONBUILD FROM scratch', 'FROM isn\'t allowed as an ONBUILD trigger');
    assertError('ONBUILD maintainer me', 'MAINTAINER isn\'t allowed as an ONBUILD trigger');
  });

  test('stage names', () => {
    assert.throws(() => parseDockerfile('FROM a AS 1st\n'), {
      message: 'Dockerfile parse error on line 1: invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
    });
  });

  test('SHELL must be JSON', () => assertError('SHELL /bin/bash -c', 'SHELL requires the arguments to be in JSON form'));
  test('empty VOLUME', () => assertError('VOLUME ["/a", " "]', 'VOLUME specified can not be an empty string'));
  test('heredoc as COPY destination', () => assertError('COPY /foo <<EOF\nEOF', 'COPY cannot accept a heredoc as a destination'));
});

describe('flags', () => {
  test('unknown, duplicate, missing values, booleans', () => {
    assertError('MAINTAINER --boo joe', 'unknown flag: --boo');
    assertError('COPY --form=x a b', 'unknown flag: --form (did you mean from?)');
    assertError('COPY --from=a --from=b a b', 'duplicate flag specified: --from');
    assertError('COPY --from a b', 'missing a value on flag: --from');
    assertError('COPY --link= a b', 'missing a value on flag: --link');
    assertError('COPY --link=yes a b', 'expecting boolean value for flag --link, not: yes');
    assertError('FROM --platform a', 'missing a value on flag: --platform');
    assertError('CMD --doit a', 'unknown flag: --doit');
  });

  test('COPY', () => {
    const copy = one('COPY --from=build --chown=1:2 --chmod=644 --link --parents --exclude=*.md --exclude=x ["a b", "c", "/dest/"]', 'copy');
    assert.deepEqual(
      { from: copy.from, chown: copy.chown, chmod: copy.chmod, link: copy.link, parents: copy.parents, excludes: copy.excludes, sources: copy.sources, dest: copy.dest },
      { from: 'build', chown: '1:2', chmod: '644', link: true, parents: true, excludes: ['*.md', 'x'], sources: ['a b', 'c'], dest: '/dest/' },
    );
    const plain = one('COPY a /d', 'copy');
    assert.deepEqual([plain.from, plain.link, plain.parents, plain.excludes], ['', false, false, []]);
  });

  test('ADD', () => {
    const add = one('ADD --checksum=sha256:abc --keep-git-dir=false --unpack --link=false https://x/y.tar /d', 'add');
    assert.equal(add.checksum, 'sha256:abc');
    assert.equal(add.keepGitDir, false);
    assert.equal(add.unpack, true);
    assert.equal(add.link, false);
    const plain = one('ADD a /d', 'add');
    assert.equal('keepGitDir' in plain, false);
    assert.equal('unpack' in plain, false);
  });

  test('RUN', () => {
    const run = one('RUN --mount=type=cache,target=/c --mount=type=secret,id=s --network=none --security=insecure --device=vendor.com/gpu=all make', 'run');
    assert.deepEqual(run.mounts, ['type=cache,target=/c', 'type=secret,id=s']);
    assert.equal(run.network, 'none');
    assert.equal(run.security, 'insecure');
    assert.deepEqual(run.devices, [{ name: 'vendor.com/gpu=all', required: false }]);
    assert.deepEqual(run.flagsUsed, ['mount', 'network', 'security', 'device']);
    assert.deepEqual(run.command, { args: ['make'], prependShell: true, files: [] });
    const plain = one('RUN make', 'run');
    assert.deepEqual([plain.network, plain.security, plain.flagsUsed], ['default', 'sandbox', []]);
  });

  test('RUN flag values are checked', () => {
    assertError('RUN --network=bridge x', 'invalid network mode "bridge"');
    assertError('RUN --security=x y', 'security "x" is not valid');
    assertError('RUN --mount=from=$STAGE,target=/x y', "'from' doesn't support variable expansion, define alias stage instead");
    assertError('RUN --mount= y', 'failed to parse csv mounts: EOF');
    // The flag reader removes unescaped quotes, so the quote has to be escaped to reach the CSV.
    assertError('RUN --mount=a\\"b y', 'failed to parse csv mounts: parse error on line 1, column 2: bare " in non-quoted-field');
    assertError('RUN --device=a,b y', "invalid field 'b' must be a key=value pair");
  });

  test('FROM', () => {
    const [from] = parseDockerfile('# the builder\nFROM --platform=$BUILDPLATFORM golang:1 AS Build\n').instructions;
    assert.deepEqual(from, {
      keyword: 'FROM',
      source: 'FROM --platform=$BUILDPLATFORM golang:1 AS Build',
      startLine: 2,
      endLine: 2,
      comments: ['the builder'],
      kind: 'from',
      baseName: 'golang:1',
      stageName: 'build',
      platform: '$BUILDPLATFORM',
      docComment: '',
    });
  });

  test('STOPSIGNAL and ARG ignore flags, as BuildKit does', () => {
    assert.equal(one('STOPSIGNAL --x SIGTERM', 'stopsignal').signal, 'SIGTERM');
    assert.equal(one('ARG --x A', 'arg').args[0]!.key, 'A');
  });
});

describe('instruction values', () => {
  test('ENV forms', () => {
    assert.deepEqual(one('ENV A b c', 'env').pairs, [{ key: 'A', value: 'b c', noDelimiter: true }]);
    assert.deepEqual(one('ENV A=1 B="x y"', 'env').pairs, [
      { key: 'A', value: '1', noDelimiter: false },
      { key: 'B', value: '"x y"', noDelimiter: false },
    ]);
  });

  test('ARG with and without defaults, and descriptions', () => {
    const { metaArgs, stages } = parseDockerfile('# VERSION the version\nARG VERSION=1 EMPTY= NONE\nFROM a\n# B the b\nARG B\n');
    assert.deepEqual(metaArgs[0]!.args, [
      { key: 'VERSION', value: '1', docComment: 'the version' },
      { key: 'EMPTY', value: '', docComment: '' },
      { key: 'NONE', docComment: '' },
    ]);
    assert.deepEqual(stages[0]!.commands[0]!.kind === 'arg' && stages[0]!.commands[0]!.args, [{ key: 'B', docComment: 'the b' }]);
  });

  test('CMD, ENTRYPOINT, SHELL', () => {
    assert.deepEqual(one('CMD ["a", "b"]', 'cmd').command, { args: ['a', 'b'], prependShell: false, files: [] });
    assert.deepEqual(one('CMD echo  $HOME', 'cmd').command, { args: ['echo  $HOME'], prependShell: true, files: [] });
    assert.deepEqual(one('CMD []', 'cmd').command.args, []);
    assert.deepEqual(one('ENTRYPOINT []', 'entrypoint').command.args, []);
    assert.deepEqual(one('SHELL ["/bin/bash", "-c"]', 'shell').shell, ['/bin/bash', '-c']);
  });

  test('RUN heredocs become files', () => {
    const run = one('RUN <<-EOF bash\n\techo $X\nEOF\n', 'run');
    assert.deepEqual(run.command, { args: ['<<-EOF bash'], prependShell: true, files: [{ name: 'EOF', data: '\techo $X\n', chomp: true }] });
  });

  test('COPY heredocs become contents', () => {
    const copy = one("COPY <<EOF <<-'RAW' foo.txt /bar\nthis is $X\nEOF\n\tliteral $Y\nRAW\n", 'copy');
    assert.deepEqual(copy.sources, ['foo.txt']);
    assert.deepEqual(copy.contents, [
      { path: 'EOF', data: 'this is $X\n', expand: true },
      { path: 'RAW', data: 'literal $Y\n', expand: false },
    ]);
    assert.equal(copy.dest, '/bar');
  });

  test('HEALTHCHECK', () => {
    assert.deepEqual(one('HEALTHCHECK --interval=5s --timeout=3s --start-period=1m --start-interval=500ms --retries=3 CMD /check --quiet', 'healthcheck').health, {
      test: ['CMD-SHELL', '/check --quiet'],
      interval: 5e9,
      timeout: 3e9,
      startPeriod: 60e9,
      startInterval: 5e8,
      retries: 3,
    });
    assert.deepEqual(one('HEALTHCHECK CMD ["a", "b"]', 'healthcheck').health.test, ['CMD', 'a', 'b']);
    assert.deepEqual(one('HEALTHCHECK none', 'healthcheck').health.test, ['NONE']);
    assert.deepEqual(one('HEALTHCHECK --interval=0s CMD x', 'healthcheck').health.interval, 0);
    assertError('HEALTHCHECK NONE x', 'HEALTHCHECK NONE takes no arguments');
    assertError('HEALTHCHECK CMD', 'Missing command after HEALTHCHECK CMD');
    assertError('HEALTHCHECK CONNECT TCP 7000', 'Unknown type "CONNECT" in HEALTHCHECK (try CMD)');
    assertError('HEALTHCHECK --interval=50ns CMD x', 'Interval "interval" cannot be less than 1ms');
    assertError('HEALTHCHECK --timeout=5 CMD x', 'time: missing unit in duration "5"');
    assertError('HEALTHCHECK --retries=-1 CMD x', '--retries cannot be negative (-1)');
    assertError('HEALTHCHECK --retries=x CMD x', 'strconv.ParseInt: parsing "x": invalid syntax');
    assertError('HEALTHCHECK --foo=1 CMD x', 'unknown flag: --foo');
  });

  test('EXPOSE sorts as written, VOLUME trims', () => {
    assert.deepEqual(one('EXPOSE 8080 443/tcp 80', 'expose').ports, ['443/tcp', '80', '8080']);
    assert.deepEqual(one('VOLUME /a /b', 'volume').volumes, ['/a', '/b']);
  });

  test('ONBUILD keeps its trigger as text, heredocs included', () => {
    assert.equal(one('ONBUILD RUN echo hi', 'onbuild').expression, 'RUN echo hi');
    assert.equal(one('onbuild  COPY <<EOF /x\nhello\nEOF\n', 'onbuild').expression, 'COPY <<EOF /x\nhello\nEOF');
  });

  test('ONBUILD triggers are parsed again in the child build, located at its FROM', () => {
    const trigger = parseOnbuildTrigger('COPY <<EOF /x\nhello\nEOF', { startLine: 7, endLine: 7 });
    assert.ok(trigger.kind === 'copy');
    assert.deepEqual([trigger.contents, trigger.startLine], [[{ path: 'EOF', data: 'hello\n', expand: true }], 7]);
    assert.throws(() => parseOnbuildTrigger('RUN a\nRUN b', { startLine: 3, endLine: 3 }), {
      message: 'Dockerfile parse error on line 3: onbuild trigger should be a single expression',
    });
    assert.throws(() => parseOnbuildTrigger('WORKDIR', { startLine: 3, endLine: 3 }), {
      message: 'Dockerfile parse error on line 3: WORKDIR requires exactly one argument',
    });
  });

  test('stages group instructions', () => {
    const { stages, metaArgs } = parseDockerfile('ARG V=1\nFROM a AS one\nRUN x\nFROM one\nCOPY --from=one /a /b\n');
    assert.equal(metaArgs.length, 1);
    assert.deepEqual(stages.map((s) => [s.name, s.from.baseName, s.commands.map((c) => c.kind)]), [
      ['one', 'a', ['run']],
      ['', 'one', ['copy']],
    ]);
  });
});
