import { posix } from 'node:path';
import { InvalidArgumentError } from '../base/index.js';
import type { ExecutionConfig, HealthConfig as ImageHealthConfig } from '../oci/index.js';
import { normalizeSignal } from '../runtime/index.js';
import type { Instruction, ShellDependentCommandLine } from './dockerfile/index.js';
import { goDuration, goPlainList, goQuote, goQuoteList, goQuoteRune } from './go-format.js';
import { exposedPortKeys } from './port-specs.js';

/**
 * The image-config side of a build stage: what metadata instructions change. Shared by the
 * evaluator and by `applyChanges` (`docker commit/import --change`), so both give the same
 * config for the same instruction.
 */
export interface ConfigState {
  /** The config being built; instructions mutate it. */
  config: ExecutionConfig;
  /** CMD was set in this stage: a later ENTRYPOINT keeps it instead of clearing it. */
  cmdSet: boolean;
  /** MAINTAINER, which goes into the image's `author`. */
  maintainer?: string;
}

/** The instructions that only change the config (ARG is the evaluator's: it needs build args). */
export type ConfigInstruction = Extract<Instruction, {
  kind: 'cmd' | 'entrypoint' | 'env' | 'label' | 'expose' | 'user' | 'volume' | 'workdir' | 'stopsignal'
    | 'onbuild' | 'healthcheck' | 'shell' | 'maintainer';
}>;

const CONFIG_KINDS: ReadonlySet<string> = new Set([
  'cmd', 'entrypoint', 'env', 'label', 'expose', 'user', 'volume', 'workdir', 'stopsignal', 'onbuild', 'healthcheck',
  'shell', 'maintainer',
]);

export function isConfigInstruction(instruction: Instruction): instruction is ConfigInstruction {
  return CONFIG_KINDS.has(instruction.kind);
}

/** What applying one instruction leaves for history and output. */
export interface ConfigChange {
  /** Docker's commit comment, e.g. `CMD ["sh"]` (see nopCreatedBy). */
  comment: string;
  /** WORKDIR's comment is joined with one space after `#(nop)`, the others with two. */
  commentStyle: 'spaced' | 'joined';
  /** A line Docker prints while applying it (`Note: overriding previous HEALTHCHECK: …`). */
  note?: string;
}

export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

/** The stage's SHELL, or Docker's default. */
export function shellOf(config: ExecutionConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? [...config.Shell] : [...DEFAULT_SHELL];
}

/** The argv of a RUN, CMD or ENTRYPOINT: shell form goes through the stage's SHELL. */
export function resolveCommandLine(command: ShellDependentCommandLine, config: ExecutionConfig): string[] {
  return command.prependShell ? [...shellOf(config), ...command.args] : [...command.args];
}

/**
 * The `created_by` of a step that only changed metadata: the shell, `#(nop)` and the
 * comment, exactly as Docker's classic builder joins them.
 */
export function nopCreatedBy(config: ExecutionConfig, change: Pick<ConfigChange, 'comment' | 'commentStyle'>): string {
  const nop = change.commentStyle === 'spaced' ? ['#(nop) ', change.comment] : [`#(nop) ${change.comment}`];
  return [...shellOf(config), ...nop].join(' ');
}

/** Docker's normalizeWorkdir: a relative path is joined to the current one; an absolute one stays as written. */
export function normalizeWorkdir(current: string | undefined, requested: string): string {
  if (requested === '') throw new InvalidArgumentError('cannot normalize nothing');
  if (posix.isAbsolute(requested)) return requested;
  return posix.join('/', current ?? '', requested);
}

function setEnv(config: ExecutionConfig, key: string, value: string): void {
  const env = [...(config.Env ?? [])];
  const entry = `${key}=${value}`;
  const at = env.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  if (at >= 0) env[at] = entry;
  else env.push(entry);
  config.Env = env;
}

function healthForImage(health: Extract<Instruction, { kind: 'healthcheck' }>['health']): ImageHealthConfig {
  const out: ImageHealthConfig = { Test: [...health.test] };
  if (health.interval) out.Interval = health.interval;
  if (health.timeout) out.Timeout = health.timeout;
  if (health.startPeriod) out.StartPeriod = health.startPeriod;
  if (health.startInterval) out.StartInterval = health.startInterval;
  if (health.retries) out.Retries = health.retries;
  return out;
}

/** `%q` of moby's HealthConfig struct pointer, as Docker 20.10 writes it into history. */
function healthComment(health: ImageHealthConfig): string {
  const q = (ns: number | undefined) => goQuote(goDuration(ns ?? 0));
  return `HEALTHCHECK &{${goQuoteList(health.Test ?? [])} ${q(health.Interval)} ${q(health.Timeout)} ${q(health.StartPeriod)} ${goQuoteRune(health.Retries ?? 0)}}`;
}

/**
 * Applies one metadata instruction (already word-expanded) to the state, with Docker's
 * classic-builder rules, and returns its history comment. Throws InvalidArgumentError for
 * bad values (ports, signals); the caller adds the Dockerfile line.
 */
export function applyConfigInstruction(state: ConfigState, instruction: ConfigInstruction): ConfigChange {
  const config = state.config;
  const spaced = (comment: string, note?: string): ConfigChange => ({ comment, commentStyle: 'spaced', ...(note ? { note } : {}) });
  switch (instruction.kind) {
    case 'cmd': {
      const cmd = resolveCommandLine(instruction.command, config);
      config.Cmd = cmd;
      if (instruction.command.args.length > 0) state.cmdSet = true;
      return spaced(`CMD ${goQuoteList(cmd)}`);
    }
    case 'entrypoint': {
      const entrypoint = resolveCommandLine(instruction.command, config);
      if (entrypoint.length > 0) config.Entrypoint = entrypoint;
      else delete config.Entrypoint;
      // An ENTRYPOINT without a CMD in the same stage drops the inherited CMD.
      if (!state.cmdSet) delete config.Cmd;
      return spaced(`ENTRYPOINT ${goQuoteList(entrypoint)}`);
    }
    case 'env':
      for (const pair of instruction.pairs) setEnv(config, pair.key, pair.value);
      return spaced(`ENV ${instruction.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
    case 'label':
      config.Labels = { ...(config.Labels ?? {}) };
      for (const pair of instruction.pairs) config.Labels[pair.key] = pair.value;
      return spaced(`LABEL ${instruction.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
    case 'expose': {
      const keys = exposedPortKeys(instruction.ports);
      config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
      for (const key of keys) config.ExposedPorts[key] = {};
      return spaced(`EXPOSE ${instruction.ports.join(' ')}`);
    }
    case 'user':
      config.User = instruction.user;
      return spaced(`USER ${instruction.user}`);
    case 'volume':
      config.Volumes = { ...(config.Volumes ?? {}) };
      for (const volume of instruction.volumes) {
        if (volume === '') throw new InvalidArgumentError('VOLUME specified can not be an empty string');
        config.Volumes[volume] = {};
      }
      return spaced(`VOLUME ${goPlainList(instruction.volumes)}`);
    case 'workdir':
      config.WorkingDir = normalizeWorkdir(config.WorkingDir, instruction.path);
      return { comment: `WORKDIR ${config.WorkingDir}`, commentStyle: 'joined' };
    case 'stopsignal':
      try {
        normalizeSignal(instruction.signal);
      } catch {
        throw new InvalidArgumentError(`Invalid signal: ${instruction.signal}`);
      }
      config.StopSignal = instruction.signal;
      return spaced(`STOPSIGNAL ${instruction.signal}`);
    case 'onbuild':
      config.OnBuild = [...(config.OnBuild ?? []), instruction.expression];
      return spaced(`ONBUILD ${instruction.expression}`);
    case 'healthcheck': {
      const old = config.Healthcheck?.Test;
      const note = old && old.length > 0 && old[0] !== 'NONE' ? `Note: overriding previous HEALTHCHECK: ${goPlainList(old)}` : undefined;
      config.Healthcheck = healthForImage(instruction.health);
      return spaced(healthComment(config.Healthcheck), note);
    }
    case 'shell':
      config.Shell = [...instruction.shell];
      return spaced(`SHELL ${goPlainList(instruction.shell)}`);
    case 'maintainer':
      state.maintainer = instruction.maintainer;
      return spaced(`MAINTAINER ${instruction.maintainer}`);
  }
}

/** A deep copy of a config, so a stage never mutates its base image's cached config. */
export function copyConfig(config: ExecutionConfig | undefined): ExecutionConfig {
  return config === undefined ? {} : structuredClone(config);
}
