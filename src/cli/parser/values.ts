/**
 * The value syntaxes of docker's option types (github.com/docker/cli/opts and go-units), with
 * their error messages: sizes (`-m 512m`), CPUs (`--cpus 1.5`), environment and label lists,
 * extra hosts, restart policies, `--mount` CSV, `-v` specs, port specs, ulimits.
 */
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

const BINARY_MULTIPLIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Go's strconv.ParseFloat syntax (decimal, with exponent; no hex, no inf/nan for sizes). */
function parseGoFloat(text: string): number {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

/** units.RAMInBytes: `512`, `512b`, `1.5g`, `10 MiB`; binary multiples. */
export function ramInBytes(size: string): number {
  let sep = -1;
  for (let i = size.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(size[i]!)) { sep = i; break; }
  }
  if (sep === -1) throw new Error(`invalid size: '${size}'`);
  const num = size[sep] === ' ' ? size.slice(0, sep) : size.slice(0, sep + 1);
  let sfx = size.slice(sep + 1);
  let value = parseGoFloat(num);
  if (value < 0) throw new Error(`invalid size: '${size}'`);
  if (sfx.length === 0) return Math.trunc(value);
  const bad = () => new Error(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(value);
  }
  const mul = BINARY_MULTIPLIERS[sfx[0]!];
  if (mul === undefined) throw bad();
  value *= mul;
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(value);
}

/** opts.ParseCPUs: a rational number of CPUs (`1.5`, `3/2`) as nano-CPUs. */
export function parseCpus(value: string): number {
  let num: bigint;
  let den: bigint;
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(value);
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (frac) {
    num = BigInt(frac[1]!);
    den = BigInt(frac[2]!);
    if (den === 0n) throw new Error(`failed to parse ${value} as a rational number`);
  } else if (dec && (dec[2] || dec[3])) {
    const digits = (dec[2] ?? '') + (dec[3] ?? '');
    let exp = -(dec[3]?.length ?? 0) + Number(dec[4] ?? 0);
    num = BigInt(digits || '0') * (dec[1] === '-' ? -1n : 1n);
    den = 1n;
    if (exp > 0) num *= 10n ** BigInt(exp);
    else if (exp < 0) den = 10n ** BigInt(-exp);
    exp = 0;
  } else {
    throw new Error(`failed to parse ${value} as a rational number`);
  }
  const nano = num * 1_000_000_000n;
  if (nano % den !== 0n) throw new Error('value is too precise');
  return Number(nano / den);
}

/** opts.ValidateEnv: `NAME=value`, or `NAME` taking the value from the client's environment. */
export function validateEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key === '') throw new Error(`invalid environment variable: ${value}`);
  if (eq >= 0) return value;
  const found = env[key];
  return found !== undefined ? `${key}=${found}` : value;
}

/** opts.ValidateLabel. */
export function validateLabel(value: string): string {
  const eq = value.indexOf('=');
  const key = (eq < 0 ? value : value.slice(0, eq)).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return value;
}

/** opts.ValidateIPAddress: the address in canonical form. */
export function validateIPAddress(value: string): string {
  const ip = value.trim();
  if (isIP(ip) === 4) return ip;
  if (isIP(ip) === 6) return canonicalIPv6(ip);
  throw new Error(`IP address is not correctly formatted: ${value}`);
}

function canonicalIPv6(ip: string): string {
  try {
    return new URL(`http://[${ip}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return ip;
  }
}

/** opts.ValidateExtraHost: `host:ip` or `host=ip` (brackets allowed), sent as `host:ip`. */
export function validateExtraHost(value: string): string {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const k = sep < 0 ? value : value.slice(0, sep);
  let v = sep < 0 ? '' : value.slice(sep + 1);
  if (sep < 0 || k === '' || k.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(value)}`);
  if (v !== 'host-gateway') {
    if (v.length > 2 && v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    if (isIP(v.trim()) === 0) throw new Error(`invalid IP address in add-host: ${JSON.stringify(v)}`);
  }
  return `${k}:${v}`;
}

/** validateAttach: stdin, stdout or stderr (any case). */
export function validateAttach(value: string): string {
  const s = value.toLowerCase();
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s;
  throw new Error('valid streams are STDIN, STDOUT and STDERR');
}

/** opts.ValidateSysctl. */
export function validateSysctl(value: string): string {
  const eq = value.indexOf('=');
  const key = eq < 0 ? '' : value.slice(0, eq);
  const allowed = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];
  if (eq < 0 || key === '' || !(allowed.includes(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))) {
    throw new Error(`sysctl '${value}' is not allowed`);
  }
  return value;
}

/** opts.ValidateDNSSearch. */
export function validateDnsSearch(value: string): string {
  const v = value.replace(/^ +| +$/g, '');
  if (v === '.') return v;
  const m = /^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)\.?\s*$/.exec(v);
  if (!/[a-zA-Z]/.test(v) || !m || m[1]!.length >= 255) throw new Error(`${v} is not a valid domain`);
  return m[1]!;
}

/** A `KEY=VALUE` list to a map (opts.ConvertKVStringsToMap). */
export function kvMap(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq < 0) out[value] = '';
    else out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

/**
 * kvfile.Parse: one variable per line, `#` comments, leading space trimmed; a name without
 * `=` takes its value from `lookup` (and is left out when that has none).
 */
export function parseKvFile(filename: string, lookup?: (key: string) => string | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(filename, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new Error(`open ${filename}: ${reason}`);
  }
  const lines: string[] = [];
  const rows = text.split('\n');
  if (rows[rows.length - 1] === '') rows.pop();
  for (let i = 0; i < rows.length; i++) {
    let raw = rows[i]!.replace(/\r$/, '');
    if (i === 0) raw = raw.replace(/^\uFEFF/, '');
    const line = raw.replace(/^\s+/, '');
    if (line.length === 0 || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    const fail = (why: string) => new Error(`invalid env file (${filename}): ${why}`);
    if (key.length === 0) throw fail(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw fail(`variable '${key}' contains whitespaces`);
    if (eq >= 0) {
      lines.push(line);
      continue;
    }
    const value = lookup?.(line);
    if (value !== undefined) lines.push(`${key}=${value}`);
  }
  return lines;
}

export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

/** opts.ParseRestartPolicy: `no`, `always`, `unless-stopped`, `on-failure[:N]` (names checked by the daemon). */
export function parseRestartPolicy(policy: string): RestartPolicy {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = policy.indexOf(':');
  const name = colon < 0 ? policy : policy.slice(0, colon);
  const count = colon < 0 ? '' : policy.slice(colon + 1);
  if (colon >= 0 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  let retries = 0;
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
    retries = Number.parseInt(count, 10);
  }
  return { Name: name, MaximumRetryCount: retries };
}

/** Go's encoding/csv for one record: commas, double-quoted fields with "" escapes. */
export function parseCsvRecord(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`parse error on line 1, column ${line.length + 1}: extraneous or missing " in quoted-field`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
    } else {
      while (i < line.length && line[i] !== ',') {
        if (line[i] === '"') throw new Error(`parse error on line 1, column ${i + 1}: bare " in non-quoted-field`);
        field += line[i++];
      }
    }
    fields.push(field);
    if (i >= line.length) break;
    i++; // the comma
  }
  return fields;
}

function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

export interface MountSpec {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels: Record<string, string>; Subpath?: string; DriverConfig: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
  ImageOptions?: { Subpath?: string };
}

/** opts.MountOpt.Set: `type=bind,source=/x,target=/y,readonly`. */
export function parseMount(value: string, cwd = process.cwd()): MountSpec {
  const fields = parseCsvRecord(value);
  const mount: MountSpec = { Type: 'volume' };
  const volumeOptions = () => {
    mount.VolumeOptions ??= { Labels: {}, DriverConfig: {} };
    return mount.VolumeOptions;
  };
  const bindOptions = () => (mount.BindOptions ??= {});
  const tmpfsOptions = () => (mount.TmpfsOptions ??= {});
  const setOnMap = (target: Record<string, string>, v: string) => {
    const eq = v.indexOf('=');
    const k = eq < 0 ? v : v.slice(0, eq);
    if (k !== '') target[k] = eq < 0 ? '' : v.slice(eq + 1);
  };
  const bool = (key: string, val: string, message = `invalid value for ${key}: ${val}`) => {
    const b = parseGoBool(val);
    if (b === undefined) throw new Error(message);
    return b;
  };
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') { mount.ReadOnly = true; continue; }
      if (key === 'volume-nocopy') { volumeOptions().NoCopy = true; continue; }
      if (key === 'bind-nonrecursive') { bindOptions().NonRecursive = true; continue; }
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type': mount.Type = val.toLowerCase(); break;
      case 'source': case 'src':
        mount.Source = !val.startsWith('/') && val.startsWith('.') ? resolvePath(cwd, val) : val;
        break;
      case 'target': case 'dst': case 'destination': mount.Target = val; break;
      case 'readonly': case 'ro': mount.ReadOnly = bool(key, val); break;
      case 'consistency': mount.Consistency = val.toLowerCase(); break;
      case 'bind-propagation': bindOptions().Propagation = val.toLowerCase(); break;
      case 'bind-nonrecursive': bindOptions().NonRecursive = bool(key, val); break;
      case 'bind-recursive':
        if (val === 'enabled') break;
        if (val === 'disabled') bindOptions().NonRecursive = true;
        else if (val === 'writable') bindOptions().ReadOnlyNonRecursive = true;
        else if (val === 'readonly') bindOptions().ReadOnlyForceRecursive = true;
        else throw new Error(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
        break;
      case 'volume-subpath': volumeOptions().Subpath = val; break;
      case 'volume-nocopy': volumeOptions().NoCopy = bool(key, val, `invalid value for volume-nocopy: ${val}`); break;
      case 'volume-label': setOnMap(volumeOptions().Labels, val); break;
      case 'volume-driver': volumeOptions().DriverConfig.Name = val; break;
      case 'volume-opt': setOnMap(volumeOptions().DriverConfig.Options ??= {}, val); break;
      case 'image-subpath': (mount.ImageOptions ??= {}).Subpath = val; break;
      case 'tmpfs-size':
        try {
          tmpfsOptions().SizeBytes = ramInBytes(val);
        } catch {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val) || Number.parseInt(val, 8) > 0xffffffff) throw new Error(`invalid value for ${key}: ${val}`);
        tmpfsOptions().Mode = Number.parseInt(val, 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (mount.Type === '') throw new Error('type is required');
  if (!mount.Target) throw new Error('target is required');
  if (mount.VolumeOptions && mount.Type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${mount.Type}'`);
  if (mount.ImageOptions && mount.Type !== 'image') throw new Error(`cannot mix 'image-*' options with mount type '${mount.Type}'`);
  if (mount.BindOptions && mount.Type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${mount.Type}'`);
  if (mount.TmpfsOptions && mount.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${mount.Type}'`);
  if (mount.BindOptions?.ReadOnlyNonRecursive && !mount.ReadOnly) throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  if (mount.BindOptions?.ReadOnlyForceRecursive) {
    if (!mount.ReadOnly) throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (mount.BindOptions.Propagation !== 'rprivate') throw new Error("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction");
  }
  return mount;
}

export interface VolumeSpec {
  type: 'bind' | 'volume';
  source: string;
  target: string;
}

/** The compose loader's ParseVolume, as `-v` uses it to tell binds from anonymous volumes. */
export function parseVolumeSpec(spec: string): VolumeSpec {
  if (spec.length === 0) throw new Error('invalid empty volume spec');
  if (spec.length <= 2) return { type: 'volume', source: '', target: spec };
  let source = '';
  let target = '';
  let buffer = '';
  const chars = [...spec, '\0'];
  for (const ch of chars) {
    const end = ch === '\0';
    if (ch === ':' && [...buffer].length === 1 && /\p{L}/u.test(buffer)) { buffer += ch; continue; }
    if (ch === ':' || end) {
      if (buffer.length === 0) throw new Error(`invalid spec: ${spec}: empty section between colons`);
      if (source === '' && end) target = buffer;
      else if (source === '') source = buffer;
      else if (target === '') target = buffer;
      else if (ch === ':') throw new Error(`invalid spec: ${spec}: too many colons`);
      buffer = '';
      continue;
    }
    buffer += ch;
  }
  const isFilePath = (s: string) => '.~/'.includes(s[0]!) || s.startsWith('\\\\') || (/^\p{L}:/u.test(s) && [...s].length > 1);
  return { type: source !== '' && isFilePath(source) ? 'bind' : 'volume', source, target };
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** units.ParseUlimit: `nofile=1024[:2048]`. */
export function parseUlimit(value: string): Ulimit {
  const eq = value.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  const known = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];
  if (!known.includes(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = value.slice(eq + 1).split(':');
  if (parts.length > 2) throw new Error(`too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const num = (s: string) => {
    if (!/^-?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
    return Number(s);
  };
  const soft = num(parts[0]!);
  const hard = parts.length === 2 ? num(parts[1]!) : soft;
  if (soft > hard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

/** nat.ParsePortSpecs for `-p [ip:][hostPort:]containerPort[/proto]` and `--expose`. */
export function parsePortSpecs(specs: readonly string[]): { exposed: Record<string, object>; bindings: Record<string, { HostIp: string; HostPort: string }[]> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const raw of specs) {
    let ip = '';
    let hostPort = '';
    let containerPart: string;
    const lastColon = raw.lastIndexOf(':');
    if (lastColon < 0) {
      containerPart = raw;
    } else {
      containerPart = raw.slice(lastColon + 1);
      const rest = raw.slice(0, lastColon);
      const ipEnd = rest.lastIndexOf(':');
      if (ipEnd < 0) hostPort = rest;
      else {
        ip = rest.slice(0, ipEnd).replace(/^\[|\]$/g, '');
        hostPort = rest.slice(ipEnd + 1);
      }
    }
    if (ip !== '' && isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`);
    const slash = containerPart.indexOf('/');
    const proto = slash < 0 ? 'tcp' : containerPart.slice(slash + 1).toLowerCase();
    const port = slash < 0 ? containerPart : containerPart.slice(0, slash);
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`);
    if (port === '') throw new Error(`no port specified: ${raw}<empty>`);
    const [start, end] = portRange(port, 'invalid containerPort');
    let hostStart = 0;
    let hostEnd = 0;
    if (hostPort !== '') [hostStart, hostEnd] = portRange(hostPort, 'invalid hostPort');
    if (hostPort !== '' && hostEnd - hostStart !== end - start && hostEnd !== hostStart) {
      throw new Error(`invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
    }
    for (let i = 0; i <= end - start; i++) {
      const key = `${start + i}/${proto}`;
      exposed[key] = {};
      let hp = '';
      if (hostPort !== '') hp = hostEnd !== hostStart && hostEnd - hostStart === end - start ? String(hostStart + i) : hostStart === hostEnd ? String(hostStart) : `${hostStart}-${hostEnd}`;
      (bindings[key] ??= []).push({ HostIp: ip, HostPort: hp });
    }
  }
  return { exposed, bindings };
}

function portRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new Error(`${what}: ${text}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) throw new Error(`${what}: ${text}`);
  return [start, end];
}
