import { InvalidArgumentError } from '../../base/index.js';
import { utf8Length } from './go-text.js';

const BARE_QUOTE = 'bare " in non-quoted-field';
const BAD_QUOTE = 'extraneous or missing " in quoted-field';

function csvError(line: string, offset: number, reason: string): InvalidArgumentError {
  // Go reports the column as a 1-based byte offset.
  return new InvalidArgumentError(`parse error on line 1, column ${utf8Length(line.slice(0, offset)) + 1}: ${reason}`);
}

/**
 * Splits one CSV record on commas, as `--mount` and `--device` values are read (the
 * go-csvvalue package BuildKit uses, with encoding/csv's strict quoting): a field may be
 * wrapped in double quotes, `""` inside is a quote, and a quote anywhere else is an error.
 * An empty value is an error too (`EOF`).
 */
export function csvFields(input: string): string[] {
  let line = input;
  if (line.endsWith('\r\n')) line = line.slice(0, -2);
  else if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line === '') throw new InvalidArgumentError('EOF');

  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (line[pos] !== '"') {
      const comma = line.indexOf(',', pos);
      const field = comma < 0 ? line.slice(pos) : line.slice(pos, comma);
      const quote = field.indexOf('"');
      if (quote >= 0) throw csvError(line, pos + quote, BARE_QUOTE);
      fields.push(field);
      if (comma < 0) return fields;
      pos = comma + 1;
      continue;
    }
    // A quoted field.
    pos++;
    let field = '';
    for (;;) {
      const quote = line.indexOf('"', pos);
      if (quote < 0) throw csvError(line, pos, BAD_QUOTE);
      field += line.slice(pos, quote);
      pos = quote + 1;
      const next = line[pos];
      if (next === '"') {
        field += '"';
        pos++;
      } else if (next === ',') {
        fields.push(field);
        pos++;
        break;
      } else if (next === undefined) {
        fields.push(field);
        return fields;
      } else {
        throw csvError(line, pos - 1, BAD_QUOTE);
      }
    }
  }
}
