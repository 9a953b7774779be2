import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { lgetxattr, llistxattr } from '../../host/index.js';

/** What a layer must preserve about one entry; compared between two mounts of a tree. */
export interface EntryFacts {
  mode: number;
  uid: number;
  gid: number;
  size: number | undefined;
  mtimeNs: string | undefined;
  rdev: number;
  target: string | undefined;
  xattrs: Record<string, string>;
}

/**
 * Every entry below `dir` by relative path. The root's own times are left out: an overlay
 * root is the new upper dir, created now. Directory sizes are file-system details.
 */
export async function treeFacts(dir: string): Promise<Map<string, EntryFacts>> {
  const facts = new Map<string, EntryFacts>();
  const visit = async (rel: string): Promise<void> => {
    const path = rel === '' ? dir : join(dir, rel);
    const st = await lstat(path, { bigint: true });
    const xattrs: Record<string, string> = {};
    for (const name of llistxattr(path).sort()) {
      if (name.startsWith('security.')) continue; // labels the host may add
      xattrs[name] = lgetxattr(path, name)?.toString('hex') ?? '';
    }
    facts.set(rel || '.', {
      mode: Number(st.mode),
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: st.isDirectory() ? undefined : Number(st.size),
      mtimeNs: rel === '' ? undefined : String(st.mtimeNs),
      rdev: Number(st.rdev),
      target: st.isSymbolicLink() ? await readlink(path) : undefined,
      xattrs,
    });
    if (st.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await visit(rel === '' ? name : join(rel, name));
    }
  };
  await visit('');
  return facts;
}
