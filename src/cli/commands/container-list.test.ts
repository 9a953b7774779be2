import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, displayablePorts, ContainerRow, containerFormat, formatUsesSize, type ContainerSummary } from './container-list.js';
import { renderRows } from '../format/formatter.js';
import { naturalLess } from './volumes.js';

const base: ContainerSummary = {
  Id: 'f'.repeat(64), Names: ['/web', '/other/link'], Image: 'docker.io/library/busybox:1.36', ImageID: 'sha256:' + 'e'.repeat(64),
  Command: 'tail -f /dev/null', Created: 1_700_000_000, Ports: null, Labels: null, State: 'running', Status: 'Up 1 second',
};

test('strconv.Quote', () => {
  assert.equal(goQuote('tail -f /dev/null'), '"tail -f /dev/null"');
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('x\ny\t\x01\x7f'), '"x\\ny\\t\\x01\\x7f"');
  assert.equal(goQuote('héllo…'), '"héllo…"');
  assert.equal(goQuote('\u00a0\u2028'), '"\\u00a0\\u2028"');
});

test('the columns of a row, truncated and not', () => {
  const row = new ContainerRow(base, true, 1_700_000_090_000);
  assert.equal(row.ID, 'f'.repeat(12));
  assert.equal(row.Names, 'web', 'links are left out when truncating');
  assert.equal(new ContainerRow(base, false).Names, 'web,other/link');
  assert.equal(row.Image, 'busybox:1.36');
  assert.equal(new ContainerRow({ ...base, Image: 'sha256:' + 'e'.repeat(64) }, true).Image, 'e'.repeat(12));
  assert.equal(new ContainerRow({ ...base, Image: '' }, true).Image, '<no image>');
  assert.equal(row.Command, '"tail -f /dev/null"');
  assert.equal(new ContainerRow({ ...base, Command: 'sh -c echo out; echo err' }, true).Command, '"sh -c echo out; ech…"');
  assert.equal(row.RunningFor, 'About a minute ago');
  assert.equal(row.Size, '0B');
  assert.equal(new ContainerRow({ ...base, SizeRw: 1200, SizeRootFs: 1984241 }, true).Size, '1.2kB (virtual 1.98MB)');
  assert.equal(new ContainerRow({ ...base, Labels: { z: '1', a: '2' } }, true).Labels, 'a=2,z=1');
  assert.equal(new ContainerRow({ ...base, Mounts: [{ Name: 'averyveryverylongvolumename', Source: '/x', Driver: 'local' }, { Source: '/host/dir' }] }, true).Mounts, 'averyveryveryl…,/host/dir');
  assert.equal(new ContainerRow({ ...base, NetworkSettings: { Networks: { none: {} } } }, true).Networks, 'none');
});

test('ports grouped as docker shows them', () => {
  assert.equal(displayablePorts([]), '');
  assert.equal(displayablePorts([{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 81, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }]), '53/udp, 80-81/tcp');
  assert.equal(displayablePorts([{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]), '0.0.0.0:8080->80/tcp');
  assert.equal(displayablePorts([{ IP: '::', PrivatePort: 80, PublicPort: 80, Type: 'tcp' }]), '[::]:80->80/tcp');
});

test('formats: the default table, quiet, size, raw', () => {
  assert.equal(containerFormat('', false, false), 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}');
  assert.equal(containerFormat('table', true, true), '{{.ID}}');
  assert.equal(containerFormat('{{.Names}}', true, false), '{{.ID}}');
  assert.ok(containerFormat('table', false, true).endsWith('\\t{{.Size}}'));
  assert.equal(formatUsesSize('{{.Size}}'), true);
  assert.equal(formatUsesSize('{{json .}}'), true);
  assert.equal(formatUsesSize('json'), false);
  const table = renderRows(containerFormat('', false, false), [new ContainerRow(base, true, 1_700_000_002_000)], {
    ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES',
  });
  assert.equal(table, 'CONTAINER ID   IMAGE          COMMAND               CREATED         STATUS        PORTS     NAMES\n'
    + 'ffffffffffff   busybox:1.36   "tail -f /dev/null"   2 seconds ago   Up 1 second             web\n');
});

test('natural order of volume names', () => {
  const names = ['v10', 'v2', 'a', 'v1', 'B'];
  assert.deepEqual(names.sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0)), ['B', 'a', 'v1', 'v2', 'v10']);
});
