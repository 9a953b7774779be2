import { access, constants } from 'node:fs/promises';
import { UnavailableError, errorMessage } from '../base/index.js';
import { findExecutable, runCommand } from '../host/index.js';

export type OciRuntimeName = 'runc' | 'crun';

/** A helper binary found and answering `--version`. */
export interface BinaryInfo {
  name: string;
  path: string;
  /** The first line of `--version`, e.g. `runc version 1.1.5+ds1`. */
  version: string;
}

/** The Debian package that installs each binary strata drives. */
const DEBIAN_PACKAGES: Record<string, string> = {
  runc: 'runc',
  crun: 'crun',
  conmon: 'conmon',
  'tini-static': 'tini',
};

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds `name` (or takes `explicitPath`) and runs `--version` to prove it executes. A missing
 * binary is an UnavailableError that names the Debian package to install.
 */
export async function findBinary(name: string, explicitPath?: string): Promise<BinaryInfo> {
  const pkg = DEBIAN_PACKAGES[name] ?? name;
  const path = explicitPath ?? (await findExecutable(name));
  if (!path || !(await isExecutable(path))) {
    const where = explicitPath ? `at ${explicitPath}` : 'in PATH';
    throw new UnavailableError(`${name} not found ${where}: install the Debian package '${pkg}' (apt-get install ${pkg})`);
  }
  let stdout: string;
  try {
    ({ stdout } = await runCommand([path, '--version'], { timeoutMs: 15_000 }));
  } catch (err) {
    throw new UnavailableError(`${path} --version failed: ${errorMessage(err)} (reinstall the Debian package '${pkg}')`, { cause: err });
  }
  const version = stdout.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return { name, path, version };
}

/** The OCI runtime: runc by default, crun when asked (it does not work on every host). */
export function findOciRuntime(name: OciRuntimeName = 'runc', explicitPath?: string): Promise<BinaryInfo> {
  return findBinary(name, explicitPath);
}

export function findConmon(explicitPath?: string): Promise<BinaryInfo> {
  return findBinary('conmon', explicitPath);
}
