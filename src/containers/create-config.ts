import { InvalidArgumentError } from '../base/index.js';
import type { ImageConfig } from '../oci/index.js';
import type { ContainerConfig } from './container-record.js';

/** The container-create request's top-level fields strata reads (Docker's ContainerConfig). */
export type ConfigRequest = Partial<ContainerConfig>;

/**
 * Merges a create request with the image's config the way Docker's daemon does:
 * - Env: the image's, then the request's (a request variable replaces one of the same name);
 * - Entrypoint: the request's when given (even empty, which clears the image's); else the
 *   image's. Cmd: the request's when given; else the image's — but only when the request did
 *   not set its own entrypoint (a new entrypoint does not inherit the image's Cmd);
 * - WorkingDir, User, StopSignal: the request's, else the image's;
 * - Labels, ExposedPorts, Volumes: the image's plus the request's.
 * Fails with Docker's "No command specified" when there is nothing to run.
 */
export function mergeImageConfig(request: ConfigRequest, image: ImageConfig, imageName: string): ContainerConfig {
  const ic = image.config ?? {};
  const requestEntrypoint = normaliseArgs(request.Entrypoint);
  const entrypointGiven = requestEntrypoint !== undefined;
  const entrypoint = entrypointGiven ? requestEntrypoint : (ic.Entrypoint ?? null);
  let cmd = normaliseArgs(request.Cmd) ?? null;
  if ((cmd === null || cmd.length === 0) && !entrypointGiven) cmd = ic.Cmd ?? null;
  const config: ContainerConfig = {
    Hostname: request.Hostname ?? '',
    Domainname: request.Domainname ?? '',
    User: request.User || ic.User || '',
    AttachStdin: request.AttachStdin ?? false,
    AttachStdout: request.AttachStdout ?? false,
    AttachStderr: request.AttachStderr ?? false,
    Tty: request.Tty ?? false,
    OpenStdin: request.OpenStdin ?? false,
    StdinOnce: request.StdinOnce ?? false,
    Env: mergeEnvLists(ic.Env ?? [], request.Env ?? []),
    Cmd: cmd,
    Image: imageName,
    Volumes: mergeSets(ic.Volumes, request.Volumes ?? undefined),
    WorkingDir: request.WorkingDir || ic.WorkingDir || '',
    Entrypoint: entrypoint && entrypoint.length > 0 ? entrypoint : null,
    OnBuild: null,
    Labels: { ...(ic.Labels ?? {}), ...(request.Labels ?? {}) },
  };
  const ports = mergeSets(ic.ExposedPorts, request.ExposedPorts);
  if (ports) config.ExposedPorts = ports;
  const stopSignal = request.StopSignal || ic.StopSignal;
  if (stopSignal) config.StopSignal = stopSignal;
  if (request.StopTimeout !== undefined && request.StopTimeout !== null) config.StopTimeout = request.StopTimeout;
  if (request.Healthcheck ?? ic.Healthcheck) config.Healthcheck = request.Healthcheck ?? ic.Healthcheck;
  if (config.WorkingDir && !config.WorkingDir.startsWith('/')) {
    throw new InvalidArgumentError(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  if (processArgs(config).length === 0) throw new InvalidArgumentError('No command specified');
  return config;
}

/** The process to run: entrypoint then cmd. */
export function processArgs(config: Pick<ContainerConfig, 'Entrypoint' | 'Cmd'>): string[] {
  return [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
}

/** Docker treats an entrypoint of one empty string as "no entrypoint, but given". */
function normaliseArgs(value: string[] | null | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (value.length === 1 && value[0] === '') return [];
  return value;
}

/** Appends `extra` to `base`; a variable set in both keeps its position and takes the new value. */
export function mergeEnvLists(base: string[], extra: string[]): string[] {
  const out = [...base];
  const index = new Map(out.map((entry, i) => [envName(entry), i]));
  for (const entry of extra) {
    const at = index.get(envName(entry));
    if (at !== undefined) out[at] = entry;
    else {
      index.set(envName(entry), out.length);
      out.push(entry);
    }
  }
  return out;
}

function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

function mergeSets(a: Record<string, object> | undefined, b: Record<string, object> | undefined): Record<string, object> | null {
  if (!a && !b) return null;
  return { ...(a ?? {}), ...(b ?? {}) };
}
