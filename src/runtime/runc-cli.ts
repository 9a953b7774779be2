import { z } from 'zod';
import { runCommand, type RunResult } from '../host/index.js';
import { parseJsonText, parseWithSchema } from '../oci/index.js';
import { runtimeErrorText, runtimeFailure } from './runtime-errors.js';

/** `runc state` output (runtime-spec state + runc's extras); unknown fields pass through. */
export const runcStateSchema = z.looseObject({
  ociVersion: z.string().optional(),
  id: z.string(),
  pid: z.number().int(),
  status: z.enum(['creating', 'created', 'running', 'stopped', 'paused', 'pausing', 'unknown']).or(z.string()),
  bundle: z.string(),
  rootfs: z.string().optional(),
  created: z.string().optional(),
  owner: z.string().optional(),
  annotations: z.record(z.string(), z.string()).nullish(),
});

export type RuncState = z.infer<typeof runcStateSchema>;

/** Every runtime command strata runs is short: a hung runc is killed after this long. */
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * The OCI runtime's command line for one state root (`--root`), with JSON error output so
 * failures carry runc's own message. Every call is a bounded child process.
 */
export class RuncCli {
  constructor(readonly path: string, readonly root: string) {}

  /** Global flags every invocation (and conmon's) passes before the command. */
  get globalArgs(): string[] {
    return ['--root', this.root, '--log-format', 'json'];
  }

  private async run(id: string, operation: string, args: string[]): Promise<RunResult> {
    const result = await runCommand([this.path, ...this.globalArgs, ...args], { check: false, timeoutMs: COMMAND_TIMEOUT_MS });
    if (result.code === 0) return result;
    const text = runtimeErrorText(result.stderr) || result.stdout.trim() || `exited with ${result.code ?? result.signal}`;
    throw runtimeFailure(id, operation, text);
  }

  async state(id: string): Promise<RuncState> {
    const { stdout } = await this.run(id, 'state', ['state', id]);
    return parseWithSchema(runcStateSchema, parseJsonText(stdout, `runc state of ${id}`), `runc state of ${id}`);
  }

  async start(id: string): Promise<void> {
    await this.run(id, 'start', ['start', id]);
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    await this.run(id, 'kill', ['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  async pause(id: string): Promise<void> {
    await this.run(id, 'pause', ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run(id, 'resume', ['resume', id]);
  }

  async delete(id: string, force: boolean): Promise<void> {
    await this.run(id, 'delete', ['delete', ...(force ? ['--force'] : []), id]);
  }

  async list(): Promise<RuncState[]> {
    const { stdout } = await this.run('*', 'list', ['list', '--format', 'json']);
    const parsed = parseJsonText(stdout.trim() || '[]', 'runc list output');
    return parseWithSchema(z.array(runcStateSchema).nullable(), parsed, 'runc list output') ?? [];
  }
}
