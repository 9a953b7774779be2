/**
 * `npm run demo`: the README's example end to end, on a private daemon (temp root, exec root
 * and socket) that is stopped at the end with everything it ran. It shows copy-on-write at
 * work: two containers on one image, a file changed in one of them, and the evidence on
 * disk that the image's layer is one shared, unchanged copy.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mountsUnder, unmountIfMounted, MNT_DETACH } from '../src/host/index.js';

const top = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STRATA = join(top, 'bin', 'strata');
const STRATAD = join(top, 'bin', 'stratad');

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function explain(text: string): void {
  process.stdout.write(`\n${bold('## ' + text)}\n`);
}

let host = '';

/** Runs `strata …` as a user would type it, echoing the command and its output. */
function strata(args: string[], options: { quiet?: boolean; cwd?: string } = {}): string {
  if (!options.quiet) process.stdout.write(`${dim('$')} strata ${args.map((a) => (/[\s"'$]/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
  const result = spawnSync(process.execPath, ['--', STRATA, '--host', host, ...args], { cwd: options.cwd, encoding: 'utf8' });
  if (!options.quiet) process.stdout.write(result.stdout + result.stderr);
  if (result.status !== 0) throw new Error(`strata ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function main(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'strata-demo-'));
  const socket = join(temp, 'strata.sock');
  host = `unix://${socket}`;
  const config = join(temp, 'daemon.json');
  await writeFile(config, '{}\n');
  const daemon = spawn(STRATAD, ['--root', join(temp, 'root'), '--exec-root', join(temp, 'run'), '--host', host, '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
  });
  let daemonLog = '';
  daemon.stderr!.on('data', (c: Buffer) => { daemonLog += c.toString(); });
  try {
    for (let i = 0; !(await ping(socket)); i++) {
      if (daemon.exitCode !== null || i > 300) throw new Error(`the daemon did not start:\n${daemonLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    explain(`A private strata daemon is serving the Docker Engine API on ${socket}`);
    strata(['version', '--format', 'client {{.Client.Version}}, server {{.Server.Version}} (API {{.Server.APIVersion}})']);

    explain('The base image: Debian\'s static busybox, made into a rootfs tarball and imported');
    const tarball = join(temp, 'busybox.tar');
    spawnSync(join(top, 'scripts', 'make-busybox-rootfs'), [tarball], { stdio: 'inherit' });
    strata(['import', tarball, 'busybox']);

    explain('Build base-image: every filesystem-changing instruction becomes a read-only layer');
    const context = join(temp, 'context');
    spawnSync('mkdir', ['-p', context]);
    await writeFile(join(context, 'Dockerfile'), 'FROM busybox\nRUN echo "base content" > /base_file.txt\nCMD ["sh"]\n');
    process.stdout.write(dim((await readFile(join(context, 'Dockerfile'), 'utf8')).replace(/^/gm, '  | ')) + '\n');
    strata(['build', '-t', 'base-image', '.'], { cwd: context });
    strata(['history', 'base-image']);

    explain('Two containers from the same image, each with its own thin writable layer');
    strata(['run', '-d', '--name', 'container1', 'base-image', 'tail', '-f', '/dev/null']);
    strata(['run', '-d', '--name', 'container2', 'base-image', 'tail', '-f', '/dev/null']);
    strata(['ps']);

    explain('Change the file in container1 only');
    strata(['exec', 'container1', 'sh', '-c', 'echo "modified by container1" > /base_file.txt']);
    strata(['exec', 'container1', 'cat', '/base_file.txt']);
    strata(['exec', 'container2', 'cat', '/base_file.txt']);

    explain('diff: what each container changed, read from its writable layer');
    strata(['diff', 'container1']);
    process.stdout.write(dim('(container2 changed nothing)\n'));
    strata(['diff', 'container2']);

    explain('The evidence on disk');
    const imageLayer = strata(['image', 'inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', 'base-image'], { quiet: true }).trim();
    const lower1 = strata(['inspect', '--format', '{{.GraphDriver.Data.LowerDir}}', 'container1'], { quiet: true }).trim();
    const lower2 = strata(['inspect', '--format', '{{.GraphDriver.Data.LowerDir}}', 'container2'], { quiet: true }).trim();
    const upper1 = strata(['inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', 'container1'], { quiet: true }).trim();
    const upper2 = strata(['inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', 'container2'], { quiet: true }).trim();
    const shared = lower1.split(':').includes(imageLayer) && lower2.split(':').includes(imageLayer);
    process.stdout.write(`The image's /base_file.txt layer is one directory: ${imageLayer}\n`);
    process.stdout.write(`  both containers stack on it: ${shared ? 'yes' : 'NO'}\n`);
    process.stdout.write(`  its content is unchanged: ${JSON.stringify(await readFile(join(imageLayer, 'base_file.txt'), 'utf8'))}\n`);
    process.stdout.write(`container1's writable layer holds: ${(await readdir(upper1)).join(', ') || '(nothing)'}\n`);
    process.stdout.write(`  its copy of the file: ${JSON.stringify(await readFile(join(upper1, 'base_file.txt'), 'utf8'))}\n`);
    process.stdout.write(`container2's writable layer holds: ${(await readdir(upper2)).join(', ') || '(nothing)'}\n`);
    strata(['system', 'df', '-v']);

    explain('Clean up');
    strata(['rm', '-f', 'container1', 'container2']);
  } finally {
    if (daemon.exitCode === null) {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
    }
    // Containers still running (after a failure) are stopped by their runtime state.
    spawnSync('runc', ['--root', join(temp, 'run', 'runc'), 'list', '-q'], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean)
      .forEach((id) => spawnSync('runc', ['--root', join(temp, 'run', 'runc'), 'delete', '-f', id]));
    for (const point of await mountsUnder(temp)) unmountIfMounted(point, MNT_DETACH);
    await rm(temp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
