import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../../base/index.js';
import { envFromList, envFromRecord } from './shell-env.js';
import { ShellLex } from './shell-lex.js';
import { reversePattern, shellPatternToRegex } from './shell-pattern.js';

const lex = new ShellLex('\\');

function expand(word: string, env: Record<string, string>): string {
  return lex.processWord(word, envFromRecord(env));
}

describe('modifiers', () => {
  // [input, env, expected, matched, unmatched] — the cases of BuildKit's TestProcessWithMatches.
  const cases: [string, Record<string, string>, string, string[], string[]][] = [
    ['x ${UNUSED}', { DUMMY: 'dummy' }, 'x ', [], ['UNUSED']],
    ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx  ccc', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx bbb ccc', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:-}', {}, '', [], ['FOO']],
    ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa bbb ', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa  ', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO?aaa}', { FOO: 'xxx' }, 'xxx', ['FOO'], []],
    ['${BAR?bbb}', { BAR: '' }, '', ['BAR'], []],
    ['${FOO:?aaa}', { FOO: 'xxx' }, 'xxx', ['FOO'], []],
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x', ['FOO'], []],
    ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx', ['FOO'], []],
    ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y', ['FOO'], []],
    ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy', ['FOO', 'BAR'], []],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy', ['FOO', 'BAR'], []],
    ['${FOO#}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
    ['${FOO##*x}', { FOO: 'xxyy' }, 'yy', ['FOO'], []],
    ['${FOO##}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
    ['${FOO#?\\?}', { FOO: '???y' }, '?y', ['FOO'], []],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.', ['FOO'], ['ABC']],
    ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a', ['FOO'], []],
    ['${FOO%}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
    ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy', ['FOO', 'BAR'], []],
    ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt', ['FOO', 'NEEDLE'], []],
    ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt', ['FOO', 'NEEDLE'], []],
    ['${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}', { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' }, '/foo/b/c.txt - /foo/c.txt', ['FOO', 'NEEDLE', 'REPLACEMENT'], []],
    ['${FOO/$NEEDLE/$REPLACEMENT}', { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, 'https://google.de', ['FOO', 'NEEDLE', 'REPLACEMENT'], []],
    ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt', ['FOO'], []],
    ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy', ['FOO', 'BAR'], []],
    ['${FOO///}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
    ['${FOO///}', {}, '', [], ['FOO']],
    ['something-${VERSION}.${OS}-${ARCH}${VARIANT:+-${VARIANT}}.tar.gz', { VERSION: 'v1', OS: 'linux', ARCH: 'arm', VARIANT: 'v7' }, 'something-v1.linux-arm-v7.tar.gz', ['VERSION', 'OS', 'ARCH', 'VARIANT'], []],
    ['something-${VERSION}.${OS}-${ARCH}${VARIANT:+-${VARIANT}}.tar.gz', { VERSION: 'v1', OS: 'linux', ARCH: 'arm64' }, 'something-v1.linux-arm64.tar.gz', ['VERSION', 'OS', 'ARCH'], ['VARIANT']],
  ];
  for (const [input, env, expected, matched, unmatched] of cases) {
    test(`${input} with ${JSON.stringify(env)}`, () => {
      const result = lex.processWordWithMatches(input, envFromRecord(env));
      assert.equal(result.result, expected);
      assert.deepEqual([...result.matched].sort(), [...matched].sort());
      assert.deepEqual([...result.unmatched].sort(), [...unmatched].sort());
    });
  }

  const failures: [string, Record<string, string>][] = [
    ['${BAZ?ccc}', {}],
    ['${BAR:?bbb}', { BAR: '' }],
    ['${BAZ:?}', {}],
    ['${FOO=aaa}', { FOO: 'xxx' }],
    ['${FOO=:aaa}', { FOO: 'xxx' }],
    ['${FOO=}', {}],
    ['${FOO:#}', {}],
    ['${FOO:##}', {}],
    ['${FOO:%}', {}],
    ['${FOO:%%}', {}],
    ['${FOO//ww}', { FOO: 'xxyy' }],
    ['${FOO//}', { FOO: 'xxyy' }],
  ];
  for (const [input, env] of failures) {
    test(`${input} fails`, () => assert.throws(() => expand(input, env), InvalidArgumentError));
  }
});

describe('error messages', () => {
  const message = (input: string, env: Record<string, string> = {}) => {
    try {
      expand(input, env);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  test('mandatory variables', () => {
    assert.equal(message('${VAR:?message here$ARG}', { VAR: '', ARG: 'x' }), 'failed to process "${VAR:?message here$ARG}": VAR: message herex');
    assert.equal(message('${VAR?}'), 'failed to process "${VAR?}": VAR: is not allowed to be unset');
    assert.equal(message('${VAR:?}', { VAR: '' }), 'failed to process "${VAR:?}": VAR: is not allowed to be empty');
    assert.equal(expand('${VAR?message here$ARG}', { VAR: '', ARG: 'x' }), '');
  });
  test('syntax', () => {
    assert.equal(message('${}'), 'failed to process "${}": syntax error: bad substitution');
    assert.equal(message('${a'), 'failed to process "${a": unsupported modifier (\uFFFD) in substitution');
    assert.equal(message('${a:-b'), 'failed to process "${a:-b": syntax error: missing \'}\'');
    assert.equal(message('${a/b'), 'failed to process "${a/b": syntax error: missing \'/\' in ${}');
    assert.equal(message('${a:=b}'), 'failed to process "${a:=b}": unsupported modifier (:=) in substitution');
    assert.equal(message('"abc'), 'failed to process "\\"abc": unexpected end of statement while looking for matching double-quote');
    assert.equal(message("'abc"), 'failed to process "\'abc": unexpected end of statement while looking for matching single-quote');
    assert.equal(message('${a#\\x}', { a: 'b' }), 'failed to process "${a#\\\\x}": invalid pattern (\\x) in substitution: invalid escape \'\\x\'');
  });
});

describe('quotes, escapes and words', () => {
  test('the backtick escape token', () => {
    const tick = new ShellLex('`');
    const env = envFromRecord({ X: 'x' });
    assert.equal(tick.processWord('a`$X b\\c', env), 'a$X b\\c');
    assert.equal(tick.processWord('"q`"q `$X $X"', env), 'q"q $X x');
    assert.equal(tick.processWord('C:\\dir\\$X', env), 'C:\\dir\\x');
  });

  test('quotes keep words together; expansions split', () => {
    const env = envFromList(['A=1 2', 'E=']);
    assert.deepEqual(lex.processWords('x $A "$A" \'$A\' y\\ z', env), ['x', '1', '2', '1 2', '$A', 'y z']);
    // An empty expansion does not make a word; an empty quoted string does not either (BuildKit).
    assert.deepEqual(lex.processWords('a $E "" b', env), ['a', 'b']);
  });

  test('words keep the text before a ${...} with a modifier', () => {
    // BuildKit's ProcessWords loses "hello" here (a shared buffer is reset by the nested
    // ${...}); strata keeps it, as a shell would.
    assert.deepEqual(lex.processWords('hello${N:-abc}bye x', envFromList([])), ['helloabcbye', 'x']);
  });

  test('raw quotes and unset variables left alone (the heredoc detector mode)', () => {
    const raw = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
    const env = envFromList(['SET=v']);
    assert.deepEqual(raw.processWords('"a b" \'c\' \\d $X ${Y:-z} ${Y/a/b} $SET', env), ['"a b"', "'c'", '\\d', '$X', '${Y:-z}', '${Y/a/b}', 'v']);
    assert.deepEqual(raw.processWords('RUN <<  EOF > out', env), ['RUN', '<<  EOF', '>', 'out']);
  });

  test('quotes are ordinary characters when not processed (heredoc bodies)', () => {
    const body = new ShellLex('\\', { skipProcessQuotes: true });
    assert.equal(body.processWord('"$X" \'$X\' \\$X\n', envFromList(['X=1'])), '"1" \'1\' $X\n');
  });

  test('names: unicode letters, digits first means positional, specials', () => {
    const env = envFromList(['안녕=hi', 'A_1=a']);
    assert.equal(lex.processWord('$안녕-$A_1-$1x-$@y-$$-${#}', env), 'hi-a-x-y--');
  });
});

describe('patterns', () => {
  test('compilation', () => {
    assert.equal(shellPatternToRegex('*', true, true).source, '^[^\\n]*');
    assert.equal(shellPatternToRegex('?', true, true).source, '^[^\\n]');
    assert.equal(shellPatternToRegex('\\*', true, true).source, '^\\*');
    assert.equal(shellPatternToRegex('(()[]{\\}^$.\\*\\?|\\\\', true, true).source, '^\\(\\(\\)\\[\\]\\{\\}\\^\\$\\.\\*\\?\\|\\\\');
    for (const bad of ['\\', '\\x', '\\\\\\']) assert.throws(() => shellPatternToRegex(bad, true, true), InvalidArgumentError);
  });

  test('reversal keeps escapes in front', () => {
    assert.equal(reversePattern('a\\*c'), 'c\\*a');
    assert.equal(reversePattern('\\\\\\ab'), 'b\\a\\\\');
    assert.equal(reversePattern('ab\\'), '\\ba');
    assert.equal(reversePattern('👽\\🚀🖖'), '🖖\\🚀👽');
  });

  test('suffix and prefix removal', () => {
    const env = { V: 'a.b.c', P: '/usr/local/bin' };
    assert.equal(expand('${V%.*} ${V%%.*} ${V#*.} ${V##*.}', env), 'a.b a b.c c');
    assert.equal(expand('${P##*/} ${P%/*}', env), 'bin /usr/local');
  });

  test('global replacement follows Go (no double replacement, $0 is the match)', () => {
    assert.equal(expand('${X//*/z}', { X: 'abc' }), 'z');
    assert.equal(expand('${X//b*/-}', { X: 'abc' }), 'a-');
    assert.equal(expand('${X//y*/\\$0}', { X: 'xxyy' }), 'xx\\yy');
    assert.equal(expand('${X//?/.}', { X: 'a\nb' }), '.\n.');
  });
});
