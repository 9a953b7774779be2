import { GoStruct } from '../format/template.js';
import { humanSize, humanSizeWithPrecision, createdSince, humanDuration } from '../format/units.js';
import { goTimeString, rfc3339 } from '../format/go-time.js';
import { displayWidth } from '../format/tabwriter.js';
import type { ImageSummary, HistoryItem } from '../../api/types/index.js';

/** stringid.TruncateID: the hex part of an ID, at most 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const hex = colon >= 0 ? id.slice(colon + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** formatter.Ellipsis: at most `max` display columns, the last one an ellipsis when cut. */
export function ellipsis(text: string, max: number): string {
  if (max <= 0) return '';
  const chars = [...text];
  if (max === 1) return chars[0] ?? '';
  if (displayWidth(text) <= max) return text;
  let width = 0;
  let out = '';
  for (const ch of chars) {
    const w = displayWidth(ch);
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return out + '…';
}

/** One row of `docker images` (formatter.imageContext). */
export class ImageRow extends GoStruct {
  readonly goTypeName = '*formatter.imageContext';
  constructor(private readonly image: ImageSummary, private readonly trunc: boolean, private readonly repo: string, private readonly tag: string, private readonly digest: string) {
    super();
  }
  fieldNames(): string[] {
    return ['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize'];
  }
  get ID(): string { return this.trunc ? truncateId(this.image.Id) : this.image.Id; }
  get Repository(): string { return this.repo; }
  get Tag(): string { return this.tag; }
  get Digest(): string { return this.digest; }
  get CreatedSince(): string { return createdSince(this.image.Created); }
  get CreatedAt(): string { return goTimeString(this.image.Created); }
  get Size(): string { return humanSizeWithPrecision(this.image.Size, 3); }
  get Containers(): string { return this.image.Containers === -1 ? 'N/A' : String(this.image.Containers); }
  get VirtualSize(): string { return humanSize(this.image.Size); }
  get SharedSize(): string { return this.image.SharedSize === -1 ? 'N/A' : humanSize(this.image.SharedSize); }
  get UniqueSize(): string { return this.image.Size === -1 || this.image.SharedSize === -1 ? 'N/A' : humanSize(this.image.Size - this.image.SharedSize); }
}

export const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', VirtualSize: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
};

/** Before this (2000-01-01), `docker history` shows N/A rather than "25 years ago". */
const HISTORY_EPOCH = 946684800;

/** One row of `docker history` (image.historyContext). */
export class HistoryRow extends GoStruct {
  readonly goTypeName = '*image.historyContext';
  constructor(private readonly item: HistoryItem, private readonly trunc: boolean, private readonly human: boolean) {
    super();
  }
  fieldNames(): string[] {
    return ['Comment', 'CreatedAt', 'CreatedBy', 'CreatedSince', 'ID', 'Size'];
  }
  get ID(): string { return this.trunc ? truncateId(this.item.Id) : this.item.Id; }
  get CreatedAt(): string { return rfc3339(this.item.Created); }
  get CreatedSince(): string {
    if (!this.human) return this.CreatedAt;
    if (this.item.Created <= HISTORY_EPOCH) return 'N/A';
    return `${humanDuration(Date.now() - this.item.Created * 1000)} ago`;
  }
  get CreatedBy(): string {
    const createdBy = this.item.CreatedBy.replace(/\t/g, ' ');
    return this.trunc ? ellipsis(createdBy, 45) : createdBy;
  }
  get Size(): string { return this.human ? humanSizeWithPrecision(this.item.Size, 3) : String(this.item.Size); }
  get Comment(): string { return this.item.Comment; }
}

export const HISTORY_HEADERS: Record<string, string> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};
