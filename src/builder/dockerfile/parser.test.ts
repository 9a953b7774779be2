import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../../base/index.js';
import type { DockerfileNode } from './ast.js';
import { dumpAst, dumpNode } from './dump.js';
import { DockerfileError } from './errors.js';
import { type Heredoc, chompHeredocContent, heredocsFromLine, parseHeredocWord } from './heredoc.js';
import { parseDockerfileAst } from './parser.js';

function nodes(text: string): readonly DockerfileNode[] {
  return parseDockerfileAst(text).nodes;
}

function dump(text: string): string {
  return dumpAst(parseDockerfileAst(text));
}

function heredoc(name: string, content: string, extra: Partial<Heredoc> = {}): Heredoc {
  return { name, fileDescriptor: 0, expand: true, chomp: false, content, ...extra };
}

/** Asserts a DockerfileError with exactly this message and these lines. */
function assertParseError(text: string, message: string, startLine: number, endLine = startLine): void {
  assert.throws(() => parseDockerfileAst(text), (err: unknown) => {
    assert.ok(err instanceof DockerfileError, `expected DockerfileError, got ${String(err)}`);
    assert.ok(err instanceof InvalidArgumentError);
    assert.equal(err.message, message);
    assert.equal(err.startLine, startLine);
    assert.equal(err.endLine, endLine);
    return true;
  });
}

describe('heredocs', () => {
  // The cases of BuildKit's TestParseExtractsHeredoc, one instruction each.
  const cases: [string, string, Heredoc[]][] = [
    ['plain', 'RUN <<EMPTY\nEMPTY\n', [heredoc('EMPTY', '')]],
    ['file descriptor', 'RUN 3<<EMPTY2\nEMPTY2\n', [heredoc('EMPTY2', '', { fileDescriptor: 3 })]],
    ['indented body kept', 'RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n', [heredoc('INDENT', '\tfoo\n\tbar\n')]],
    ['<<- body kept raw (chomped later)', 'RUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n', [heredoc('UNINDENT', '\tbaz\n\tquux\n', { chomp: true })]],
    ['<<- delimiter may be indented with tabs', 'RUN <<-UNINDENT2\n\tbaz\n\tUNINDENT2\n', [heredoc('UNINDENT2', '\tbaz\n', { chomp: true })]],
    ['single-quoted delimiter', "RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n", [heredoc('NOEXPAND', "\tdon't expand $NAME\n", { chomp: true, expand: false })]],
    ['double-quoted delimiter', 'RUN <<"EOF"\n$X\nEOF\n', [heredoc('EOF', '$X\n', { expand: false })]],
    ['partly quoted delimiter', "RUN <<eo'f'\necho foo\neof\n", [heredoc('eof', 'echo foo\n', { expand: false })]],
    ['escaped quote in delimiter', "RUN <<eo\\'f\necho foo\neo'f\n", [heredoc("eo'f", 'echo foo\n')]],
    ['quoted delimiter with a space', "RUN <<'one two'\necho bar\none two\n", [heredoc('one two', 'echo bar\n', { expand: false })]],
    ['dollar delimiter is literal', 'RUN <<$EOF\n$EOF\n', [heredoc('$EOF', '')]],
    ['blanks after <<', 'RUN <<  EOF\nEOF\n', [heredoc('EOF', '')]],
    ['comments inside the body are content', 'RUN <<C\n# internal comment\necho hi # trailing\nC\n', [heredoc('C', '# internal comment\necho hi # trailing\n')]],
    ['with flags', 'RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n', [heredoc('MOUNT', 'echo hello\n')]],
    ['two on one line', 'COPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n', [heredoc('FILE1', 'content 1\n'), heredoc('FILE2', 'content 2\n')]],
    ['bodies read in order', 'COPY <<X <<Y /dest\nY\nX\nX\nY\n', [heredoc('X', 'Y\n'), heredoc('Y', 'X\n')]],
    ['command after the heredoc', "RUN <<COMPLEX python3\nprint('hello world')\nCOMPLEX\n", [heredoc('COMPLEX', "print('hello world')\n")]],
    ['dotted name', 'COPY <<file.txt /dest\nhello world\nfile.txt\n', [heredoc('file.txt', 'hello world\n')]],
    ['CRLF lines', 'RUN <<EOF\r\necho a\r\nEOF\r\n', [heredoc('EOF', 'echo a\r\n')]],
    ['ONBUILD trigger', 'ONBUILD RUN <<EOF\necho a\nEOF\n', [heredoc('EOF', 'echo a\n')]],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      const [node] = nodes(text);
      assert.deepEqual(node!.heredocs, expected);
    });
  }

  test('not opened by JSON form, quoted words, or other instructions', () => {
    const parsed = nodes('FROM a\nRUN ["<<EOF"]\nRUN "<<NOHEREDOC"\nUSER <<INVALID\nINVALID\n');
    assert.deepEqual(parsed.map((n) => n.heredocs.length), [0, 0, 0, 0, 0]);
    // USER is not a heredoc instruction, so the next line is an instruction of its own.
    assert.equal(parsed[4]!.keyword, 'INVALID');
  });

  test('lines cover the body and parsing continues after it', () => {
    const parsed = nodes('FROM a\nRUN <<EOF\nline\nEOF\nRUN b\n');
    assert.deepEqual(parsed.map((n) => [n.keyword, n.startLine, n.endLine]), [['FROM', 1, 1], ['RUN', 2, 4], ['RUN', 5, 5]]);
  });

  test('heredoc after a line continuation', () => {
    const [, run] = nodes('FROM a\nRUN --network=none \\\n  cat <<EOF\nbody\nEOF\n');
    assert.equal(run!.original, 'RUN --network=none   cat <<EOF');
    assert.deepEqual(run!.heredocs, [heredoc('EOF', 'body\n')]);
    assert.deepEqual([run!.startLine, run!.endLine], [2, 5]);
  });

  test('an unterminated heredoc names the instruction and the last line', () => {
    assertParseError('FROM a\nRUN <<EOF\necho\n', 'Dockerfile parse error on line 2: unterminated heredoc', 2, 3);
    assertParseError('FROM a\nCOPY <<A <<B /d\nA\n', 'Dockerfile parse error on line 2: unterminated heredoc', 2, 3);
  });

  test('the escape directive does not change heredoc delimiter lexing', () => {
    const [, run] = nodes('# escape=`\nFROM a\nRUN <<eo\\\'f\nx\neo\'f\n');
    assert.equal(run!.heredocs[0]!.name, "eo'f");
  });

  test('heredoc words', () => {
    for (const word of ['<<EOF', "<<'EOF'", '<<"EOF"', '<<-EOF', "<<-'EOF'", '<<-"EOF"', '<<EO"F"', '<< EOF', '<<- EOF']) {
      assert.equal(parseHeredocWord(word)?.name, 'EOF', word);
    }
    for (const word of ['', 'EOF', '<<', '<<-', '<EOF', '<<<EOF', '<<EOF sh']) {
      assert.equal(parseHeredocWord(word), undefined, word);
    }
    for (const word of ["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"']) {
      assert.throws(() => parseHeredocWord(word), InvalidArgumentError, word);
    }
  });

  test('heredocs from a line', () => {
    const names = (line: string) => heredocsFromLine(line).map((h) => h.name);
    assert.deepEqual(names('RUN <<EOF'), ['EOF']);
    // The lexer keeps blanks right after `<<` in the word, but not after `<<-`: BuildKit
    // does not see a heredoc here (its own test of this case passes vacuously).
    assert.deepEqual(names('RUN <<- EOF'), []);
    assert.deepEqual(names('RUN << -EOF'), ['-EOF']);
    assert.deepEqual(names('RUN 4<<EOF'), ['EOF']);
    assert.deepEqual(names('RUN <<EOF <<EOF2'), ['EOF', 'EOF2']);
    assert.deepEqual(names("RUN '<<EOF'"), []);
    assert.deepEqual(names('RUN "<<EOF"'), []);
    // A line that does not lex (an open quote) opens no heredoc, as in BuildKit.
    assert.deepEqual(names("RUN <<EOF echo 'open"), []);
  });

  test('chomping strips leading tabs only', () => {
    assert.equal(chompHeredocContent('\thello\n\t\tworld\n  spaced\n'), 'hello\nworld\n  spaced\n');
  });
});

describe('parser directives', () => {
  test('escape=` makes backtick the continuation character', () => {
    const ast = parseDockerfileAst('# escape=`\nFROM image\nRUN a `\n  b\nENV P C:\\dir\n');
    assert.equal(ast.escapeToken, '`');
    assert.equal(dumpAst(ast), '(from "image")\n(run "a   b")\n(env "P" "C:\\\\dir" "")');
    assert.deepEqual(ast.directives, [{ name: 'escape', value: '`', line: 1 }]);
  });

  test('names are case-insensitive and blanks are allowed around =', () => {
    const ast = parseDockerfileAst('#  EScape = `\nFROM a\n');
    assert.equal(ast.escapeToken, '`');
  });

  test('syntax and check are recorded and otherwise ignored', () => {
    const ast = parseDockerfileAst('# syntax=docker/dockerfile:1\n# check=skip=all;error=true\n# escape=`\nFROM a\n');
    assert.deepEqual(ast.directives.map((d) => [d.name, d.value, d.line]), [
      ['syntax', 'docker/dockerfile:1', 1],
      ['check', 'skip=all;error=true', 2],
      ['escape', '`', 3],
    ]);
    assert.equal(ast.escapeToken, '`');
  });

  test('a directive after a comment, a blank line or an instruction is a comment', () => {
    assert.equal(parseDockerfileAst('# hello\n# escape=`\nFROM a\n').escapeToken, '\\');
    assert.equal(parseDockerfileAst('\n# escape=`\nFROM a\n').escapeToken, '\\');
    assert.equal(parseDockerfileAst('FROM a\n# escape=`\nRUN b\n').escapeToken, '\\');
    // An unknown directive ends the section too.
    assert.equal(parseDockerfileAst('# foo=bar\n# escape=`\nFROM a\n').escapeToken, '\\');
  });

  test('directives are not comments of the first instruction', () => {
    const [from] = nodes('# escape=\\\n# the base\nFROM a\n');
    assert.deepEqual(from!.comments, ['the base']);
  });

  test('errors: bad escape value, repeated directive', () => {
    assertParseError('# escape=x\nFROM a\n', "Dockerfile parse error on line 1: invalid escape token 'x' does not match ` or \\", 1);
    assertParseError('# escape=\\\n# ESCAPE=`\nFROM a\n', 'Dockerfile parse error on line 2: only one escape parser directive can be used', 2);
    assertParseError('# syntax=a\n# syntax=b\nFROM a\n', 'Dockerfile parse error on line 2: only one syntax parser directive can be used', 2);
  });
});

describe('lines, comments and continuations', () => {
  test('continuation skips comment lines, and blank lines with a warning', () => {
    const ast = parseDockerfileAst('FROM a\nRUN a \\\n# comment\n  b \\\n\n  c\nRUN d\n');
    assert.equal(dumpAst(ast), '(from "a")\n(run "a   b   c")\n(run "d")');
    assert.deepEqual(ast.nodes.map((n) => [n.startLine, n.endLine]), [[1, 1], [2, 6], [7, 7]]);
    assert.equal(ast.warnings.length, 1);
    assert.equal(ast.warnings[0]!.short, 'Empty continuation line found in: RUN a   b   c');
    assert.equal(ast.warnings[0]!.line, 6);
  });

  test('BuildKit warning cases', () => {
    const ast = parseDockerfileAst(
      '\nFROM alpine:3.6\n\nRUN valid \\\n    continuation\n\nRUN something \\\n\n    following \\\n\n    more\n\n' +
        'RUN another \\\n\n    thing\n\nRUN non-indented \\\n# this is a comment\n   after-comment\n\n' +
        'RUN indented \\\n    # this is an indented comment\n    comment\n\t',
    );
    assert.equal(ast.warnings.length, 2);
    assert.match(ast.warnings[0]!.short, /RUN something {5}following {5}more/);
    assert.match(ast.warnings[1]!.short, /RUN another {5}thing/);
  });

  test('a continuation at the end of the file ends the instruction', () => {
    assert.equal(dump('FROM a\nRUN b \\'), '(from "a")\n(run "b")');
  });

  test('an escaped escape at the end of a line is not a continuation', () => {
    assert.equal(dump('FROM a\nENV C x\\\\\nENV D y\n'), '(from "a")\n(env "C" "x\\\\\\\\" "")\n(env "D" "y" "")');
  });

  test('comments collect above an instruction; a bare # resets them', () => {
    const parsed = nodes('# one\n#\n# two\n  # three\nFROM a\nRUN b\n');
    assert.deepEqual(parsed[0]!.comments, ['two', 'three']);
    assert.deepEqual(parsed[1]!.comments, []);
  });

  test('a byte-order mark and CRLF line endings are accepted', () => {
    assert.equal(dump('\uFEFFFROM a\r\nRUN b \\\r\n  c\r\n'), '(from "a")\n(run "b   c")');
    assert.equal(dumpAst(parseDockerfileAst(new TextEncoder().encode('\uFEFF# escape=`\r\nFROM a\r\n'))), '(from "a")');
  });

  test('the original text is the joined logical line', () => {
    const [, run] = nodes('FROM a\n  RUN --mount=type=cache,target=/c \\\n    make  \n');
    assert.equal(run!.original, 'RUN --mount=type=cache,target=/c     make  ');
    assert.deepEqual(run!.flags, ['--mount=type=cache,target=/c']);
    assert.deepEqual(run!.args, ['make']);
  });
});

describe('instruction arguments', () => {
  test('flags: quotes and escapes removed, -- ends them, later words are arguments', () => {
    assert.equal(
      dump('COPY --chown="a b" --from=x\\ y -- --notaflag /d\n'),
      '(copy ["--chown=a b" "--from=x y"] "--notaflag" "/d")',
    );
    assert.equal(dump('RUN --mount=type=secret,id=x --network=none echo hi\n'), '(run ["--mount=type=secret,id=x" "--network=none"] "echo hi")');
  });

  test('JSON form rules', () => {
    assert.equal(dump('CMD ["a", "b c"]\n'), '(cmd "a" "b c")');
    assert.equal(dump('CMD ["a"] x\n'), '(cmd "[\\"a\\"] x")');
    assert.equal(dump("CMD ['a']\n"), '(cmd "[\'a\']")');
    assert.equal(dump('CMD [1e999]\n'), '(cmd "[1e999]")');
    assert.equal(dump('COPY ["a b", "/d"]\n'), '(copy "a b" "/d")');
    assert.equal(dump('VOLUME [ ]\n'), '(volume)');
    assert.equal(parseDockerfileAst('CMD ["a"]\n').nodes[0]!.json, true);
    assert.equal(parseDockerfileAst('CMD a\n').nodes[0]!.json, false);
    assertParseError('FROM a\nCMD ["a", 1]\n', 'Dockerfile parse error on line 2: when using JSON array syntax, arrays must be comprised of strings only', 2);
    assertParseError('FROM a\nRUN [["x"]]\n', 'Dockerfile parse error on line 2: when using JSON array syntax, arrays must be comprised of strings only', 2);
  });

  test('ENV and LABEL forms', () => {
    assert.equal(dump('ENV a b c\n'), '(env "a" "b c" "")');
    assert.equal(dump('ENV a=1 b="2 3" c=x\\ y\n'), '(env "a" "1" "=" "b" "\\"2 3\\"" "=" "c" "x\\\\ y" "=")');
    assert.equal(dump('LABEL "com.x"="y z"\n'), '(label "\\"com.x\\"" "\\"y z\\"" "=")');
    assertParseError('FROM a\nENV PATH\n', 'Dockerfile parse error on line 2: ENV must have two arguments', 2);
    assertParseError('FROM a\nLABEL a=b c\n', 'Dockerfile parse error on line 2: Syntax error - can\'t find = in "c". Must be of the form: name=value', 2);
  });

  test('ARG keeps quotes for expansion', () => {
    assert.equal(dump('ARG a b=1 c="2 3"\n'), '(arg "a" "b=1" "c=\\"2 3\\"")');
  });

  test('HEALTHCHECK and ONBUILD shapes', () => {
    assert.equal(dump('HEALTHCHECK --interval=5s CMD ["a", "b"]\n'), '(healthcheck ["--interval=5s"] "CMD" "a" "b")');
    assert.equal(dump('HEALTHCHECK NONE\n'), '(healthcheck "NONE")');
    assert.equal(dump('ONBUILD --x RUN --mount=a echo\n'), '(onbuild ["--x"] (run ["--mount=a"] "echo"))');
    assert.equal(dump('ONBUILD\n'), '(onbuild)');
  });

  test('unknown instructions are kept for the instruction parser to reject', () => {
    const [node] = nodes('FORM x\n');
    assert.equal(dumpNode(node!), 'form ""');
  });

  test('strings are dumped with Go quoting', () => {
    assert.equal(dump('RUN ["\\u0000\\u0007\\u00a0\\u00e9\\u2603\\ud83d\\ude00\\ud800"]\n'), '(run "\\x00\\a\\u00a0é☃😀�")');
  });
});

describe('parse errors', () => {
  test('empty files and files with only comments', () => {
    assertParseError('', 'Dockerfile parse error on line 1: file with no instructions', 1);
    assertParseError('# a\n# b\n\n', 'Dockerfile parse error on line 3: file with no instructions', 3);
  });

  test('errors name the first line of a continued instruction and keep its last', () => {
    assertParseError('FROM a\nENV \\\n  NAME\n', 'Dockerfile parse error on line 2: ENV must have two arguments', 2, 3);
  });

  test('an over-long line fails like BuildKit', () => {
    assertParseError(`FROM a\nLABEL a=${'x'.repeat(65536)}\n`, 'Dockerfile parse error on line 2: dockerfile line greater than max allowed size of 65535', 2);
    // 65535 bytes is still fine, multi-byte characters counted in UTF-8.
    assert.doesNotThrow(() => parseDockerfileAst(`FROM a\nLABEL a=${'x'.repeat(65535 - 8)}\n`));
    assert.throws(() => parseDockerfileAst(`FROM a\nLABEL a=${'é'.repeat(32764)}\n`), /greater than max allowed size/);
  });
});
