import { toDaemonError, DaemonError, engineJson } from '../../api/client/index.js';
import { volumeView, type Volume } from './volumes.js';
import type { CommandContext, CommandSpec } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { Template, TemplateSyntaxError, TemplateExecError, GoNil, goMarshal } from '../format/template.js';

/**
 * Fields that Go's typed structs hold even when the JSON has null or leaves them out: a
 * template sees `[]`, `map[]` or '' there, as with docker, not "<no value>".
 */
const IMAGE_TYPED_EMPTIES: Record<string, 'slice' | 'map' | 'string'> = {
  Cmd: 'slice', Entrypoint: 'slice', Env: 'slice', OnBuild: 'slice', Shell: 'slice', RepoTags: 'slice', RepoDigests: 'slice', Layers: 'slice',
  Volumes: 'map', Labels: 'map', ExposedPorts: 'map', Data: 'map',
  Variant: 'string', OsVersion: 'string',
};

function typed(value: unknown, key?: string): unknown {
  const kind = key ? IMAGE_TYPED_EMPTIES[key] : undefined;
  if (value === null && kind) return kind === 'string' ? '' : new GoNil(kind);
  if (Array.isArray(value)) return value.map((v) => typed(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = typed(v, k);
    if ('Architecture' in out && 'RootFS' in out) {
      for (const k of ['Variant', 'OsVersion']) if (!(k in out)) out[k] = '';
    }
    return out;
  }
  return value;
}

/**
 * The docker CLI's inspect output: an indented JSON array (4 spaces), `json` for one compact
 * line, or a template run per element (a missing key is an error, as in docker's fallback).
 * Elements found are printed even when others fail; failures exit 1.
 */
export async function printInspect(ctx: CommandContext, elements: unknown[], format: string): Promise<void> {
  if (format === '') {
    ctx.out(elements.length === 0 ? '[]\n' : goMarshal(elements, false, '    ') + '\n');
    return;
  }
  if (format === 'json') {
    ctx.out(goMarshal(elements, false) + '\n');
    return;
  }
  let template: Template;
  try {
    template = Template.parse(format);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new StatusError(64, `template parsing error: ${err.message}`);
    throw err;
  }
  let out = '';
  for (const element of elements) {
    try {
      out += template.execute(typed(element), { missingKey: 'error' }) + '\n';
    } catch (err) {
      if (err instanceof TemplateExecError) {
        ctx.out(out === '' ? '\n' : out);
        throw new StatusError(1, `template parsing error: ${err.message}`);
      }
      throw err;
    }
  }
  ctx.out(out === '' ? '\n' : out);
}

export async function inspectImages(ctx: CommandContext, names: string[], format: string, describe: (e: DaemonError, name: string) => string): Promise<void> {
  const elements: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      elements.push(await ctx.call((docker) => docker.getImage(name).inspect()));
    } catch (err) {
      errors.push(describe(toDaemonError(err, ctx.host), name));
    }
  }
  await printInspect(ctx, elements, format);
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
}

const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

const INSPECT_FORMAT_HELP = "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";

type Lookup = (ref: string) => Promise<unknown>;

const encode = encodeURIComponent;

/**
 * docker's inspectAll: for each reference the first kind of object that has it, in docker's
 * order (container, image, network, volume, …); with `--type`, that kind only.
 */
export const inspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on strata objects',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'format', short: 'f', type: 'string', description: INSPECT_FORMAT_HELP },
    { name: 'size', short: 's', type: 'bool', description: 'Display total file sizes if the type is container' },
    { name: 'type', type: 'string', description: 'Only inspect objects of the given type' },
  ],
  async run(ctx, o, args) {
    const type = o.string('type');
    if (o.given('type') && type === '') throw new StatusError(1, `type is empty: must be one of "${ALL_TYPES.join('", "')}"`);
    if (type !== '' && !ALL_TYPES.includes(type)) throw new StatusError(1, `unknown type: "${type}": must be one of "${ALL_TYPES.join('", "')}"`);
    const size = o.bool('size');
    const get = (path: string, query: Record<string, boolean> = {}) => engineJson<unknown>(ctx.host, { method: 'GET', path, query });
    const notFound = (what: string): Lookup => async (ref) => { throw new DaemonError(`${what} ${ref} not found`, 404); };
    const kinds: { type: string; sized?: boolean; lookup: Lookup }[] = [
      { type: 'container', sized: true, lookup: (ref) => get(`/containers/${encode(ref)}/json`, { size }) },
      { type: 'image', lookup: (ref) => get(`/images/${encode(ref)}/json`) },
      { type: 'network', lookup: notFound('network') },
      { type: 'volume', lookup: async (ref) => volumeView(await get(`/volumes/${encode(ref)}`) as Volume) },
      { type: 'plugin', lookup: notFound('plugin') },
    ];
    const swarmTypes = ['service', 'task', 'node', 'secret', 'config'];
    const elements: unknown[] = [];
    const errors: string[] = [];
    for (const ref of args) {
      try {
        if (swarmTypes.includes(type)) throw new DaemonError('This node is not a swarm manager: strata does not run swarm services', 503);
        let found = false;
        for (const kind of kinds) {
          if (type !== '' && kind.type !== type) continue;
          try {
            elements.push(await kind.lookup(ref));
          } catch (err) {
            if (type === '' && err instanceof DaemonError && !err.unreachable && (err.statusCode === 404 || /not supported|invalid reference format/.test(err.message))) continue;
            throw err;
          }
          if (size && !kind.sized) ctx.err(`WARNING: --size ignored for ${kind.type}\n`);
          found = true;
          break;
        }
        if (!found) errors.push(`Error: No such object: ${ref}`);
      } catch (err) {
        const e = toDaemonError(err, ctx.host);
        errors.push(e.unreachable ? e.message : `Error response from daemon: ${e.message}`);
      }
    }
    await printInspect(ctx, elements, o.string('format'));
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  },
};

/** `container inspect`. */
export const containerInspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'format', short: 'f', type: 'string', description: INSPECT_FORMAT_HELP },
    { name: 'size', short: 's', type: 'bool', description: 'Display total file sizes' },
  ],
  async run(ctx, o, args) {
    const elements: unknown[] = [];
    const errors: string[] = [];
    for (const ref of args) {
      try {
        elements.push(await engineJson<unknown>(ctx.host, { method: 'GET', path: `/containers/${encode(ref)}/json`, query: { size: o.bool('size') } }));
      } catch (err) {
        const e = toDaemonError(err, ctx.host);
        errors.push(e.unreachable ? e.message : `Error response from daemon: ${e.message}`);
      }
    }
    await printInspect(ctx, elements, o.string('format'));
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  },
};
