import { Template, TemplateSyntaxError, TemplateExecError, type GoStruct } from './template.js';
import { tabulate } from './tabwriter.js';

/** What a `--format` value means: a table (with header row), raw/custom lines, or JSON lines. */
export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

/**
 * The template a format runs, as Docker's Context.preFormat makes it: `table` dropped, `json`
 * turned into `{{json .}}`, outer spaces trimmed, and the two-character escapes `\t` `\n`
 * turned into a tab and a newline.
 */
export function templateText(format: string): string {
  let text = format;
  if (isTableFormat(format)) text = text.slice('table'.length);
  else if (format === 'json') text = '{{json .}}';
  text = text.replace(/^ +| +$/g, '');
  return text.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

/** A template error as the docker CLI reports it. */
export class FormatError extends Error {}

export function parseFormat(format: string): Template {
  try {
    return Template.parse(templateText(format));
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new FormatError(`template parsing error: ${err.message}`);
    throw err;
  }
}

/**
 * Renders rows the way Docker's formatter Context.Write does: each row is the template plus a
 * newline; a table gets a header row (the same template run over the column headers, with
 * the header functions) and goes through the tabwriter (min width 10, padding 3).
 */
export function renderRows(format: string, rows: GoStruct[], headers: Record<string, string>): string {
  const template = parseFormat(format);
  let body = '';
  for (const row of rows) {
    try {
      body += template.execute(row) + '\n';
    } catch (err) {
      if (err instanceof TemplateExecError) throw new FormatError(`template parsing error: ${err.message}`);
      throw err;
    }
  }
  if (!isTableFormat(format)) return body;
  const header = template.execute(headers, { mode: 'header', missingKey: 'zero' });
  return tabulate(header + '\n' + body);
}
