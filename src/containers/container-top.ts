import { ConflictError, InvalidArgumentError } from '../base/index.js';
import { runCommand } from '../host/index.js';
import type { ContainerService } from './container-service.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/**
 * `docker top`: runs `ps` on the host with the caller's options (default `-ef`) and keeps the
 * rows of the container's processes, which the runtime lists from the container's cgroup —
 * Docker's method, so the columns are whatever `ps` prints.
 */
export async function containerTop(service: ContainerService, idOrName: string, psArgs = '-ef'): Promise<TopResult> {
  const record = service.get(idOrName);
  if (record.state.Status !== 'running' && record.state.Status !== 'paused') {
    throw new ConflictError(`Container ${record.id} is not running`);
  }
  const runc = service.runtime.runc;
  const listed = await runCommand([runc.path, ...runc.globalArgs, 'ps', '--format', 'json', record.id], { timeoutMs: 30_000 });
  const pids = new Set((JSON.parse(listed.stdout || '[]') as number[]).map(String));
  const args = psArgs.trim() === '' ? [] : psArgs.trim().split(/\s+/);
  const ps = await runCommand(['ps', ...args], { timeoutMs: 30_000, check: false });
  if (ps.code !== 0) throw new InvalidArgumentError(`ps: ${ps.stderr.trim() || `exited with ${ps.code}`}`);
  return parsePs(ps.stdout, pids);
}

/** Splits ps output into titles and rows, keeping rows whose PID is in `pids`. */
export function parsePs(output: string, pids: Set<string>): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidColumn = titles.indexOf('PID');
  if (pidColumn < 0) throw new InvalidArgumentError('Couldn\'t find PID field in ps output');
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(fields[pidColumn] ?? '')) continue;
    // The last column (the command) may contain spaces: keep it whole.
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}
