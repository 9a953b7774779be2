import type { Digest } from '../../base/index.js';
import { compilePathPattern, parseNormalizedNamed, withDefaultTag, type Reference } from '../../oci/index.js';
import { imageSize, type ImageService, type ImageRecord } from '../../images/index.js';
import { FilterArgs, parseTimestamp, type ImageSummary } from '../types/index.js';

const ACCEPTED_FILTERS = ['dangling', 'label', 'before', 'since', 'reference', 'until'];

export interface ListOptions {
  all: boolean;
  filters: FilterArgs;
  sharedSize: boolean;
  containersUsing?: (imageId: string) => number;
}

/**
 * `GET /images/json` with Docker's filters: `dangling`, `label`, `before`/`since` (an image),
 * `until` (a time), `reference` (a glob over the familiar and full names, which also limits
 * the RepoTags shown). Untagged parents of other images appear only with `all`.
 */
export async function listImageSummaries(service: ImageService, options: ListOptions): Promise<ImageSummary[]> {
  const { filters } = options;
  filters.validate(ACCEPTED_FILTERS);
  const danglingOnly = filters.getBool('dangling', false);
  const createdOf = async (record: ImageRecord) => createdSeconds(await service.config(record.id), record);

  let before: number | undefined;
  for (const value of filters.get('before')) {
    const created = await createdOf(service.resolve(value));
    if (before === undefined || created < before) before = created;
  }
  for (const value of filters.get('until')) {
    const seconds = Number(parseTimestamp(value) / 1_000_000_000n);
    if (before === undefined || seconds < before) before = seconds;
  }
  let since: number | undefined;
  for (const value of filters.get('since')) {
    const created = await createdOf(service.resolve(value));
    if (since === undefined || created > since) since = created;
  }
  const patterns = filters.get('reference').map((p) => compilePathPattern(p));

  const records = service.store.list();
  const parents = new Set(records.map((r) => r.parent).filter((p): p is Digest => p !== undefined));
  const rows: ImageSummary[] = [];
  for (const record of records) {
    if (danglingOnly && parents.has(record.id)) continue;
    const config = await service.config(record.id);
    const created = createdSeconds(config, record);
    if (before !== undefined && !(created < before)) continue;
    if (since !== undefined && !(created > since)) continue;
    const labels = config.config?.Labels ?? {};
    if (filters.contains('label') && !filters.matchKVList('label', labels)) continue;

    const repoTags: string[] = [];
    for (const { name } of service.store.namesOf(record.id)) {
      const ref = parseNormalizedNamed(name);
      if (patterns.length > 0 && !patterns.some((re) => referenceTargets(ref).some((t) => re.test(t)))) continue;
      if (ref.tag !== undefined) repoTags.push(ref.familiarString());
    }
    if (repoTags.length === 0) {
      if (!(options.all || !parents.has(record.id))) continue;
      if (filters.contains('dangling') && !danglingOnly) continue;
      if (patterns.length > 0) continue;
    } else if (danglingOnly) {
      continue;
    }
    rows.push({
      Id: record.id,
      ParentId: record.parent ?? '',
      RepoTags: repoTags,
      RepoDigests: [],
      Created: created,
      Size: await imageSize(service, record.id),
      SharedSize: -1,
      Labels: labels,
      Containers: options.containersUsing ? options.containersUsing(record.id) : -1,
    });
  }
  if (options.sharedSize) await fillSharedSizes(service, rows);
  return rows.sort((a, b) => b.Created - a.Created || (a.Id < b.Id ? -1 : 1));
}

/** The strings a `reference` pattern is tried against, as Docker does. */
function referenceTargets(ref: Reference): string[] {
  return [ref.familiarString(), ref.familiarName(), withDefaultTag(ref).toString(), ref.name];
}

function createdSeconds(config: { created?: string }, record: ImageRecord): number {
  const when = Date.parse(config.created ?? '');
  return Number.isNaN(when) ? Math.floor(Date.parse(record.addedAt) / 1000) : Math.floor(when / 1000);
}

/** SharedSize: the bytes of an image's layers that other images also use. */
export async function fillSharedSizes(service: ImageService, rows: ImageSummary[]): Promise<void> {
  const users = new Map<Digest, number>();
  for (const record of service.store.list()) {
    for (const chainId of await service.chainIds(record.id)) users.set(chainId, (users.get(chainId) ?? 0) + 1);
  }
  for (const row of rows) {
    let shared = 0;
    for (const chainId of await service.chainIds(row.Id as Digest)) {
      if ((users.get(chainId) ?? 0) > 1) shared += (await service.snapshotter.usage(chainId)).size;
    }
    row.SharedSize = shared;
  }
}

/** Total bytes of every layer in the store, each counted once. */
export async function layersSize(service: ImageService): Promise<number> {
  const seen = new Set<Digest>();
  let total = 0;
  for (const record of service.store.list()) {
    for (const chainId of await service.chainIds(record.id)) {
      if (seen.has(chainId)) continue;
      seen.add(chainId);
      total += (await service.snapshotter.usage(chainId)).size;
    }
  }
  return total;
}
