import type { ImageSummary } from '../../api/types/index.js';
import { ImageRow } from './rows.js';

const DEFAULT_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const DEFAULT_TABLE_WITH_DIGEST = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

/** formatter.NewImageFormat: the format `docker images` runs for its flags. */
export function imageFormat(source: string, quiet: boolean, digest: boolean): string {
  if (source === 'table') return quiet ? '{{.ID}}' : digest ? DEFAULT_TABLE_WITH_DIGEST : DEFAULT_TABLE;
  if (source === 'raw') {
    if (quiet) return 'image_id: {{.ID}}';
    return digest
      ? 'repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n'
      : 'repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';
  }
  if (source.startsWith('table') && digest && !source.includes('{{.Digest}}')) return source + '\t{{.Digest}}';
  return source;
}

/** Splits a familiar `repo:tag` (the tag is after the last colon with no slash after it). */
export function splitRepoTag(ref: string): { repo: string; tag: string } | undefined {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  if (colon < 0 || base.slice(colon + 1).includes('/')) return undefined;
  return { repo: base.slice(0, colon), tag: base.slice(colon + 1) };
}

function isDangling(image: ImageSummary): boolean {
  const tags = image.RepoTags ?? [];
  const digests = image.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

/**
 * The rows `docker images` prints for a list: one per repository tag (and per digest when
 * digests are shown), `<none>` rows for dangling images.
 */
export function imageRows(images: ImageSummary[], options: { trunc: boolean; digest: boolean; needDigest: boolean }): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const image of images) {
    if (isDangling(image)) {
      rows.push(new ImageRow(image, options.trunc, '<none>', '<none>', '<none>'));
      continue;
    }
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const ref of image.RepoTags ?? []) {
      const parts = splitRepoTag(ref);
      if (parts) repoTags.set(parts.repo, [...(repoTags.get(parts.repo) ?? []), parts.tag]);
    }
    for (const ref of image.RepoDigests ?? []) {
      const at = ref.indexOf('@');
      if (at > 0) repoDigests.set(ref.slice(0, at), [...(repoDigests.get(ref.slice(0, at)) ?? []), ref.slice(at + 1)]);
    }
    for (const [repo, tags] of repoTags) {
      let digests = repoDigests.get(repo) ?? [];
      repoDigests.delete(repo);
      if (!options.needDigest) digests = [];
      for (const tag of tags) {
        if (digests.length === 0) rows.push(new ImageRow(image, options.trunc, repo, tag, '<none>'));
        else for (const d of digests) rows.push(new ImageRow(image, options.trunc, repo, tag, d));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (options.digest) for (const d of digests) rows.push(new ImageRow(image, options.trunc, repo, '<none>', d));
      else rows.push(new ImageRow(image, options.trunc, repo, '<none>', ''));
    }
  }
  return rows;
}
