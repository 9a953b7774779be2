/**
 * BuildKit's word-expansion corpus (shell/envVarTest and shell/wordsTest), read the way
 * BuildKit's lex_test.go reads it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readCorpusText } from './testsuite/conformance-corpus.js';
import { goTrimSpace } from './go-text.js';
import { envFromList } from './shell-env.js';
import { ShellLex } from './shell-lex.js';

describe('BuildKit shell corpus: envVarTest (ProcessWord)', () => {
  const env = envFromList(['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL=']);
  const lex = new ShellLex('\\');
  const lines = readCorpusText('shell', 'envVarTest').split('\n');
  let cases = 0;
  lines.forEach((rawLine, index) => {
    if (rawLine.startsWith('#')) return;
    const line = goTrimSpace(rawLine);
    if (line === '') return;
    const fields = line.split('|');
    const lineNumber = index + 1;
    const platform = goTrimSpace(fields[0] ?? '');
    // W rows describe Windows, where variable names are case-insensitive; strata runs on
    // Linux, so (as the corpus README says) only A (all) and U (Unix) rows apply.
    if (platform === 'W') return;
    test(`line ${lineNumber}: ${line}`, () => {
      assert.equal(fields.length, 3, `line ${lineNumber} must have three fields`);
      assert.ok(platform === 'A' || platform === 'U', `bad platform tag ${platform}`);
      const source = goTrimSpace(fields[1]!);
      const expected = goTrimSpace(fields[2]!);
      if (expected === 'error') {
        assert.throws(() => lex.processWord(source, env), `input ${JSON.stringify(source)} must fail`);
      } else {
        assert.equal(lex.processWord(source, env), expected);
      }
    });
    cases++;
  });
  test('the corpus is present', () => assert.ok(cases > 100));
});

describe('BuildKit shell corpus: wordsTest (ProcessWords)', () => {
  const lex = new ShellLex('\\');
  const envEntries: string[] = [];
  const lines = readCorpusText('shell', 'wordsTest').split('\n');
  if (lines.at(-1) === '') lines.pop(); // the file's final newline
  let cases = 0;
  lines.forEach((line, index) => {
    if (line.startsWith('#')) return;
    if (line.startsWith('ENV ')) {
      envEntries.push(line.slice(3).replace(/^ +/, ''));
      return;
    }
    const env = envFromList([...envEntries]);
    const lineNumber = index + 1;
    test(`line ${lineNumber}: ${line}`, () => {
      const fields = line.split('|');
      assert.equal(fields.length, 2, `line ${lineNumber} must have exactly one |`);
      const input = goTrimSpace(fields[0]!);
      const expected = fields[1]!.replace(/^ +/, '').split(',');
      let words: string[];
      try {
        words = lex.processWords(input, env);
      } catch {
        words = ['error'];
      }
      assert.deepEqual(words, expected);
    });
    cases++;
  });
  test('the corpus is present', () => assert.ok(cases > 10));
});
