import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FailedPreconditionError, InvalidArgumentError } from '../base/index.js';
import { runCommand, spawnProcess } from '../host/index.js';
import {
  buildSpec, commandErrorExitCode, runtimeErrorText, withArgs, withBindMount, withCwd, withEnv, withEtcFiles, withNetwork, withUser,
  writeBundle, type EtcFiles, type SpecOption,
} from '../runtime/index.js';
import { AsyncQueue } from './async-queue.js';

export interface RunContainerOptions {
  runcPath: string;
  /** runc's state root for build containers (`runc --root`). */
  runcRoot: string;
  /** A fresh directory for this container's bundle, removed afterwards. */
  bundleDir: string;
  /** 64 hex characters, as Docker's container IDs. */
  containerId: string;
  /** The step's mounted root. */
  rootfs: string;
  args: readonly string[];
  env: readonly string[];
  cwd: string;
  user: string;
  network: 'host' | 'none';
  /** Bind the /etc files (hosts, hostname, resolv.conf) over the image's. */
  bindEtcFiles: boolean;
  /** A script for `RUN <<EOF` with a `#!` line: mounted read-only at `/dev/pipes/<name>`. */
  script?: { name: string; data: string };
  signal?: AbortSignal;
}

export type ContainerOutput = { stream: 'stdout' | 'stderr'; text: string };

/** How long a killed container may take to go before runc itself is killed. */
const KILL_GRACE_MS = 10_000;

async function writeEtcFiles(dir: string, hostname: string, network: 'host' | 'none'): Promise<EtcFiles> {
  const files: EtcFiles = { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') };
  const localhost = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
  if (network === 'host') await copyFile('/etc/hosts', files.hosts!).catch(() => writeFile(files.hosts!, localhost));
  else await writeFile(files.hosts!, `${localhost}127.0.0.1\t${hostname}\n`);
  await writeFile(files.hostname!, `${hostname}\n`);
  await copyFile('/etc/resolv.conf', files.resolvConf!).catch(() => writeFile(files.resolvConf!, ''));
  return files;
}

/** Pushes a stream's data as chunks ending at line ends (the rest once the stream ends). */
function forwardLines(input: Readable, stream: ContainerOutput['stream'], queue: AsyncQueue<ContainerOutput>): Promise<void> {
  return new Promise((resolve) => {
    let pending = '';
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      pending += chunk;
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      queue.push({ stream, text: pending.slice(0, cut + 1) });
      pending = pending.slice(cut + 1);
    });
    const finish = () => {
      if (pending !== '') queue.push({ stream, text: pending });
      pending = '';
      resolve();
    };
    input.once('end', finish);
    input.once('error', finish);
    input.once('close', finish);
  });
}

/**
 * Runs a RUN step's command with `runc run` in the foreground, stdin on /dev/null and
 * stdout/stderr piped, yielding output as it comes and returning the exit code. The
 * container is deleted however the run ends (exit, error, cancellation, or the consumer
 * stopping), and runc is reaped.
 */
export async function* runContainer(options: RunContainerOptions): AsyncGenerator<ContainerOutput, number> {
  const { bundleDir, containerId, rootfs } = options;
  await mkdir(bundleDir, { recursive: true, mode: 0o700 });
  const globalArgs = ['--root', options.runcRoot, '--log', join(bundleDir, 'runc.log'), '--log-format', 'json'];
  let child: ReturnType<typeof spawnProcess> | undefined;
  let reaped = false;
  const kill = async () => {
    await runCommand([options.runcPath, ...globalArgs, 'kill', containerId, 'KILL'], { check: false, timeoutMs: 15_000 }).catch(() => {});
    const timer = setTimeout(() => child?.kill('SIGKILL'), KILL_GRACE_MS);
    await child?.exited;
    clearTimeout(timer);
  };
  const onAbort = () => { void kill(); };
  try {
    const specOptions: SpecOption[] = [
      withArgs(options.args), withEnv(options.env), withCwd(options.cwd), withUser(options.user), withNetwork(options.network),
    ];
    if (options.bindEtcFiles) specOptions.push(withEtcFiles(await writeEtcFiles(bundleDir, containerId.slice(0, 12), options.network)));
    if (options.script) {
      const scriptPath = join(bundleDir, 'script');
      await writeFile(scriptPath, options.script.data, { mode: 0o755 });
      specOptions.push(withBindMount({ source: scriptPath, destination: `/dev/pipes/${options.script.name}`, readonly: true, recursive: false }));
    }
    const spec = await buildSpec({ containerId, rootfs }, specOptions);
    await writeBundle(bundleDir, spec);

    options.signal?.throwIfAborted();
    const queue = new AsyncQueue<ContainerOutput>();
    child = spawnProcess([options.runcPath, ...globalArgs, 'run', '--bundle', bundleDir, containerId]);
    void child.exited.then(() => { reaped = true; });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const outputs = Promise.all([forwardLines(child.stdout, 'stdout', queue), forwardLines(child.stderr, 'stderr', queue)]);
    void outputs.then(() => queue.end());
    for await (const output of queue) yield output;
    const exit = await child.exited;
    options.signal?.throwIfAborted();
    if (exit.error) throw new FailedPreconditionError(`cannot start ${options.runcPath}: ${exit.error.message}`);
    const code = exit.code ?? 128 + 9;
    if (code !== 0) {
      // A failure of runc itself (the command could not be started) is in runc's log.
      const log = runtimeErrorText(await readFile(join(bundleDir, 'runc.log'), 'utf8').catch(() => ''));
      if (log !== '') {
        // A command that does not exist or cannot run is the Dockerfile's fault, not the host's.
        const Kind = commandErrorExitCode(log) ? InvalidArgumentError : FailedPreconditionError;
        throw new Kind(`OCI runtime failed to run the build step: ${log}`);
      }
    }
    return code;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // Still running when the consumer stopped early or an error came first.
    if (child && !reaped) await kill();
    // A foreground `runc run` destroys its container when the process exits; its state
    // directory is left only when runc itself was cut short, and then it is deleted here.
    if (existsSync(join(options.runcRoot, containerId))) {
      await runCommand([options.runcPath, ...globalArgs, 'delete', '--force', containerId], { check: false, timeoutMs: 30_000 }).catch(() => {});
    }
    await rm(bundleDir, { recursive: true, force: true }).catch(() => {});
  }
}
