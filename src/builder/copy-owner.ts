import { InvalidArgumentError } from '../base/index.js';
import { readFileInRoot } from '../runtime/index.js';

export interface Owner {
  uid: number;
  gid: number;
}

function findId(text: string | undefined, name: string, idField: number): number | undefined {
  for (const line of (text ?? '').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[idField] !== undefined && /^\d+$/.test(fields[idField]!)) return Number(fields[idField]);
  }
  return undefined;
}

/**
 * `--chown=user[:group]` with Docker's classic rules (parseChownFlag): numbers are taken as
 * they are; names are looked up in the image's own /etc/passwd and /etc/group (read without
 * leaving the rootfs); a lone user means the same name or number as group.
 */
export async function resolveChown(spec: string, rootfs: string): Promise<Owner> {
  const parts = spec.split(':');
  if (parts.length > 2) throw new InvalidArgumentError(`invalid chown string format: ${spec}`);
  const [userPart = '', groupPart = userPart] = parts;
  const needsFiles = !/^\d+$/.test(userPart) || !/^\d+$/.test(groupPart);
  const [passwd, group] = needsFiles
    ? await Promise.all([readFileInRoot(rootfs, '/etc/passwd'), readFileInRoot(rootfs, '/etc/group')])
    : [undefined, undefined];
  const fail = (what: string, name: string, why: string) =>
    new InvalidArgumentError(`unable to convert uid/gid chown string to host mapping: can't find ${what} for ${what === 'uid' ? 'user' : 'group'} ${name}: ${why}`);
  const uid = /^\d+$/.test(userPart) ? Number(userPart) : findId(passwd, userPart, 2);
  if (uid === undefined) throw fail('uid', userPart, passwd === undefined ? 'no passwd file' : `no such user: ${userPart}`);
  const gid = /^\d+$/.test(groupPart) ? Number(groupPart) : findId(group, groupPart, 2);
  if (gid === undefined) throw fail('gid', groupPart, group === undefined ? 'no group file' : `no such group: ${groupPart}`);
  return { uid, gid };
}

/** `--chmod` as octal permission bits, as BuildKit reads it. */
export function parseChmod(spec: string): number {
  if (!/^[0-7]{1,4}$/.test(spec)) throw new InvalidArgumentError(`invalid chmod parameter: ${spec}: only octal modes are supported`);
  return parseInt(spec, 8);
}
