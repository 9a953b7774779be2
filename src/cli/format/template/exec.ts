import type { Node, Pipeline, Operand, Command } from './parse.js';
import { TemplateSyntaxError } from './parse.js';
import { GoNil, GoStruct, isTrue, printValue } from './values.js';
import { functionsFor, KNOWN_FUNCTIONS, TemplateExecError, type TemplateFunc } from './funcs.js';

export interface ExecOptions {
  /** A map key that is missing: `<no value>` (Go's default), the zero value '', or an error. */
  missingKey: 'default' | 'zero' | 'error';
  /** `header` swaps in the docker CLI's header functions (tables render their header row this way). */
  mode: 'normal' | 'header';
}

class Break {}
class Continue {}

function describe(op: Operand): string {
  switch (op.kind) {
    case 'dot': return '.';
    case 'field': return '.' + op.names.join('.');
    case 'variable': return op.name + (op.names.length ? '.' + op.names.join('.') : '');
    case 'string': return JSON.stringify(op.value);
    case 'number': return String(op.value);
    case 'bool': return String(op.value);
    case 'nil': return 'nil';
    case 'function': return op.name;
    case 'pipeline': return '(...)';
  }
}

/** Checks every function a template names exists, as Go's parser does. */
export function checkFunctions(nodes: Node[]): void {
  const visitPipeline = (p: Pipeline) => {
    for (const cmd of p.commands) for (const arg of cmd.args) visitOperand(arg);
  };
  const visitOperand = (op: Operand) => {
    if (op.kind === 'function' && !KNOWN_FUNCTIONS.has(op.name)) throw new TemplateSyntaxError(`template: :1: function "${op.name}" not defined`);
    if (op.kind === 'pipeline') visitPipeline(op.pipeline);
  };
  const visit = (list: Node[] | null) => {
    for (const n of list ?? []) {
      if (n.kind === 'action') visitPipeline(n.pipeline);
      else if (n.kind === 'if' || n.kind === 'with' || n.kind === 'range') {
        visitPipeline(n.pipeline);
        visit(n.list);
        visit(n.elseList);
      }
    }
  };
  visit(nodes);
}

export function execute(nodes: Node[], data: unknown, options: ExecOptions): string {
  const funcs = functionsFor(options.mode);
  const out: string[] = [];
  const scopes: Map<string, unknown>[] = [new Map([['$', data]])];

  const fail = (op: string | Operand, message: string): never => {
    const loc = typeof op === 'string' ? undefined : 'loc' in op ? op.loc : undefined;
    const text = typeof op === 'string' ? op : describe(op);
    throw new TemplateExecError(`template: :${loc ?? '1'}: executing "" at <${text}>: ${message}`);
  };

  const lookupVar = (name: string): unknown => {
    for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.has(name)) return scopes[i]!.get(name);
    throw new TemplateExecError(`template: :1: undefined variable: ${name}`);
  };

  const setVar = (name: string, value: unknown, assign: boolean) => {
    if (assign) {
      for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.has(name)) { scopes[i]!.set(name, value); return; }
      throw new TemplateExecError(`template: :1: undefined variable: ${name}`);
    }
    scopes[scopes.length - 1]!.set(name, value);
  };

  const field = (receiver: unknown, name: string, where: string | Operand): unknown => {
    if (receiver instanceof GoStruct) {
      if (!(name in receiver)) fail(where, `can't evaluate field ${name} in type ${receiver.goTypeName}`);
      const v = (receiver as unknown as Record<string, unknown>)[name];
      return typeof v === 'function' ? (v as () => unknown).call(receiver) : v;
    }
    if (receiver instanceof GoNil && receiver.type === 'map') return missing(name, where);
    if (receiver === null || receiver === undefined || receiver instanceof GoNil) return fail(where, `nil pointer evaluating interface {}.${name}`);
    if (typeof receiver === 'object' && !Array.isArray(receiver)) {
      const obj = receiver as Record<string, unknown>;
      return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : missing(name, where);
    }
    return fail(where, `can't evaluate field ${name} in type ${Array.isArray(receiver) ? '[]interface {}' : typeof receiver}`);
  };

  const missing = (name: string, where: string | Operand): unknown => {
    if (options.missingKey === 'error') return fail(where, `map has no entry for key "${name}"`);
    return options.missingKey === 'zero' ? '' : undefined;
  };

  const chain = (value: unknown, names: string[], where: string | Operand): unknown => {
    let v = value;
    for (const n of names) v = field(v, n, where);
    return v;
  };

  const evalOperand = (op: Operand, dot: unknown): unknown => {
    switch (op.kind) {
      case 'dot': return dot;
      case 'field': return chain(dot, op.names, op);
      case 'variable': return chain(lookupVar(op.name), op.names, op);
      case 'string': return op.value;
      case 'number': return op.value;
      case 'bool': return op.value;
      case 'nil': return null;
      case 'function': return callFunction(op.name, [], dot, op);
      case 'pipeline': return chain(evalPipeline(op.pipeline, dot), op.names, op);
    }
  };

  const callFunction = (name: string, args: unknown[], _dot: unknown, op?: Operand, cmd?: Command): unknown => {
    const fn: TemplateFunc | undefined = funcs[name];
    if (!fn) throw new TemplateExecError(`template: :1: function "${name}" not defined`);
    try {
      return fn(...args);
    } catch (err) {
      if (err instanceof TemplateExecError && err.message.startsWith('template:')) throw err;
      // Go reports a failed call at its whole command (`<index .Config "x">`).
      const where = cmd ? { ...(op as Operand), kind: 'function' as const, name: cmd.args.map(describe).join(' ') } : (op ?? name);
      return fail(where, (err as Error).message);
    }
  };

  const evalCommand = (cmd: Command, dot: unknown, piped: unknown[]): unknown => {
    const [head, ...rest] = cmd.args;
    if (head!.kind === 'function') {
      return callFunction(head!.name, [...rest.map((a) => evalOperand(a, dot)), ...piped], dot, head!, cmd);
    }
    if ((rest.length > 0 || piped.length > 0) && head!.kind === 'field') {
      // A method with arguments on a formatter context (`{{.Label "com.example"}}`).
      const receiver = chain(dot, head!.names.slice(0, -1), head!);
      const name = head!.names[head!.names.length - 1]!;
      const method = receiver instanceof GoStruct ? (receiver as unknown as Record<string, unknown>)[name] : undefined;
      if (typeof method === 'function') return (method as (...a: unknown[]) => unknown).call(receiver, ...rest.map((a) => evalOperand(a, dot)), ...piped);
    }
    if (rest.length > 0 || piped.length > 0) fail(head!, `can't give argument to non-function ${describe(head!)}`);
    return evalOperand(head!, dot);
  };

  const evalPipeline = (p: Pipeline, dot: unknown): unknown => {
    let value: unknown;
    p.commands.forEach((cmd, i) => { value = evalCommand(cmd, dot, i === 0 ? [] : [value]); });
    for (const name of p.decl) setVar(name, value, p.assign);
    return value;
  };

  const walk = (list: Node[], dot: unknown): void => {
    for (const node of list) {
      switch (node.kind) {
        case 'text': out.push(node.text); break;
        case 'action': {
          const v = evalPipeline(node.pipeline, dot);
          if (node.pipeline.decl.length === 0) out.push(printValue(v));
          break;
        }
        case 'if': case 'with': {
          scopes.push(new Map());
          try {
            const v = evalPipeline(node.pipeline, dot);
            if (isTrue(v)) walk(node.list, node.kind === 'with' ? v : dot);
            else if (node.elseList) walk(node.elseList, dot);
          } finally {
            scopes.pop();
          }
          break;
        }
        case 'range': {
          scopes.push(new Map());
          try {
            const decl = node.pipeline.decl;
            const v = evalPipeline({ ...node.pipeline, decl: [] }, dot);
            const entries: [unknown, unknown][] = Array.isArray(v)
              ? v.map((e, i) => [i, e])
              : v && typeof v === 'object' && !(v instanceof GoNil) && !(v instanceof GoStruct)
                ? Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])
                : typeof v === 'number' ? Array.from({ length: v }, (_x, i) => [i, i]) : [];
            if (v !== undefined && v !== null && !(v instanceof GoNil) && entries.length === 0 && typeof v !== 'object' && typeof v !== 'number') {
              fail('range', `range can't iterate over ${printValue(v)}`);
            }
            if (entries.length === 0) {
              if (node.elseList) walk(node.elseList, dot);
              break;
            }
            for (const [key, elem] of entries) {
              if (decl.length === 1) setVar(decl[0]!, elem, false);
              if (decl.length === 2) { setVar(decl[0]!, key, false); setVar(decl[1]!, elem, false); }
              try {
                walk(node.list, elem);
              } catch (signal) {
                if (signal instanceof Break) break;
                if (signal instanceof Continue) continue;
                throw signal;
              }
            }
          } finally {
            scopes.pop();
          }
          break;
        }
        case 'break': throw new Break();
        case 'continue': throw new Continue();
      }
    }
  };

  walk(nodes, data);
  return out.join('');
}
