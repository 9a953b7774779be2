import { DIR_ID_PATTERN } from './store-layout.js';
import type { SnapshotInfo, SnapshotKind, Usage } from './snapshotter.js';

/** What is persisted per snapshot key/name, in `records/<sha256 of name>.json`. */
export interface SnapshotRecord {
  /** The key of an active snapshot or view, the name of a committed one. */
  name: string;
  kind: SnapshotKind;
  parent?: string;
  /** The id of the directory under the root holding this snapshot's files. */
  dir: string;
  labels: Record<string, string>;
  created: string;
}

/**
 * Facts about one directory, in `<id>/meta.json`, written once when it is committed: a
 * committed directory never changes, so its usage is never measured again.
 */
export interface DirMeta {
  /** The diffID of the layer the directory holds, when the committer said so. */
  diffId?: string;
  size: number;
  inodes: number;
}

export function recordToInfo(record: SnapshotRecord): SnapshotInfo {
  const info: SnapshotInfo = { name: record.name, kind: record.kind, labels: { ...record.labels }, created: record.created };
  if (record.parent !== undefined) info.parent = record.parent;
  return info;
}

export function metaToUsage(meta: DirMeta): Usage {
  return { size: meta.size, inodes: meta.inodes };
}

const KINDS: readonly string[] = ['active', 'view', 'committed'];

/** Checks a record read from disk; undefined when it is not one. */
export function parseRecord(value: unknown): SnapshotRecord | undefined {
  if (!isObject(value)) return undefined;
  const { name, kind, parent, dir, labels, created } = value;
  if (typeof name !== 'string' || name === '') return undefined;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) return undefined;
  if (parent !== undefined && typeof parent !== 'string') return undefined;
  if (typeof dir !== 'string' || !DIR_ID_PATTERN.test(dir)) return undefined;
  if (!isStringMap(labels) || typeof created !== 'string') return undefined;
  const record: SnapshotRecord = { name, kind: kind as SnapshotKind, dir, labels, created };
  if (parent !== undefined) record.parent = parent;
  return record;
}

export function parseDirMeta(value: unknown): DirMeta | undefined {
  if (!isObject(value)) return undefined;
  const { diffId, size, inodes } = value;
  if (typeof size !== 'number' || typeof inodes !== 'number') return undefined;
  if (diffId !== undefined && typeof diffId !== 'string') return undefined;
  return diffId === undefined ? { size, inodes } : { diffId, size, inodes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
