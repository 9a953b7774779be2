/**
 * Test-only: builds directory trees with fixed metadata, so two builds of one spec pack to the
 * same bytes, and inspects trees without following symlinks.
 */
import { mkdir, writeFile, symlink, link, lutimes, chmod, lchown, readdir, lstat, readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { lsetxattr, mknod, S_IFBLK, S_IFCHR, S_IFIFO } from '../../host/index.js';

export const FIXED_TIME = 1_600_000_000;

export type TreeNode =
  | { path: string; type: 'dir'; mode?: number; uid?: number; gid?: number; xattrs?: Record<string, Buffer> }
  | { path: string; type: 'file'; content?: string | Buffer; mode?: number; uid?: number; gid?: number; xattrs?: Record<string, Buffer> }
  | { path: string; type: 'symlink'; target: string; uid?: number; gid?: number }
  | { path: string; type: 'hardlink'; target: string }
  | { path: string; type: 'fifo'; mode?: number }
  | { path: string; type: 'char' | 'block'; major: number; minor: number; mode?: number };

/** Creates `nodes` under `root` (parents first), then stamps every path with FIXED_TIME. */
export async function buildTree(root: string, nodes: TreeNode[]): Promise<void> {
  for (const node of nodes) {
    const path = join(root, node.path);
    await mkdir(dirname(path), { recursive: true });
    switch (node.type) {
      case 'dir':
        await mkdir(path, { recursive: true });
        break;
      case 'file':
        await writeFile(path, node.content ?? '');
        break;
      case 'symlink':
        await symlink(node.target, path);
        break;
      case 'hardlink':
        await link(join(root, node.target), path);
        break;
      case 'fifo':
        mknod(path, S_IFIFO | 0o644);
        break;
      case 'char':
      case 'block':
        mknod(path, (node.type === 'char' ? S_IFCHR : S_IFBLK) | 0o600, node.major, node.minor);
        break;
    }
    if ('uid' in node && node.uid !== undefined) await lchown(path, node.uid, node.gid ?? node.uid);
    if ('mode' in node && node.mode !== undefined) await chmod(path, node.mode);
    if ('xattrs' in node && node.xattrs) for (const [name, value] of Object.entries(node.xattrs)) lsetxattr(path, name, value);
  }
  await stampTimes(root);
}

/** Sets every path under `root` (children before parents) to FIXED_TIME. */
export async function stampTimes(root: string, time = FIXED_TIME): Promise<void> {
  for (const name of await readdir(root)) {
    const path = join(root, name);
    if ((await lstat(path)).isDirectory()) await stampTimes(path, time);
    await lutimes(path, time, time);
  }
}

/** Every path under `root`, relative, directories with a trailing slash, sorted. */
export async function listTree(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(join(root, prefix))) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if ((await lstat(join(root, rel))).isDirectory()) {
      out.push(`${rel}/`);
      out.push(...(await listTree(root, rel)));
    } else {
      out.push(rel);
    }
  }
  return out.sort();
}

/** Regular files under `root` (symlinks are not followed), with their contents. */
export async function regularFiles(root: string): Promise<Array<{ path: string; ino: number; dev: number; content: Buffer }>> {
  const out: Array<{ path: string; ino: number; dev: number; content: Buffer }> = [];
  for (const rel of await listTree(root)) {
    const path = join(root, rel);
    const stat = await lstat(path);
    if (stat.isFile()) out.push({ path: rel, ino: stat.ino, dev: stat.dev, content: await readFile(path) });
  }
  return out;
}
