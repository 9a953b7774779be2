/** Go text/template for `--format`, with the docker CLI's functions. */
import { parseTemplate, TemplateSyntaxError, type Node } from './template/parse.js';
import { execute, checkFunctions, type ExecOptions } from './template/exec.js';
import { TemplateExecError } from './template/funcs.js';

export { GoNil, GoStruct, goMarshal, printValue, isTrue } from './template/values.js';
export { TemplateSyntaxError, TemplateExecError };

export class Template {
  private constructor(private readonly nodes: Node[]) {}

  /** Parses a format; errors read like Go's ("template: :1: function "x" not defined"). */
  static parse(text: string): Template {
    const nodes = parseTemplate(text);
    checkFunctions(nodes);
    return new Template(nodes);
  }

  execute(data: unknown, options: Partial<ExecOptions> = {}): string {
    return execute(this.nodes, data, { missingKey: options.missingKey ?? 'default', mode: options.mode ?? 'normal' });
  }
}
