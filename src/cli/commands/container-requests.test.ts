/**
 * The container commands against a fake daemon on a unix socket: which requests each
 * command makes (paths, queries, bodies) and how it reports the answers (output, exit
 * status), with no engine behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cliMain } from '../main.js';

interface Seen {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  body: unknown;
}

type Handler = (req: Seen, res: ServerResponse) => void;
type UpgradeHandler = (req: Seen, socket: Socket) => void;

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function queryOf(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

async function fakeDaemon(t: { after: (fn: () => Promise<void> | void) => void }, handle: Handler, upgrade?: UpgradeHandler) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cli-fake-'));
  const socket = join(dir, 'd.sock');
  const seen: Seen[] = [];
  const read = (req: IncomingMessage) => new Promise<Seen>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString();
      resolve({ method: req.method ?? '', path: url.pathname, query: queryOf(url), body: text ? JSON.parse(text) : undefined });
    });
  });
  const server = createServer((req, res) => {
    void read(req).then((s) => {
      seen.push(s);
      handle(s, res);
    });
  });
  server.on('upgrade', (req: IncomingMessage, sock: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const length = Number(req.headers['content-length'] ?? 0);
    let body = head;
    const finish = () => {
      const s: Seen = { method: req.method ?? '', path: url.pathname, query: queryOf(url), body: length > 0 ? JSON.parse(body.subarray(0, length).toString()) : undefined };
      seen.push(s);
      sock.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      upgrade?.(s, sock);
    };
    if (body.length >= length) finish();
    else {
      const onData = (c: Buffer) => {
        body = Buffer.concat([body, c]);
        if (body.length >= length) { sock.off('data', onData); finish(); }
      };
      sock.on('data', onData);
    }
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(socket, r));
  t.after(() => {
    // Upgraded (hijacked) sockets are no longer the HTTP server's: destroy every one.
    server.close();
    for (const s of sockets) s.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return { host: `unix://${socket}`, seen };
}

async function cli(host: string, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  stdin.end(input);
  const code = await cliMain(['--host', host, ...args], { stdin, stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

const ID = 'a'.repeat(64);

test('create: one POST with the flags mapped; prints the ID', async (t) => {
  const d = await fakeDaemon(t, (_req, res) => json(res, 201, { Id: ID, Warnings: ['low memory'] }));
  const r = await cli(d.host, ['create', '--name', 'web', '-e', 'A=1', '--rm', 'busybox', 'echo', '-n', 'hi']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ID}\n`);
  assert.equal(r.stderr, 'WARNING: low memory\n');
  assert.equal(d.seen.length, 1);
  const [req] = d.seen as [Seen];
  assert.equal(`${req.method} ${req.path}`, 'POST /containers/create');
  assert.deepEqual(req.query, { name: 'web' });
  const body = req.body as Record<string, unknown> & { HostConfig: Record<string, unknown> };
  assert.equal(body.Image, 'busybox');
  assert.deepEqual(body.Cmd, ['echo', '-n', 'hi']);
  assert.deepEqual(body.Env, ['A=1']);
  assert.equal(body.HostConfig.AutoRemove, true);
  assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { default: {} } });
});

test('run -d: create, wait for the next exit, start, print the ID', async (t) => {
  const d = await fakeDaemon(t, (req, res) => {
    if (req.path === '/containers/create') return json(res, 201, { Id: ID });
    if (req.path.endsWith('/wait')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      return;
    }
    res.writeHead(204);
    res.end();
  });
  const r = await cli(d.host, ['run', '-d', 'busybox', 'sleep', '9']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ID}\n`);
  assert.deepEqual(d.seen.map((s) => `${s.method} ${s.path}`), ['POST /containers/create', `POST /containers/${ID}/wait`, `POST /containers/${ID}/start`]);
  assert.deepEqual(d.seen[1]!.query, { condition: 'next-exit' });
  const body = d.seen[0]!.body as Record<string, unknown>;
  assert.deepEqual([body.AttachStdin, body.AttachStdout, body.AttachStderr], [false, false, false]);
});

test('run in the foreground: attach, wait, start; output split; the container\'s status', async (t) => {
  let release!: () => void;
  const exited = new Promise<void>((r) => { release = r; });
  const d = await fakeDaemon(t, (req, res) => {
    if (req.path === '/containers/create') return json(res, 201, { Id: ID });
    if (req.path.endsWith('/wait')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      void exited.then(() => res.end('{"StatusCode":3}\n'));
      return;
    }
    res.writeHead(204);
    res.end();
  }, (req, sock) => {
    assert.deepEqual(req.query, { stream: '1', stdout: '1', stderr: '1' });
    setTimeout(() => {
      sock.write(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));
      sock.end();
      release();
    }, 50);
  });
  const r = await cli(d.host, ['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.deepEqual(d.seen.map((s) => `${s.method} ${s.path}`), ['POST /containers/create', `POST /containers/${ID}/attach`, `POST /containers/${ID}/wait`, `POST /containers/${ID}/start`]);
  assert.deepEqual(d.seen[2]!.query, { condition: 'removed' }, '--rm waits for the removal');
});

test('run: a missing image is pulled (and that failing is status 125); start failures are 127/126', async (t) => {
  let lastName: unknown;
  const d = await fakeDaemon(t, (req, res) => {
    if (req.path === '/containers/create') lastName = req.query.name;
    if (req.path === '/containers/create' && req.query.name === 'nf') return json(res, 404, { message: 'No such image: nosuch:latest' });
    if (req.path === '/images/create') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorDetail: { message: 'pull access denied for nosuch' }, error: 'pull access denied for nosuch' }) + '\n');
      return;
    }
    if (req.path === '/containers/create') return json(res, 201, { Id: ID });
    if (req.path.endsWith('/wait')) { res.writeHead(200); res.flushHeaders(); return; }
    if (req.path.endsWith('/start')) {
      return json(res, 400, { message: lastName === 'perm' ? 'failed to create task: exec: "/etc": permission denied' : 'failed to create task: exec: "nosuch": executable file not found in $PATH' });
    }
    res.writeHead(204);
    res.end();
  });
  const missing = await cli(d.host, ['run', '--name', 'nf', 'nosuch']);
  assert.equal(missing.code, 125);
  assert.equal(missing.stderr, "Unable to find image 'nosuch:latest' locally\nstrata: pull access denied for nosuch\n\nRun 'strata run --help' for more information\n");
  assert.deepEqual(d.seen.find((s) => s.path === '/images/create')!.query, { fromImage: 'nosuch', tag: 'latest' });
  const notFound = await cli(d.host, ['run', '-d', 'busybox', 'nosuch']);
  assert.equal(notFound.code, 127);
  assert.equal(notFound.stdout, `${ID}\n`, 'detached, the ID is out before the start fails');
  assert.match(notFound.stderr, /^strata: Error response from daemon: failed to create task: exec: "nosuch": executable file not found in \$PATH\n\nRun 'strata run --help' for more information\n$/);
  const denied = await cli(d.host, ['run', '--name', 'perm', 'busybox', '/etc']);
  assert.equal(denied.code, 126);
  const badFlag = await cli(d.host, ['run', '--memory', '1q', 'busybox']);
  assert.equal(badFlag.code, 125);
  assert.equal(badFlag.stderr, 'invalid argument "1q" for "-m, --memory" flag: invalid suffix: \'q\'\n\nUsage:  strata run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun \'strata run --help\' for more information\n');
});

test('exec: create, start hijacked with stdin, exit code from exec inspect', async (t) => {
  let received = '';
  const d = await fakeDaemon(t, (req, res) => {
    if (req.path === '/containers/c1/json') return json(res, 200, { Id: ID, Config: { Tty: false } });
    if (req.path === '/containers/c1/exec') return json(res, 201, { Id: 'e1' });
    if (req.path === '/exec/e1/json') return json(res, 200, { ID: 'e1', Running: false, ExitCode: 7 });
    json(res, 404, { message: 'unexpected' });
  }, (req, sock) => {
    assert.deepEqual(req.body, { Detach: false, Tty: false });
    sock.on('data', (c: Buffer) => { received += c.toString(); });
    sock.on('end', () => {
      sock.write(frame(1, received.toUpperCase()));
      sock.end();
    });
  });
  const r = await cli(d.host, ['exec', '-i', '-e', 'A=1', '-w', '/tmp', 'c1', 'cat'], 'hello');
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'HELLO');
  const create = d.seen.find((s) => s.path === '/containers/c1/exec')!.body as Record<string, unknown>;
  assert.deepEqual([create.AttachStdin, create.Env, create.WorkingDir, create.Cmd], [true, ['A=1'], '/tmp', ['cat']]);
});

test('stop, kill, rm, restart: queries as docker sends them; names echoed; errors joined', async (t) => {
  const d = await fakeDaemon(t, (req, res) => {
    if (req.path.includes('/nosuch')) return json(res, 404, { message: 'No such container: nosuch' });
    res.writeHead(204);
    res.end();
  });
  const stop = await cli(d.host, ['stop', '-t', '3', '-s', 'SIGUSR1', 'a', 'nosuch', 'b']);
  assert.equal(stop.code, 1);
  assert.equal(stop.stdout, 'a\nb\n');
  assert.equal(stop.stderr, 'Error response from daemon: No such container: nosuch\n');
  assert.deepEqual(d.seen.find((s) => s.path === '/containers/a/stop')!.query, { t: '3', signal: 'SIGUSR1' });
  const plainStop = await cli(d.host, ['stop', 'c']);
  assert.equal(plainStop.code, 0);
  assert.deepEqual(d.seen.find((s) => s.path === '/containers/c/stop')!.query, {}, 'no t unless given');
  assert.equal((await cli(d.host, ['kill', '-s', 'HUP', 'k'])).stdout, 'k\n');
  assert.deepEqual(d.seen.find((s) => s.path === '/containers/k/kill')!.query, { signal: 'HUP' });
  const rm = await cli(d.host, ['rm', '-fv', 'r', 'nosuch']);
  assert.equal(rm.code, 0, 'with -f a missing container is reported but not an error');
  assert.equal(rm.stdout, 'r\n');
  assert.equal(rm.stderr, 'Error response from daemon: No such container: nosuch\n');
  assert.deepEqual(d.seen.find((s) => s.method === 'DELETE' && s.path === '/containers/r')!.query, { v: '1', force: '1' });
  assert.equal((await cli(d.host, ['restart', '--time', '2', 'x'])).stderr, 'Flag --time has been deprecated, use --timeout instead\n');
  assert.deepEqual(d.seen.find((s) => s.path === '/containers/x/restart')!.query, { t: '2' });
});

test('ps: query and docker\'s table', async (t) => {
  const created = Math.floor(Date.now() / 1000) - 120;
  const d = await fakeDaemon(t, (_req, res) => json(res, 200, [{
    Id: ID, Names: ['/web'], Image: 'busybox', ImageID: 'sha256:' + 'b'.repeat(64), Command: 'sh -c "echo a long command line"', Created: created,
    Ports: [], Labels: { b: '2', a: '1' }, State: 'running', Status: 'Up 2 minutes', SizeRw: 12, SizeRootFs: 1984241,
  }]));
  const r = await cli(d.host, ['ps', '-a', '-n', '3', '--filter', 'status=running', '--filter', 'label=a']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(d.seen[0]!.query, { all: '1', limit: '3', filters: '{"status":{"running":true},"label":{"a":true}}' });
  assert.equal(r.stdout,
    'CONTAINER ID   IMAGE     COMMAND                   CREATED         STATUS         PORTS     NAMES\n'
    + `${'a'.repeat(12)}   busybox   "sh -c \\"echo a long …"   2 minutes ago   Up 2 minutes             web\n`);
  const sized = await cli(d.host, ['ps', '--format', '{{.Names}}\t{{.Size}}\t{{.Labels}}\t{{.Label "b"}}']);
  assert.equal(sized.stdout, 'web\t12B (virtual 1.98MB)\ta=1,b=2\t2\n');
  assert.equal(d.seen[1]!.query.size, '1', 'a format that shows .Size asks for sizes');
  assert.equal((await cli(d.host, ['ps', '-q', '--no-trunc'])).stdout, `${ID}\n`);
  const bad = await cli(d.host, ['ps', '-f', 'nonsense']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /^invalid argument "nonsense" for "-f, --filter" flag: bad format of filter \(expected name=value\)\n/);
});

test('logs, commit, volume create: the queries', async (t) => {
  const d = await fakeDaemon(t, (req, res) => {
    if (req.path === '/containers/c/json') return json(res, 200, { Id: ID, Config: { Tty: false } });
    if (req.path.endsWith('/logs')) {
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      res.end(Buffer.concat([frame(1, 'o\n'), frame(2, 'e\n')]));
      return;
    }
    if (req.path === '/commit') return json(res, 201, { Id: 'sha256:' + 'c'.repeat(64) });
    if (req.path === '/volumes/create') return json(res, 201, { Name: 'v1', Driver: 'local' });
    json(res, 404, { message: 'unexpected' });
  });
  const logs = await cli(d.host, ['logs', '-t', '--tail', '2', '--since', '1700000000', 'c']);
  assert.deepEqual([logs.code, logs.stdout, logs.stderr], [0, 'o\n', 'e\n']);
  assert.deepEqual(d.seen.find((s) => s.path.endsWith('/logs'))!.query, { stdout: '1', stderr: '1', since: '1700000000.000000000', timestamps: '1', tail: '2' });
  const commit = await cli(d.host, ['commit', '-a', 'me', '-m', 'msg', '-c', 'CMD ["sh"]', '-c', 'ENV A=1', '--pause=false', 'c', 'repo/x:v2']);
  assert.equal(commit.stdout, `sha256:${'c'.repeat(64)}\n`);
  assert.deepEqual(d.seen.find((s) => s.path === '/commit')!.query, {
    container: 'c', repo: 'repo/x', tag: 'v2', comment: 'msg', author: 'me', changes: ['CMD ["sh"]', 'ENV A=1'], pause: '0',
  });
  const vol = await cli(d.host, ['volume', 'create', '--label', 'a=b', '-o', 'type=tmpfs', 'v1']);
  assert.equal(vol.stdout, 'v1\n');
  assert.deepEqual(d.seen.find((s) => s.path === '/volumes/create')!.body, { Driver: 'local', DriverOpts: { type: 'tmpfs' }, Name: 'v1', Labels: { a: 'b' } });
});
