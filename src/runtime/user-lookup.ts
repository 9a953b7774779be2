import { fstat, read, close, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { InvalidArgumentError, errnoCode } from '../base/index.js';
import { openDirPath, openInRoot, closeFd } from '../host/index.js';

/** What a Docker `--user` resolves to inside one rootfs. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the user's memberships in /etc/group, then `--group-add`. */
  additionalGids: number[];
  /** The home directory from /etc/passwd, when the user has an entry. */
  home?: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

const MAX_ID = 2 ** 31 - 1;
/** /etc/passwd or /etc/group beyond this is not a real account database. */
const MAX_DB_BYTES = 8 * 1024 * 1024;

function parseId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw new InvalidArgumentError(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

function lines(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of lines(text)) {
    const [name = '', , uidText = '', gidText = '', , home = ''] = line.split(':');
    const uid = parseId(uidText);
    const gid = parseId(gidText);
    // An entry with a non-numeric id is skipped rather than read as 0, which would be root.
    if (uid === undefined || gid === undefined) continue;
    out.push({ name, uid, gid, home });
  }
  return out;
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of lines(text)) {
    const [name = '', , gidText = '', list = ''] = line.split(':');
    const gid = parseId(gidText);
    if (gid === undefined) continue;
    out.push({ name, gid, members: list === '' ? [] : list.split(',').map((m) => m.trim()) });
  }
  return out;
}

/**
 * Docker's user resolution (runc's libcontainer/user GetExecUser plus GetAdditionalGroups),
 * on the texts of /etc/passwd and /etc/group (undefined when the file is absent). `spec` is
 * `user`, `uid`, `user:group`, `uid:gid`, … ; empty means root. A numeric user or group
 * without an entry is taken as is; a name without one is an error with Docker's wording.
 */
export function resolveUserFromFiles(spec: string, passwdText: string | undefined, groupText: string | undefined, groupAdd: readonly string[] = []): ResolvedUser {
  const [userArg = '', groupArg = ''] = spec.split(':');
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);

  let uid = 0;
  let gid = 0;
  let home: string | undefined;
  let name: string | undefined;
  const numericUser = parseId(userArg);
  const user = userArg === ''
    ? passwd.find((u) => u.uid === 0)
    : passwd.find((u) => (numericUser !== undefined ? u.uid === numericUser : u.name === userArg));
  if (user) {
    ({ uid, gid, home, name } = user);
  } else if (userArg !== '') {
    if (numericUser === undefined) throw new InvalidArgumentError(`unable to find user ${userArg}: no matching entries in passwd file`);
    uid = checkRange(numericUser);
  }

  const additionalGids: number[] = [];
  if (groupArg !== '') {
    const numericGroup = parseId(groupArg);
    const group = groups.find((g) => (numericGroup !== undefined ? g.gid === numericGroup : g.name === groupArg));
    if (group) gid = group.gid;
    else if (numericGroup !== undefined) gid = checkRange(numericGroup);
    else throw new InvalidArgumentError(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (name !== undefined) {
    // Only the implicit form (no explicit group) picks up the user's group memberships.
    for (const g of groups) if (g.members.includes(name)) additionalGids.push(g.gid);
  }

  for (const wanted of groupAdd) {
    const numeric = parseId(wanted);
    const group = groups.find((g) => g.name === wanted || (numeric !== undefined && g.gid === numeric));
    if (group) additionalGids.push(group.gid);
    else if (numeric !== undefined) additionalGids.push(checkRange(numeric));
    else throw new InvalidArgumentError(`unable to find group ${wanted}: no matching entries in group file`);
  }

  const result: ResolvedUser = { uid, gid, additionalGids: [...new Set(additionalGids)] };
  if (home !== undefined) result.home = home;
  return result;
}

const O_RDONLY = 0;
const O_NONBLOCK = 0o4000;
const fstatAsync = promisify(fstat) as (fd: number) => Promise<Stats>;
const readAsync = promisify(read);
const closeAsync = promisify(close);

/**
 * Reads `path` inside `rootfs` as the container would see it: the kernel resolves every
 * component with RESOLVE_IN_ROOT, so a symlinked /etc/passwd (or /etc) pointing at the
 * host's files resolves inside the rootfs instead. O_NONBLOCK and the regular-file check keep
 * a FIFO planted in an image from hanging the daemon. Undefined when the file is absent.
 */
export async function readFileInRoot(rootfs: string, path: string): Promise<string | undefined> {
  let fd: number;
  const rootFd = openDirPath(rootfs);
  try {
    fd = openInRoot(rootFd, path, O_RDONLY | O_NONBLOCK);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  } finally {
    closeFd(rootFd);
  }
  try {
    const st = await fstatAsync(fd);
    if (!st.isFile()) throw new InvalidArgumentError(`${path} in the container's rootfs is not a regular file`);
    if (st.size > MAX_DB_BYTES) throw new InvalidArgumentError(`${path} in the container's rootfs is too large (${st.size} bytes)`);
    const buf = Buffer.alloc(st.size);
    let offset = 0;
    while (offset < buf.length) {
      const { bytesRead } = await readAsync(fd, buf, offset, buf.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return buf.subarray(0, offset).toString('utf8');
  } finally {
    await closeAsync(fd);
  }
}

/** resolveUserFromFiles on the rootfs's own /etc/passwd and /etc/group, read safely. */
export async function resolveUser(rootfs: string, spec: string, groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([readFileInRoot(rootfs, '/etc/passwd'), readFileInRoot(rootfs, '/etc/group')]);
  return resolveUserFromFiles(spec, passwd, group, groupAdd);
}
