import { toDaemonError, type DaemonError } from '../../api/client/index.js';
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

/** `strata inspect`: any object by name or ID; images are what exists so far. */
export const inspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on strata objects',
  args: { kind: 'min', n: 1 },
  flags: [
    { name: 'format', short: 'f', type: 'string', description: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template." },
    { name: 'size', short: 's', type: 'bool', description: 'Display total file sizes if the type is container' },
    { name: 'type', type: 'string', description: 'Only inspect objects of the given type' },
  ],
  async run(ctx, o, args) {
    const type = o.string('type');
    if (type !== '' && type !== 'image') {
      if (['container', 'network', 'volume', 'node', 'service', 'task', 'plugin', 'secret', 'config'].includes(type)) {
        const elements: unknown[] = [];
        await printInspect(ctx, elements, o.string('format'));
        throw new StatusError(1, args.map((a) => `Error: No such ${type}: ${a}`).join('\n'));
      }
      throw new StatusError(1, `"${type}" is not a valid value for --type`);
    }
    await inspectImages(ctx, args, o.string('format'), (e, name) => {
      if (e.statusCode === 404) return type === 'image' ? `Error: No such image: ${name}` : `Error: No such object: ${name}`;
      return e.unreachable ? e.message : `Error response from daemon: ${e.message}`;
    });
  },
};
