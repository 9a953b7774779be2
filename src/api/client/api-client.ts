import Docker from 'dockerode';
import { clientAddress } from './host.js';

/**
 * The CLI's connection to the daemon: dockerode over the Engine API. Requests go to
 * unversioned paths, so the daemon answers at its own API version.
 */
export function createApiClient(host: string): Docker {
  return new Docker({ ...clientAddress(host) });
}

/** A failure the daemon reported, or the daemon could not be reached. */
export class DaemonError extends Error {
  constructor(message: string, readonly statusCode: number | undefined, readonly unreachable = false) {
    super(message);
    this.name = 'DaemonError';
  }
}

const CONNECT_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTSOCK', 'EPERM']);

/**
 * Turns what dockerode threw into the daemon's own message (`{"message": …}` of the error
 * response), or, when nothing answered, Docker's "Cannot connect" sentence.
 */
export function toDaemonError(err: unknown, host: string): DaemonError {
  if (err instanceof DaemonError) return err;
  const e = err as { statusCode?: number; json?: unknown; message?: string; code?: string };
  if (e && typeof e.statusCode === 'number') {
    return new DaemonError(extractMessage(e), e.statusCode);
  }
  if (e?.code && CONNECT_ERRORS.has(e.code)) {
    const detail = e.code === 'EACCES' ? `permission denied while trying to connect to the strata daemon socket at ${host}` : `Cannot connect to the strata daemon at ${host}. Is the strata daemon running?`;
    return new DaemonError(detail, undefined, true);
  }
  return new DaemonError(e?.message ?? String(err), undefined);
}

function extractMessage(e: { statusCode?: number; json?: unknown; message?: string }): string {
  const json = e.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') return (json as { message: string }).message;
  if (typeof json === 'string' && json.trim()) {
    try {
      const parsed = JSON.parse(json) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch { return json.trim(); }
  }
  // dockerode's own form: "(HTTP code 404) no such image - MESSAGE "
  const m = /^\(HTTP code \d+\) [^-]*- ([\s\S]*?)\s*$/.exec(e.message ?? '');
  if (m) {
    try {
      const parsed = JSON.parse(m[1]!) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch { /* plain text */ }
    return m[1]!;
  }
  return e.message ?? `request failed with status ${e.statusCode}`;
}
