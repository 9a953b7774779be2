/**
 * BuildKit's parser corpus: every `testfiles/<case>/Dockerfile` must dump exactly as its
 * `result`, every `testfiles-negative/<case>` must be rejected, and `testfile-line` must
 * give BuildKit's line numbers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../../base/index.js';
import { listCaseDirs, readCorpusBytes, readCorpusText } from './testsuite/conformance-corpus.js';
import { dumpAst } from './dump.js';
import { DockerfileError } from './errors.js';
import { parseDockerfileAst } from './parser.js';

describe('BuildKit parser corpus: testfiles', () => {
  const cases = listCaseDirs('parser/testfiles');
  test('the corpus is present', () => assert.ok(cases.length > 0));
  for (const name of cases) {
    test(name, () => {
      const ast = parseDockerfileAst(readCorpusBytes('parser/testfiles', name, 'Dockerfile'));
      const expected = readCorpusText('parser/testfiles', name, 'result');
      assert.equal(dumpAst(ast) + '\n', expected);
    });
  }
});

describe('BuildKit parser corpus: testfiles-negative', () => {
  const cases = listCaseDirs('parser/testfiles-negative');
  test('the corpus is present', () => assert.ok(cases.length > 0));
  for (const name of cases) {
    test(name, () => {
      const input = readCorpusBytes('parser/testfiles-negative', name, 'Dockerfile');
      assert.throws(() => parseDockerfileAst(input), (err: unknown) => {
        assert.ok(err instanceof DockerfileError, `expected a DockerfileError, got ${String(err)}`);
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /^Dockerfile parse error on line \d+: /);
        return true;
      });
    });
  }
});

describe('BuildKit parser corpus: testfile-line', () => {
  test('instructions carry their first and last physical line', () => {
    const ast = parseDockerfileAst(readCorpusBytes('parser/testfile-line', 'Dockerfile'));
    assert.deepEqual(
      ast.nodes.map((node) => [node.startLine, node.endLine]),
      [[5, 5], [11, 12], [17, 31]],
    );
    // BuildKit's root node spans from the first instruction to the last line read.
    assert.equal(ast.nodes[0]!.startLine, 5);
    assert.equal(ast.nodes.at(-1)!.endLine, 31);
  });
});
