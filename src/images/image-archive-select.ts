import { NotFoundError, type Digest } from '../base/index.js';
import { parseAnyReference, parseNormalizedNamed, withDefaultTag, type Reference } from '../oci/index.js';
import type { ImageService } from './image-service.js';
import type { ImageRecord } from './image-store.js';

/** One image to save and the tags it is saved under (none when it was named by ID). */
export interface SaveTarget {
  record: ImageRecord;
  refs: Reference[];
}

/**
 * Which images `docker save NAME...` writes, in moby's parseNames rules: an ID (full, or a
 * prefix) saves the image untagged; `repo:tag` saves it with that tag; a bare repository
 * saves every tag of it, or falls back to an ID prefix when it has none. Images come out in
 * the order the names first reach them, so the archive does not depend on the store's order.
 */
export function selectSaveTargets(service: ImageService, names: readonly string[]): SaveTarget[] {
  const targets = new Map<Digest, SaveTarget>();
  const add = (id: Digest, ref?: Reference) => {
    let target = targets.get(id);
    if (!target) {
      target = { record: service.store.get(id), refs: [] };
      targets.set(id, target);
    }
    if (ref && !target.refs.some((r) => r.equals(ref))) target.refs.push(ref);
  };
  for (const name of names) {
    let parsed;
    try {
      parsed = parseAnyReference(name);
    } catch (err) {
      // Not a name (an ID prefix such as "sha256:ab12" is not); it may still be an ID.
      add(byIdPrefix(service, name) ?? rethrow(err));
      continue;
    }
    if (parsed.kind === 'id') {
      if (!service.store.has(parsed.id)) throw new NotFoundError(`No such image: ${parsed.id}`);
      add(parsed.id);
      continue;
    }
    const ref = parsed.ref;
    if (ref.familiarName() === 'sha256') {
      add(byIdPrefix(service, name) ?? notFound(name));
      continue;
    }
    if (ref.isNameOnly) {
      const tagged = repositoryTags(service, ref);
      if (tagged.length === 0) add(byIdPrefix(service, name) ?? notFound(withDefaultTag(ref).familiarString()));
      for (const [tagRef, id] of tagged) add(id, tagRef);
      continue;
    }
    if (ref.digest !== undefined) throw new NotFoundError(`No such image: ${ref.familiarString()}`); // no digest references are kept
    const id = service.store.lookupName(withDefaultTag(ref).toString());
    if (!id) throw new NotFoundError(`No such image: ${ref.familiarString()}`);
    add(id, ref);
  }
  return [...targets.values()];
}

/** Every tag of the repository `ref` names, sorted by tag. */
function repositoryTags(service: ImageService, ref: Reference): [Reference, Digest][] {
  const out: [Reference, Digest][] = [];
  for (const [name, id] of service.store.allNames()) {
    const named = parseNormalizedNamed(name);
    if (named.name === ref.name && named.tag !== undefined && named.digest === undefined) out.push([named, id]);
  }
  return out.sort(([a], [b]) => (a.tag! < b.tag! ? -1 : a.tag! > b.tag! ? 1 : 0));
}

function byIdPrefix(service: ImageService, value: string): Digest | undefined {
  return service.store.resolveIdPrefix(value);
}

function notFound(name: string): never {
  throw new NotFoundError(`No such image: ${name}`);
}

function rethrow(err: unknown): never {
  throw err;
}
