import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../src/host/index.js';

const top = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Makes the local busybox base image's rootfs tarball inside `dir`; returns its path. */
export async function makeBusyboxTarball(dir: string): Promise<string> {
  const out = join(dir, 'busybox-rootfs.tar');
  await runCommand([join(top, 'scripts', 'make-busybox-rootfs'), out], { timeoutMs: 60_000 });
  return out;
}
