/**
 * A parser for the part of Go's text/template that `--format` uses: text and actions with
 * `{{-`/`-}}` trimming and comments; pipelines of commands joined by `|`; fields (`.A.B`),
 * variables (`$`, `$x.A`), literals, function calls and parenthesised pipelines; `if`/
 * `else if`/`else`, `range` (with `$i, $e :=`), `with`, `break`/`continue`, and variable
 * declaration and assignment.
 */
export class TemplateSyntaxError extends Error {}

export type Operand =
  | { kind: 'dot' }
  | { kind: 'field'; receiver: Operand | null; names: string[]; loc?: string } // receiver null: the dot
  | { kind: 'variable'; name: string; names: string[]; loc?: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'function'; name: string; loc?: string }
  | { kind: 'pipeline'; pipeline: Pipeline; names: string[]; loc?: string };

export interface Command {
  args: Operand[];
}

export interface Pipeline {
  decl: string[];
  assign: boolean;
  commands: Command[];
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if' | 'with'; pipeline: Pipeline; list: Node[]; elseList: Node[] | null }
  | { kind: 'range'; pipeline: Pipeline; list: Node[]; elseList: Node[] | null }
  | { kind: 'break' } | { kind: 'continue' };

type Token =
  | { t: 'text'; v: string }
  | { t: 'action'; v: string; pos: number; start: number };

/** Splits the template into text and action bodies, applying the trim markers. */
function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNextText = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    trimNextText = false;
    if (open < 0) {
      if (text) tokens.push({ t: 'text', v: text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 2;
    }
    if (text) tokens.push({ t: 'text', v: text });
    const close = findClose(src, start);
    if (close < 0) throw new TemplateSyntaxError(`template: :${lineOf(src, open)}: unclosed action`);
    let end = close;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) {
      end = close - 2;
      trimNextText = true;
    }
    tokens.push({ t: 'action', v: src.slice(start, end), pos: open, start });
    i = close + 2;
  }
  return tokens;
}

/** The `}}` that closes an action, skipping quoted strings. */
function findClose(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === '`' || c === "'") {
      const q = c;
      for (i++; i < src.length && src[i] !== q; i++) if (q !== '`' && src[i] === '\\') i++;
      continue;
    }
    if (c === '}' && src[i + 1] === '}') return i;
  }
  return -1;
}

function lineOf(src: string, pos: number): number {
  return src.slice(0, pos).split('\n').length;
}

type Word = (
  | { w: 'ident'; v: string } | { w: 'field'; v: string } | { w: 'var'; v: string }
  | { w: 'string'; v: string } | { w: 'number'; v: number } | { w: 'punct'; v: string }
) & { at?: number };

/** Splits an action body into words; each word's `at` is its offset in the template (`base` + index). */
function words(body: string, where: string, base = 0): Word[] {
  const raw: Word[] = [];
  const out = { push: (word: Word) => { raw.push({ ...word, at: base + wordStart }); } };
  let wordStart = 0;
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (/\s/.test(c)) { i++; continue; }
    wordStart = i;
    if (c === '"') {
      let j = i + 1;
      for (; j < body.length && body[j] !== '"'; j++) if (body[j] === '\\') j++;
      if (j >= body.length) throw new TemplateSyntaxError(`${where}: unterminated quoted string`);
      out.push({ w: 'string', v: JSON.parse(body.slice(i, j + 1).replace(/\\'/g, "'")) as string });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = body.indexOf('`', i + 1);
      if (j < 0) throw new TemplateSyntaxError(`${where}: unterminated raw quoted string`);
      out.push({ w: 'string', v: body.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === "'") {
      const m = /^'(\\.|[^'\\])'/.exec(body.slice(i));
      if (!m) throw new TemplateSyntaxError(`${where}: malformed character constant`);
      out.push({ w: 'number', v: (JSON.parse(`"${m[1]}"`) as string).codePointAt(0)! });
      i += m[0].length;
      continue;
    }
    if (c === ':' && body[i + 1] === '=') { out.push({ w: 'punct', v: ':=' }); i += 2; continue; }
    if ('|(),='.includes(c)) { out.push({ w: 'punct', v: c }); i++; continue; }
    if (c === '.' && !/[0-9]/.test(body[i + 1] ?? '')) {
      const m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i));
      if (m) { out.push({ w: 'field', v: m[0].slice(1) }); i += m[0].length; continue; }
      out.push({ w: 'field', v: '' }); // the dot itself
      i++;
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(body.slice(i))!;
      out.push({ w: 'var', v: m[0] });
      i += m[0].length;
      continue;
    }
    const num = /^[+-]?(0[xX][0-9a-fA-F]+|\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(body.slice(i));
    if (num && (c !== '+' && c !== '-' || /[0-9.]/.test(body[i + 1] ?? ''))) {
      out.push({ w: 'number', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i));
    if (id) { out.push({ w: 'ident', v: id[0] }); i += id[0].length; continue; }
    throw new TemplateSyntaxError(`${where}: unexpected "${c}" in command`);
  }
  return raw;
}

class PipelineParser {
  private i = 0;
  constructor(private readonly ws: Word[], private readonly where: string, private readonly locate: (at: number | undefined) => string | undefined = () => undefined) {}

  done(): boolean { return this.i >= this.ws.length; }

  pipeline(allowDecl: boolean, allowTwoVars = false): Pipeline {
    const decl: string[] = [];
    let assign = false;
    if (allowDecl) {
      const save = this.i;
      const vars: string[] = [];
      while (this.ws[this.i]?.w === 'var') {
        vars.push(this.ws[this.i]!.v as string);
        this.i++;
        const p = this.ws[this.i];
        if (p?.w === 'punct' && p.v === ',' && allowTwoVars && vars.length === 1) { this.i++; continue; }
        break;
      }
      const op = this.ws[this.i];
      if (vars.length > 0 && op?.w === 'punct' && (op.v === ':=' || op.v === '=')) {
        decl.push(...vars);
        assign = op.v === '=';
        this.i++;
      } else {
        this.i = save;
      }
    }
    const commands: Command[] = [this.command()];
    while (this.peekPunct('|')) {
      this.i++;
      commands.push(this.command());
    }
    return { decl, assign, commands };
  }

  private peekPunct(v: string): boolean {
    const w = this.ws[this.i];
    return w?.w === 'punct' && w.v === v;
  }

  private command(): Command {
    const args: Operand[] = [];
    while (this.i < this.ws.length && !this.peekPunct('|') && !this.peekPunct(')')) args.push(this.operand());
    if (args.length === 0) throw new TemplateSyntaxError(`${this.where}: missing value for command`);
    return { args };
  }

  /** Where the last field chain's second link (Go's chain node) started. */
  private chainAt: number | undefined;

  private fieldChain(): string[] {
    const names: string[] = [];
    this.chainAt = undefined;
    while (this.ws[this.i]?.w === 'field' && this.ws[this.i]!.v !== '') {
      if (names.length === 1) this.chainAt = this.ws[this.i]!.at;
      names.push(this.ws[this.i]!.v as string);
      this.i++;
    }
    return names;
  }

  /** A chained field after a variable or parenthesis: Go places it at its first link. */
  private trailingChain(): { names: string[]; at: number | undefined } {
    const at = this.ws[this.i]?.w === 'field' && this.ws[this.i]!.v !== '' ? this.ws[this.i]!.at : undefined;
    return { names: this.fieldChain(), at };
  }

  private operand(): Operand {
    const w = this.ws[this.i++]!;
    switch (w.w) {
      case 'field': {
        if (w.v === '') return { kind: 'dot' };
        this.i--;
        const names = this.fieldChain();
        return { kind: 'field', receiver: null, names, loc: this.locate(names.length > 1 ? this.chainAt : w.at) };
      }
      case 'var': {
        const chain = this.trailingChain();
        return { kind: 'variable', name: w.v, names: chain.names, loc: this.locate(chain.at ?? w.at) };
      }
      case 'string': return { kind: 'string', value: w.v };
      case 'number': return { kind: 'number', value: w.v };
      case 'ident':
        if (w.v === 'true' || w.v === 'false') return { kind: 'bool', value: w.v === 'true' };
        if (w.v === 'nil') return { kind: 'nil' };
        return { kind: 'function', name: w.v, loc: this.locate(w.at) };
      case 'punct':
        if (w.v === '(') {
          const pipeline = this.pipeline(true);
          if (!this.peekPunct(')')) throw new TemplateSyntaxError(`${this.where}: unclosed left paren`);
          this.i++;
          const chain = this.trailingChain();
          return { kind: 'pipeline', pipeline, names: chain.names, loc: this.locate(chain.at ?? w.at) };
        }
        throw new TemplateSyntaxError(`${this.where}: unexpected "${w.v}" in operand`);
    }
  }
}

/** Parses a template into its node list. */
export function parseTemplate(src: string): Node[] {
  const tokens = lex(src);
  let pos = 0;
  const where = (tok: Token) => `template: :${tok.t === 'action' ? lineOf(src, tok.pos) : 1}`;

  // Go's ErrorContext: line and byte column (from 0) of a node in the template.
  const locate = (at: number | undefined): string | undefined => {
    if (at === undefined) return undefined;
    const before = src.slice(0, at);
    const nl = before.lastIndexOf('\n');
    return `${before.split('\n').length}:${Buffer.byteLength(before.slice(nl + 1))}`;
  };
  const parsePipe = (body: string, tok: Token, allowDecl: boolean, twoVars = false, base?: number): Pipeline => {
    const ws = words(body, where(tok), base);
    const p = new PipelineParser(ws, where(tok), base === undefined ? undefined : locate);
    const pipeline = p.pipeline(allowDecl, twoVars);
    if (!p.done()) throw new TemplateSyntaxError(`${where(tok)}: unexpected ")" in command`);
    return pipeline;
  };

  // Parses nodes until one of `stops` (an action keyword); returns the list and which stop ended it.
  const list = (stops: string[]): { nodes: Node[]; stop: string; rest: string; tok?: Token; restStart?: number } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++]!;
      if (tok.t === 'text') { nodes.push({ kind: 'text', text: tok.v }); continue; }
      const body = tok.v.trim();
      const bodyStart = tok.start + (tok.v.length - tok.v.trimStart().length);
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new TemplateSyntaxError(`${where(tok)}: unclosed comment`);
        continue;
      }
      const keyword = /^([a-z]+)\b\s*([\s\S]*)$/.exec(body);
      const kw = keyword?.[1] ?? '';
      const rest = keyword?.[2] ?? '';
      const restStart = bodyStart + body.length - rest.length;
      if (stops.includes(kw)) return { nodes, stop: kw, rest, tok, restStart };
      if (kw === 'end' || kw === 'else') throw new TemplateSyntaxError(`${where(tok)}: unexpected {{${kw}}}`);
      if (kw === 'if' || kw === 'with' || kw === 'range') {
        nodes.push(control(kw, rest, tok, restStart));
      } else if (kw === 'break' || kw === 'continue') {
        nodes.push({ kind: kw });
      } else if (['define', 'template', 'block'].includes(kw)) {
        throw new TemplateSyntaxError(`${where(tok)}: {{${kw}}} is not supported`);
      } else {
        if (body === '') throw new TemplateSyntaxError(`${where(tok)}: missing value for command`);
        nodes.push({ kind: 'action', pipeline: parsePipe(body, tok, true, false, bodyStart) });
      }
    }
    if (stops.length > 0) throw new TemplateSyntaxError(`template: :${lineOf(src, src.length)}: unexpected EOF`);
    return { nodes, stop: '', rest: '' };
  };

  const control = (kw: 'if' | 'with' | 'range', rest: string, tok: Token, restStart?: number): Node => {
    if (rest.trim() === '') throw new TemplateSyntaxError(`${where(tok)}: missing value for ${kw}`);
    const pipeline = parsePipe(rest, tok, true, kw === 'range', restStart);
    const body = list(['else', 'end']);
    let elseList: Node[] | null = null;
    if (body.stop === 'else') {
      const elseRest = body.rest.trim();
      if (elseRest.startsWith('if ') && kw === 'if') {
        // {{else if x}} is {{else}}{{if x}}…{{end}} sharing the outer {{end}}.
        elseList = [control('if', elseRest.slice(3), body.tok!, body.restStart === undefined ? undefined : body.restStart + 3)];
        return { kind: kw, pipeline, list: body.nodes, elseList };
      }
      if (elseRest.startsWith('with ') && kw === 'with') {
        elseList = [control('with', elseRest.slice(5), body.tok!, body.restStart === undefined ? undefined : body.restStart + 5)];
        return { kind: kw, pipeline, list: body.nodes, elseList };
      }
      const tail = list(['end']);
      elseList = tail.nodes;
    }
    return kw === 'range'
      ? { kind: 'range', pipeline, list: body.nodes, elseList }
      : { kind: kw, pipeline, list: body.nodes, elseList };
  };

  return list([]).nodes;
}
