import type { Digest } from '../base/index.js';
import { parseNormalizedNamed, chainIds, type ExecutionConfig } from '../oci/index.js';
import type { ImageService } from './image-service.js';
import type { ImageRecord } from './image-store.js';

/** `docker image inspect` JSON, with Docker's field names. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: ExecutionConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  GraphDriver: { Name: string; Data: Record<string, string> | null };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

/** One row of `GET /images/json`. */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  Labels: Record<string, string>;
  Containers: number;
}

/** One row of `GET /images/{name}/history`, newest first. */
export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Tags of an image as Docker prints them (`busybox:latest`), sorted. */
export function repoTags(service: ImageService, id: Digest): string[] {
  return service.store.namesOf(id).map((n) => parseNormalizedNamed(n.name)).filter((r) => r.tag !== undefined).map((r) => r.familiarString());
}

/** Total size of an image: the recorded sizes of its layers, never a walk of the tree. */
export async function imageSize(service: ImageService, id: Digest): Promise<number> {
  let total = 0;
  for (const chainId of await service.chainIds(id)) total += (await service.snapshotter.usage(chainId)).size;
  return total;
}

export async function inspectImage(service: ImageService, record: ImageRecord): Promise<ImageInspect> {
  const config = await service.config(record.id);
  const chain = await service.chainIds(record.id);
  const names = service.store.namesOf(record.id);
  const lastTag = names.map((n) => n.taggedAt).sort().pop();
  const out: ImageInspect = {
    Id: record.id,
    RepoTags: repoTags(service, record.id),
    RepoDigests: [],
    Parent: record.parent ?? '',
    Comment: config.comment ?? '',
    Created: config.created ?? ZERO_TIME,
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: config.config ?? {},
    Architecture: config.architecture,
    Os: config.os,
    Size: await imageSize(service, record.id),
    GraphDriver: await graphDriver(service, chain),
    RootFS: { Type: config.rootfs.type, Layers: [...config.rootfs.diff_ids] },
    Metadata: { LastTagTime: lastTag ?? ZERO_TIME },
  };
  if (config.variant) out.Variant = config.variant;
  return out;
}

/** Where the image's layers are on disk, in the shape Docker's overlay2 driver reports. */
async function graphDriver(service: ImageService, chain: Digest[]): Promise<ImageInspect['GraphDriver']> {
  const dirs: string[] = [];
  for (const chainId of chain) dirs.push((await service.snapshotter.layerDir(chainId)).dir);
  const top = dirs.pop();
  const data: Record<string, string> = {};
  if (dirs.length > 0) data.LowerDir = dirs.reverse().join(':');
  if (top) data.UpperDir = top;
  return { Name: service.snapshotter.driver, Data: top ? data : null };
}

/** `GET /images/json`: tagged images and dangling ones; intermediates (parents of others) only with `all`. */
export async function listImages(service: ImageService, options: { all?: boolean } = {}): Promise<ImageSummary[]> {
  const records = service.store.list();
  const parents = new Set(records.map((r) => r.parent).filter((p): p is Digest => p !== undefined));
  const rows: ImageSummary[] = [];
  for (const record of records) {
    const tags = repoTags(service, record.id);
    if (!options.all && tags.length === 0 && parents.has(record.id)) continue;
    const config = await service.config(record.id);
    rows.push({
      Id: record.id,
      ParentId: record.parent ?? '',
      RepoTags: tags,
      RepoDigests: [],
      Created: Math.floor(Date.parse(config.created ?? record.addedAt) / 1000),
      Size: await imageSize(service, record.id),
      SharedSize: -1,
      Labels: config.config?.Labels ?? {},
      Containers: -1,
    });
  }
  return rows.sort((a, b) => b.Created - a.Created);
}

/**
 * `docker history`: one row per history entry, newest first; rows that made a layer carry
 * its size. IDs come from the image and its local parents (classic builds record one image
 * per step); rows without a local image show `<missing>`, as Docker does.
 */
export async function imageHistory(service: ImageService, record: ImageRecord): Promise<HistoryItem[]> {
  const config = await service.config(record.id);
  const diffIds = config.rootfs.diff_ids;
  const chain = chainIds(diffIds);
  const rows: HistoryItem[] = [];
  let layer = 0;
  for (const entry of config.history ?? []) {
    let size = 0;
    if (!entry.empty_layer) {
      const chainId = chain[layer++];
      if (chainId) size = (await service.snapshotter.usage(chainId)).size;
    }
    rows.unshift({
      Id: '<missing>',
      Created: entry.created ? Math.floor(Date.parse(entry.created) / 1000) : 0,
      CreatedBy: entry.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: entry.comment ?? '',
    });
  }
  let current: ImageRecord | undefined = record;
  for (const row of rows) {
    if (!current) break;
    row.Id = current.id;
    const tags = repoTags(service, current.id);
    row.Tags = tags.length > 0 ? tags : null;
    current = current.parent && service.store.has(current.parent) ? service.store.get(current.parent) : undefined;
  }
  return rows;
}
