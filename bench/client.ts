import { runCommand, CommandError, type CommandResult } from './process.js';

/**
 * The one client every engine is driven through: the real docker CLI, pointed at the engine's
 * socket with DOCKER_HOST and a private DOCKER_CONFIG. The client's own cost (process start,
 * Go runtime, API version negotiation) is thus identical for every engine and cancels in the
 * ratios.
 */
export class DockerClient {
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly dockerBin: string, host: string, configDir: string) {
    const env: NodeJS.ProcessEnv = {};
    // Only what the CLI needs: a context, TLS or BuildKit setting from the caller's environment
    // would make the two engines' clients differ.
    for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key];
    env.DOCKER_HOST = host;
    env.DOCKER_CONFIG = configDir;
    // The classic /build endpoint for every engine: the same request shape, no buildx plugin.
    env.DOCKER_BUILDKIT = '0';
    env.DOCKER_CLI_HINTS = 'false';
    this.env = env;
  }

  /** Runs `docker args…`; a non-zero exit throws CommandError with the CLI's message. */
  async run(args: string[], options: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<CommandResult> {
    const result = await this.tryRun(args, options);
    if (result.code !== 0) throw new CommandError(['docker', ...args], result);
    return result;
  }

  tryRun(args: string[], options: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<CommandResult> {
    return runCommand([this.dockerBin, ...args], { env: this.env, timeoutMs: 180_000, ...options });
  }

  /** Milliseconds `docker args…` took. */
  async time(args: string[], options: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<number> {
    return (await this.run(args, options)).ms;
  }

  /** The first line of output, e.g. the ID `run -d` and `create` print. */
  async firstLine(args: string[]): Promise<{ ms: number; line: string }> {
    const result = await this.run(args);
    return { ms: result.ms, line: result.stdout.trim().split('\n')[0] ?? '' };
  }

  /** Force-removes containers, ignoring ones already gone; used in cleanups, never timed. */
  async removeContainers(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 50) {
      await this.tryRun(['rm', '-f', ...ids.slice(i, i + 50)], { timeoutMs: 300_000 });
    }
  }
}
