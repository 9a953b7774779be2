import type { DockerfileAst, DockerfileNode } from './ast.js';
import { goQuote, goQuoteList } from './go-quote.js';
import { goTrimSpace } from './go-text.js';

/**
 * BuildKit's debug dump of one instruction (`parser.Node.Dump`):
 * `run ["--mount=x"] "echo hi"`, `onbuild (run "a")`, `cmd` for no arguments.
 */
export function dumpNode(node: DockerfileNode): string {
  let out = node.keyword.toLowerCase();
  if (node.flags.length > 0) out += ' ' + goQuoteList(node.flags);
  if (node.trigger) out += ' (' + dumpNode(node.trigger) + ')';
  for (const arg of node.args) out += ' ' + goQuote(arg);
  return goTrimSpace(out);
}

/**
 * The whole file in BuildKit's debug format, one `(instruction args…)` per line, as in
 * the `result` files of BuildKit's parser test corpus (without the final newline).
 */
export function dumpAst(ast: DockerfileAst): string {
  return goTrimSpace(ast.nodes.map((node) => `(${dumpNode(node)})`).join('\n'));
}
