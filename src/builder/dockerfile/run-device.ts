import { InvalidArgumentError } from '../../base/index.js';
import { csvFields } from './csv-fields.js';
import { parseGoBool } from './go-numbers.js';
import { withSuggestion } from './suggest.js';

/** One `RUN --device=name[,required]` (a CDI device request). */
export interface RunDevice {
  readonly name: string;
  readonly required: boolean;
}

/** Parses a `--device` value with BuildKit's rules: the name, optionally `required[=bool]`. */
export function parseRunDevice(spec: string): RunDevice {
  let fields: string[];
  try {
    fields = csvFields(spec);
  } catch (err) {
    throw new InvalidArgumentError(`failed to parse csv devices: ${err instanceof Error ? err.message : String(err)}`);
  }
  let name = '';
  let required = false;
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'required') required = true;
      else if (name === '') name = field;
      else throw new InvalidArgumentError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    if (key === 'name') {
      if (name !== '') throw new InvalidArgumentError(`device name already set to ${name}`);
      name = value;
    } else if (key === 'required') {
      const parsed = parseGoBool(value);
      if (parsed === undefined) throw new InvalidArgumentError(`invalid value for ${key}: ${value}`);
      required = parsed;
    } else if (name === '') {
      // A CDI name such as vendor.com/class=name contains '='.
      name = field;
    } else {
      throw new InvalidArgumentError(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true));
    }
  }
  return { name, required };
}
