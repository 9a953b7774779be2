/**
 * Go's text/tabwriter (as docker/cli's copy of it), for the column layout of every docker
 * table: cells end at '\t'; a column's width is its widest cell plus padding, at least
 * `minWidth`; a line's last cell is not aligned; a line with no tab ends a block of columns.
 * Only the options docker uses are supported (pad with spaces, align left, no flags).
 */
interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

export interface TabWriterOptions {
  minWidth: number;
  padding: number;
}

/** Display width: East Asian wide characters count two columns, as go-runewidth counts them. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f)
    || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f)
    || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f)
    || (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd);
}

/** Lays out `text` (lines of tab-separated cells) as the tabwriter would, flushing at the end. */
export function tabulate(text: string, options: TabWriterOptions = { minWidth: 10, padding: 3 }): string {
  const out: string[] = [];
  let lines: Cell[][] = [[]];
  let cell = '';
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]!;
      line.forEach((c, j) => {
        out.push(c.text);
        if (j < widths.length) out.push(' '.repeat(Math.max(0, widths[j]! - c.width)));
      });
      if (i + 1 === lines.length) {
        out.push(cell);
      } else {
        out.push('\n');
      }
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current]!.length - 1) continue;
      // A block of lines that all have a cell in this column starts here.
      writeLines(line0, current);
      line0 = current;
      let width = options.minWidth;
      for (; current < line1; current++) {
        const line = lines[current]!;
        if (column >= line.length - 1) break;
        const w = line[column]!.width + options.padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, current);
      widths.pop();
      line0 = current;
    }
    writeLines(line0, line1);
  };

  const flush = () => {
    if (cell.length > 0) {
      lines[lines.length - 1]!.push({ text: cell, width: displayWidth(cell), htab: false });
      cell = '';
    }
    format(0, lines.length);
    lines = [[]];
    cell = '';
  };

  for (const ch of text) {
    if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
      const line = lines[lines.length - 1]!;
      line.push({ text: cell, width: displayWidth(cell), htab: ch === '\t' });
      cell = '';
      if (ch === '\n' || ch === '\f') {
        const cells = line.length;
        lines.push([]);
        if (ch === '\f' || cells === 1) flush();
      }
    } else {
      cell += ch;
    }
  }
  flush();
  return out.join('');
}
