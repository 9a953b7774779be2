import { parseNormalizedNamed } from '../../oci/index.js';
import type { EventMessage, FilterArgs } from '../types/index.js';

/** Filter keys that match an event by its actor's ID or `name` attribute, by prefix. */
const NAMED_TYPES = ['daemon', 'container', 'plugin', 'volume', 'network', 'service', 'node', 'secret', 'config'] as const;
/** Actions that match by prefix (`exec_start: sh -c …`). */
const FUZZY_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);

/** Docker's event filter: type, event, scope, image, label and per-type names. */
export function eventMatches(filter: FilterArgs, ev: EventMessage): boolean {
  const fuzzyEvent = filter.get('event').some((v) => FUZZY_ACTIONS.has(v));
  if (!(fuzzyEvent ? filter.fuzzyMatch('event', ev.Action) : filter.exactMatch('event', ev.Action))) return false;
  if (!filter.exactMatch('type', ev.Type)) return false;
  if (filter.contains('scope') && !filter.exactMatch('scope', ev.scope)) return false;
  for (const type of NAMED_TYPES) {
    if (!filter.contains(type)) continue;
    if (ev.Type !== type) return false;
    if (!filter.fuzzyMatch(type, ev.Actor.ID) && !filter.fuzzyMatch(type, ev.Actor.Attributes.name ?? '')) return false;
  }
  if (!matchImage(filter, ev)) return false;
  if (filter.contains('label') && !filter.matchKVList('label', ev.Actor.Attributes)) return false;
  return true;
}

function matchImage(filter: FilterArgs, ev: EventMessage): boolean {
  if (!filter.contains('image')) return true;
  const id = ev.Actor.ID;
  const name = ev.Actor.Attributes[ev.Type === 'image' ? 'name' : 'image'] ?? '';
  return [id, name, stripTag(id), stripTag(name)].some((candidate) => filter.get('image').includes(candidate));
}

function stripTag(image: string): string {
  try {
    return parseNormalizedNamed(image).familiarName();
  } catch {
    return image;
  }
}
