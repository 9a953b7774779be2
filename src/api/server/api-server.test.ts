import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../../base/index.js';
import { ApiServer } from './api-server.js';
import { Router } from './router.js';
import { hijack } from './hijack.js';
import { FrameWriter, STDOUT } from './stdcopy.js';
import { FrameDemuxer } from '../client/stdcopy.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function call(socketPath: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function withServer(t: { after: (fn: () => Promise<void>) => void }, setup: (router: Router) => void): Promise<{ socket: string; server: ApiServer; state: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-api-'));
  const socket = join(dir, 'api.sock');
  const router = new Router();
  setup(router);
  const server = new ApiServer({ router, engineVersion: '9.9.9', bodyLimit: 1024 });
  await server.listen({ path: socket });
  t.after(async () => {
    await server.close(500);
    await rm(dir, { recursive: true, force: true });
  });
  return { socket, server, state: {} };
}

const bodySchema = z.looseObject({ Name: z.string(), Count: z.number().optional() });

test('routing, versions, Docker headers on every response', async (t) => {
  const { socket } = await withServer(t, (r) => {
    r.get('/things/{name:.*}/json', (ctx) => ctx.sendJson(200, { name: ctx.params.name, version: ctx.version }));
    r.get('/missing', () => { throw new NotFoundError('No such thing: x'); });
  });
  const ok = await call(socket, 'GET', '/v1.40/things/docker.io/library/busybox:latest/json');
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { name: 'docker.io/library/busybox:latest', version: '1.40' });
  assert.equal(ok.headers['api-version'], '1.47');
  assert.equal(ok.headers['server'], 'strata/9.9.9 (linux)');
  assert.equal(ok.headers['ostype'], 'linux');
  assert.equal(ok.headers['docker-experimental'], 'false');
  assert.equal(JSON.parse((await call(socket, 'GET', '/things/x/json')).body).version, '1.47', 'unversioned paths use the current version');

  const missing = await call(socket, 'GET', '/missing');
  assert.equal(missing.status, 404);
  assert.deepEqual(JSON.parse(missing.body), { message: 'No such thing: x' });
  assert.equal(missing.headers['api-version'], '1.47', 'errors carry the headers too');

  const unknown = await call(socket, 'GET', '/v1.47/nope');
  assert.equal(unknown.status, 404);
  assert.deepEqual(JSON.parse(unknown.body), { message: 'page not found' });
  assert.equal((await call(socket, 'DELETE', '/missing')).status, 405);

  const tooNew = await call(socket, 'GET', '/v1.99/missing');
  assert.equal(tooNew.status, 400);
  assert.equal(JSON.parse(tooNew.body).message, 'client version 1.99 is too new. Maximum supported API version is 1.47');
  const tooOld = await call(socket, 'GET', '/v1.12/missing');
  assert.match(JSON.parse(tooOld.body).message, /client version 1.12 is too old. Minimum supported API version is 1.24/);
});

test('JSON bodies: malformed, wrong types, wrong content type, over the limit', async (t) => {
  const { socket } = await withServer(t, (r) => {
    r.post('/echo', async (ctx) => ctx.sendJson(200, (await ctx.readJson(bodySchema)) ?? null));
  });
  const json = { 'Content-Type': 'application/json' };
  assert.deepEqual(JSON.parse((await call(socket, 'POST', '/echo', '{"Name":"a","Extra":1}', json)).body), { Name: 'a', Extra: 1 }, 'unknown fields pass through');
  assert.equal((await call(socket, 'POST', '/echo')).body, 'null\n', 'an empty body is no options');

  const malformed = await call(socket, 'POST', '/echo', '{"Name":', json);
  assert.equal(malformed.status, 400);
  assert.match(JSON.parse(malformed.body).message, /^invalid JSON: /);

  const wrongType = await call(socket, 'POST', '/echo', '{"Name":5}', json);
  assert.equal(wrongType.status, 400);
  assert.match(JSON.parse(wrongType.body).message, /invalid JSON at Name/);

  const textPlain = await call(socket, 'POST', '/echo', '{"Name":"a"}', { 'Content-Type': 'text/plain' });
  assert.equal(textPlain.status, 400);
  assert.match(JSON.parse(textPlain.body).message, /unsupported Content-Type header \(text\/plain\): must be 'application\/json'/);

  const huge = await call(socket, 'POST', '/echo', Buffer.alloc(4096, 0x20), json);
  assert.equal(huge.status, 413);
  assert.equal(huge.headers.connection, 'close', 'an unread body is not drained: the connection closes');
});

test('a progress stream reports a late failure inside the stream', async (t) => {
  const { socket } = await withServer(t, (r) => {
    r.post('/work', (ctx) => {
      ctx.jsonStream().status('step 1');
      throw new Error('it broke');
    });
  });
  const reply = await call(socket, 'POST', '/work');
  assert.equal(reply.status, 200);
  const lines = reply.body.trim().split(/\r?\n/).map((l) => JSON.parse(l));
  assert.deepEqual(lines, [{ status: 'step 1' }, { errorDetail: { message: 'it broke' }, error: 'it broke' }]);
});

test('a client that disconnects mid-upload cancels the handler; the server keeps serving', async (t) => {
  let aborted: () => void;
  const sawAbort = new Promise<void>((resolve) => { aborted = resolve; });
  const { socket } = await withServer(t, (r) => {
    r.post('/upload', async (ctx) => {
      ctx.signal.addEventListener('abort', () => aborted());
      for await (const _chunk of ctx.req) { /* consume slowly */ }
      ctx.sendStatus(204);
    });
    r.get('/_ping', (ctx) => ctx.sendText(200, 'OK'));
  });
  await new Promise<void>((resolve) => {
    const req = request({ socketPath: socket, method: 'POST', path: '/upload', headers: { 'Content-Type': 'application/x-tar', 'Content-Length': '1000000' } });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(1000));
    setTimeout(() => { req.destroy(); resolve(); }, 100);
  });
  await sawAbort;
  assert.equal((await call(socket, 'GET', '/_ping')).body, 'OK');
});

test('hijack: 101 UPGRADED, then a raw duplex stream framed with stdcopy', async (t) => {
  const { socket } = await withServer(t, (r) => {
    r.post('/attach', (ctx) => {
      const conn = hijack(ctx, { tty: false });
      const out = new FrameWriter(conn.output, STDOUT);
      conn.input.once('data', (chunk: Buffer) => {
        out.write(Buffer.from(`echo:${chunk.toString()}`));
        conn.close();
      });
    });
  });
  const sock = createConnection({ path: socket });
  sock.write('POST /v1.47/attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
  let raw = Buffer.alloc(0);
  const headEnd = await new Promise<number>((resolve) => {
    sock.on('data', (c: Buffer) => {
      raw = Buffer.concat([raw, c]);
      const i = raw.indexOf('\r\n\r\n');
      if (i >= 0) resolve(i);
    });
  });
  const head = raw.subarray(0, headEnd).toString();
  assert.match(head, /^HTTP\/1.1 101 UPGRADED\r\n/);
  assert.match(head, /Content-Type: application\/vnd.docker.multiplexed-stream/);
  assert.match(head, /Connection: Upgrade/);
  assert.match(head, /Upgrade: tcp/);
  assert.match(head, /Api-Version: 1.47/);
  sock.write('hi');
  await new Promise<void>((resolve) => sock.on('end', () => resolve()));
  let out = '';
  const demux = new FrameDemuxer({ stdout: (b) => { out += b; }, stderr: () => {} });
  await new Promise<void>((resolve) => demux.end(raw.subarray(headEnd + 4), () => resolve()));
  assert.equal(out, 'echo:hi');
  sock.destroy();
});

test('shutdown ends long streams through their signal and closes the listener', async (t) => {
  const { socket, server } = await withServer(t, (r) => {
    r.get('/stream', async (ctx) => {
      ctx.res.writeHead(200);
      ctx.res.flushHeaders();
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      ctx.res.end('bye');
    });
  });
  const got = call(socket, 'GET', '/stream');
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await server.close(5000);
  assert.ok(Date.now() - started < 4000, 'the stream ended at once, not after the grace period');
  assert.equal((await got).body, 'bye');
});
