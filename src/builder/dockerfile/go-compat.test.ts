import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../../base/index.js';
import { parseGoDuration } from './go-duration.js';
import { parseGoBool, parseGoUint, parseRamInBytes } from './go-numbers.js';
import { goQuote, goQuoteList } from './go-quote.js';
import { goTrimSpace, isGoSpace, splitOnAsciiBlanks, utf8Length } from './go-text.js';
import { suggest } from './suggest.js';

describe('Go text helpers', () => {
  test('strconv.Quote', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\x00\x07\b\f\n\r\t\v\x1b\x7f'), '"\\x00\\a\\b\\f\\n\\r\\t\\v\\x1b\\x7f"');
    assert.equal(goQuote('é♥😀'), '"é♥😀"');
    assert.equal(goQuote('\u00a0\u00ad\u200b\u{e0001}'), '"\\u00a0\\u00ad\\u200b\\U000e0001"');
    assert.equal(goQuoteList(['--a=1', 'b c']), '["--a=1" "b c"]');
  });

  test('unicode.IsSpace and TrimSpace', () => {
    assert.ok(isGoSpace('\u0085') && isGoSpace('\u00a0') && isGoSpace('\u3000'));
    assert.ok(!isGoSpace('\ufeff') && !isGoSpace('\u200b'));
    assert.equal(goTrimSpace('\u0085 a b\t\u00a0'), 'a b');
  });

  test('regexp.Split on ASCII blanks', () => {
    assert.deepEqual(splitOnAsciiBlanks('a  b\tc'), ['a', 'b', 'c']);
    assert.deepEqual(splitOnAsciiBlanks('a  b\tc', 2), ['a', 'b\tc']);
    assert.deepEqual(splitOnAsciiBlanks(''), ['']);
    assert.deepEqual(splitOnAsciiBlanks('a\u00a0b c'), ['a\u00a0b', 'c']);
  });

  test('UTF-8 length', () => {
    assert.equal(utf8Length('aé♥😀'), 1 + 2 + 3 + 4);
  });
});

describe('time.ParseDuration', () => {
  test('accepted forms', () => {
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('300ms'), 3e8);
    assert.equal(parseGoDuration('1.5h'), 5400e9);
    assert.equal(parseGoDuration('2h45m'), 9900e9);
    assert.equal(parseGoDuration('-1s'), -1e9);
    assert.equal(parseGoDuration('1µs'), 1000);
    assert.equal(parseGoDuration('1.5ns'), 1);
    assert.equal(parseGoDuration('.5s'), 5e8);
  });

  test('rejected forms, with Go messages', () => {
    const message = (s: string) => {
      try {
        parseGoDuration(s);
        return 'ok';
      } catch (err) {
        assert.ok(err instanceof InvalidArgumentError);
        return err.message;
      }
    };
    assert.equal(message(''), 'time: invalid duration ""');
    assert.equal(message('5'), 'time: missing unit in duration "5"');
    assert.equal(message('5x'), 'time: unknown unit "x" in duration "5x"');
    assert.equal(message('.s'), 'time: invalid duration ".s"');
    assert.equal(message('s'), 'time: invalid duration "s"');
    assert.equal(message('99999999999h'), 'time: invalid duration "99999999999h"');
  });
});

describe('strconv and go-units', () => {
  test('ParseBool', () => {
    assert.deepEqual(['1', 't', 'TRUE', 'True', '0', 'F', 'false', 'yes'].map(parseGoBool), [true, true, true, true, false, false, false, undefined]);
  });

  test('ParseUint', () => {
    assert.equal(parseGoUint('0755', 8, 32), 0o755);
    assert.equal(parseGoUint('8', 8, 32), undefined);
    assert.equal(parseGoUint('4294967295', 10, 32), 4294967295);
    assert.equal(parseGoUint('4294967296', 10, 32), undefined);
    assert.equal(parseGoUint('-1', 10, 32), undefined);
  });

  test('RAMInBytes', () => {
    assert.equal(parseRamInBytes('100'), 100);
    assert.equal(parseRamInBytes('64m'), 64 * 1024 ** 2);
    assert.equal(parseRamInBytes('1.5GiB'), 1.5 * 1024 ** 3);
    assert.equal(parseRamInBytes('512 kb'), 512 * 1024);
    assert.equal(parseRamInBytes('10b'), 10);
    for (const bad of ['m', '10x', '10mbb', '10bb', '-1', '1kx']) assert.equal(parseRamInBytes(bad), undefined, bad);
  });
});

describe('suggestions', () => {
  test('closest option under distance 3, case kept', () => {
    assert.equal(suggest('FORM', ['FROM', 'RUN'], false), 'FROM');
    assert.equal(suggest('form', ['FROM', 'RUN'], false), 'from');
    assert.equal(suggest('Form', ['FROM', 'RUN'], false), 'from');
    assert.equal(suggest('xyzzy', ['FROM', 'RUN'], false), undefined);
    assert.equal(suggest('RUN', ['FROM', 'RUN'], false), undefined);
    assert.equal(suggest('chmown', ['chown', 'chmod'], true), 'chown');
  });
});
