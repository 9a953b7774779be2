import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template, GoStruct, GoNil, TemplateSyntaxError, TemplateExecError } from './template.js';
import { renderRows, templateText } from './formatter.js';
import { tabulate } from './tabwriter.js';

class Row extends GoStruct {
  readonly goTypeName = '*formatter.rowContext';
  constructor(readonly Name: string, readonly Size: string) { super(); }
  fieldNames() { return ['Name', 'Size']; }
}

const run = (text: string, data: unknown, missingKey: 'default' | 'error' | 'zero' = 'default') => Template.parse(text).execute(data, { missingKey });

test('fields, json and pipes', () => {
  const data = { ID: 'abc', Config: { Cmd: ['sh', '-c', 'echo hi'], Labels: { b: '2', a: '1' } }, Size: 1984241, Tags: ['<x>'] };
  assert.equal(run('{{.ID}}', data), 'abc');
  assert.equal(run('{{.Config.Cmd}}', data), '[sh -c echo hi]');
  assert.equal(run('{{.Config.Labels}}', data), 'map[a:1 b:2]');
  assert.equal(run('{{json .Config.Cmd}}', data), '["sh","-c","echo hi"]');
  assert.equal(run('{{.Config.Cmd | json}}', data), '["sh","-c","echo hi"]');
  assert.equal(run('{{json .Tags}}', data), '["<x>"]', 'the json function does not escape HTML');
  assert.equal(run('{{.Size}}', data), '1984241');
  assert.equal(run('{{index .Config.Labels "a"}}', data), '1');
  assert.equal(run('{{len .Config.Cmd}}', data), '3');
  assert.equal(run('{{join .Config.Cmd ","}}', data), 'sh,-c,echo hi');
  assert.equal(run('{{upper .ID}} {{lower "X"}} {{title "hello world"}}', data), 'ABC x Hello World');
  assert.equal(run('{{printf "%s-%5d|%-4s|" .ID 42 "x"}}', data), 'abc-   42|x   |');
  assert.equal(run('{{pad .ID 1 2}}|{{truncate .ID 2}}', data), ' abc  |ab');
  assert.equal(run('{{.Missing}}', data), '<no value>');
  assert.equal(run('{{.Config.Cmd}}', { Config: { Cmd: new GoNil('slice') } }), '[]');
});

test('control structures and trimming', () => {
  const data = { Items: ['a', 'b', 'c'], Flag: true, Empty: [], M: { y: 2, x: 1 } };
  assert.equal(run('{{range .Items}}{{.}};{{end}}', data), 'a;b;c;');
  assert.equal(run('{{range $i, $e := .Items}}{{$i}}={{$e}} {{end}}', data), '0=a 1=b 2=c ');
  assert.equal(run('{{range $k, $v := .M}}{{$k}}{{$v}}{{end}}', data), 'x1y2');
  assert.equal(run('{{range .Empty}}x{{else}}none{{end}}', data), 'none');
  assert.equal(run('{{if .Flag}}yes{{else}}no{{end}}', data), 'yes');
  assert.equal(run('{{if not .Flag}}yes{{else if .Items}}items{{else}}no{{end}}', data), 'items');
  assert.equal(run('{{with .M}}{{.x}}{{end}}', data), '1');
  assert.equal(run('{{if eq .Items.x 1}}{{end}}', { Items: { x: 1 } }), '');
  assert.equal(run('a  {{- "b" -}}  c', data), 'abc');
  assert.equal(run('{{/* comment */}}x', data), 'x');
  assert.equal(run('{{$x := "v"}}{{$x}}', data), 'v');
  assert.equal(run('{{range .Items}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', data), 'a');
  assert.equal(run('{{if and .Flag (eq (len .Items) 3)}}ok{{end}}', data), 'ok');
});

test('errors read like Go text/template', () => {
  assert.throws(() => Template.parse('{{.ID'), TemplateSyntaxError);
  assert.throws(() => Template.parse('{{nosuchfunc .}}'), /function "nosuchfunc" not defined/);
  assert.throws(() => Template.parse('{{if .X}}'), /unexpected EOF/);
  assert.throws(() => run('{{.Nope}}', new Row('a', '1')), (e: Error) => e instanceof TemplateExecError && /can't evaluate field Nope in type \*formatter.rowContext/.test(e.message));
  assert.throws(() => run('{{.Nope}}', {}, 'error'), /map has no entry for key "Nope"/);
});

test('struct contexts marshal like docker: sorted keys, HTML escaped', () => {
  assert.equal(run('{{json .}}', new Row('<none>', '1MB')), '{"Name":"\\u003cnone\\u003e","Size":"1MB"}');
});

test('table formats get a header row and tabwriter columns', () => {
  const rows = [new Row('busybox', '1.98MB'), new Row('a-much-longer-name', '10MB')];
  assert.equal(renderRows('table {{.Name}}\t{{.Size}}', rows, { Name: 'NAME', Size: 'SIZE' }),
    'NAME                 SIZE\nbusybox              1.98MB\na-much-longer-name   10MB\n');
  assert.equal(renderRows('{{.Name}}', rows, {}), 'busybox\na-much-longer-name\n');
  assert.equal(renderRows('table {{.Name}}', [], { Name: 'NAME' }), 'NAME\n');
  assert.equal(renderRows('table {{json .Name}}\t{{upper .Size}}', rows.slice(0, 1), { Name: 'NAME', Size: 'SIZE' }), 'NAME        SIZE\n"busybox"   1.98MB\n');
  assert.equal(templateText('table {{.A}}\\t{{.B}}'), '{{.A}}\t{{.B}}');
  assert.equal(templateText('json'), '{{json .}}');
});

test('tabwriter matches docker images layout', () => {
  const text = 'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\nbusybox\tlatest\t6d5ce623c9dc\t16 seconds ago\t1.98MB\n';
  assert.equal(tabulate(text), 'REPOSITORY   TAG       IMAGE ID       CREATED          SIZE\nbusybox      latest    6d5ce623c9dc   16 seconds ago   1.98MB\n');
  assert.equal(tabulate('Client:\n Version:\t1\n API version:\t2\n', { minWidth: 20, padding: 1 }), 'Client:\n Version:           1\n API version:       2\n');
});
