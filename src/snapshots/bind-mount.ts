import type { Mount } from '../host/index.js';

/** A bind mount of one directory; read-only ones are remounted ro by host/mountAt. */
export function bindMount(source: string, readonly: boolean): Mount {
  return { type: 'bind', source, options: ['bind', readonly ? 'ro' : 'rw'] };
}
