import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../base/index.js';
import { applyChanges } from './apply-changes.js';

describe('applyChanges (docker commit/import --change)', () => {
  test('the import example from Docker: every allowed instruction, expanded in order', () => {
    const config = applyChanges({}, [
      'HEALTHCHECK CMD true', 'EXPOSE 80 8000-8001/udp', 'WORKDIR rel', 'ENV A=$B', 'ENV B=x', 'ENV C=$B', 'CMD echo',
      'USER $B', 'VOLUME /a /b', 'LABEL a=b', 'ONBUILD RUN x', 'ENTRYPOINT ["e"]', 'STOPSIGNAL SIGKILL',
    ]);
    // What Docker 20.10 recorded for the same changes (STOPSIGNAL came later to Docker).
    assert.deepEqual(config, {
      User: 'x',
      ExposedPorts: { '80/tcp': {}, '8000/udp': {}, '8001/udp': {} },
      Env: ['A=', 'B=x', 'C=x'],
      Entrypoint: ['e'],
      Cmd: ['/bin/sh', '-c', 'echo'],
      Volumes: { '/a': {}, '/b': {} },
      WorkingDir: '/rel',
      Labels: { a: 'b' },
      Healthcheck: { Test: ['CMD-SHELL', 'true'] },
      OnBuild: ['RUN x'],
      StopSignal: 'SIGKILL',
    });
  });

  test('the input config is not modified; ENV replaces a variable in place', () => {
    const input = { Env: ['PATH=/bin', 'A=1'], Labels: { keep: 'yes' } };
    const out = applyChanges(input, ['ENV PATH=/usr/bin:$PATH', 'LABEL new=1']);
    assert.deepEqual(out.Env, ['PATH=/usr/bin:/bin', 'A=1']);
    assert.deepEqual(out.Labels, { keep: 'yes', new: '1' });
    assert.deepEqual(input, { Env: ['PATH=/bin', 'A=1'], Labels: { keep: 'yes' } });
  });

  test('ENTRYPOINT without CMD in the same changes clears the inherited CMD; with CMD it stays', () => {
    assert.equal(applyChanges({ Cmd: ['sh'] }, ['ENTRYPOINT ["top"]']).Cmd, undefined);
    assert.deepEqual(applyChanges({ Cmd: ['sh'] }, ['CMD ["x"]', 'ENTRYPOINT ["top"]']).Cmd, ['x']);
  });

  test('WORKDIR is relative to the current one; no changes is a copy', () => {
    assert.equal(applyChanges({ WorkingDir: '/app' }, ['WORKDIR sub/../x']).WorkingDir, '/app/x');
    const base = { Cmd: ['a'] };
    const same = applyChanges(base, []);
    assert.deepEqual(same, base);
    assert.notEqual(same, base);
  });

  test('instructions outside the allowed set are refused with Docker\'s wording', () => {
    for (const [change, keyword] of [['RUN x', 'run'], ['ARG x', 'arg'], ['FROM busybox', 'from'], ['COPY a b', 'copy'], ['SHELL ["sh"]', 'shell'], ['MAINTAINER me', 'maintainer']]) {
      assert.throws(() => applyChanges({}, [change!]), (err: unknown) => err instanceof InvalidArgumentError && err.message === `${keyword} is not a valid change command`);
    }
  });

  test('bad values name the problem', () => {
    assert.throws(() => applyChanges({}, ['EXPOSE abc']), { message: 'Invalid containerPort: abc' });
    assert.throws(() => applyChanges({}, ['STOPSIGNAL FOO']), { message: 'Invalid signal: FOO' });
    assert.throws(() => applyChanges({}, ['ENV']), InvalidArgumentError);
    assert.throws(() => applyChanges({}, ['FORM x']), { message: 'form is not a valid change command' });
  });
});
