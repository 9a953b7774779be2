import { stat, mkdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { InvalidArgumentError, errnoCode } from '../base/index.js';
import type { VolumeService } from '../volumes/index.js';
import type { HostConfig, MountPoint } from './container-record.js';

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

/**
 * Resolves a create request's `Binds` (`-v`), `Mounts` (`--mount`), `Tmpfs` (`--tmpfs`) and
 * the image's VOLUMEs into the container's mounts, creating named and anonymous volumes and
 * missing `-v` host directories as Docker does. Errors use Docker's wording.
 */
export async function resolveMounts(
  hostConfig: HostConfig,
  imageVolumes: Record<string, object> | null,
  volumes: VolumeService,
): Promise<MountPoint[]> {
  const mounts: MountPoint[] = [];
  const taken = new Set<string>();
  const add = (m: MountPoint) => {
    const dest = posix.normalize(m.Destination);
    if (taken.has(dest)) throw new InvalidArgumentError(`Duplicate mount point: ${dest}`);
    taken.add(dest);
    mounts.push({ ...m, Destination: dest });
  };

  for (const spec of hostConfig.Binds ?? []) add(await parseBind(spec, volumes));
  for (const m of hostConfig.Mounts ?? []) {
    const target = m.Target;
    if (!target || !target.startsWith('/')) {
      throw new InvalidArgumentError(`invalid mount config for type "${m.Type}": invalid mount path: '${target ?? ''}' mount path must be absolute`);
    }
    if (m.Type === 'bind') {
      if (!m.Source) throw new InvalidArgumentError(`invalid mount config for type "bind": field Source must not be empty`);
      if (!(await exists(m.Source))) {
        if (!m.BindOptions?.CreateMountpoint) throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
        await mkdir(m.Source, { recursive: true });
      }
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      if (!PROPAGATIONS.has(propagation)) throw new InvalidArgumentError(`invalid propagation mode: ${propagation}`);
      add({ Type: 'bind', Source: m.Source, Destination: target, Mode: '', RW: !m.ReadOnly, Propagation: propagation });
    } else if (m.Type === 'volume') {
      const volume = await volumes.create({ name: m.Source || undefined, labels: m.VolumeOptions?.Labels });
      add({
        Type: 'volume', Name: volume.Name, Source: volume.Mountpoint, Destination: target, Driver: 'local', Mode: 'z',
        RW: !m.ReadOnly, Propagation: '', CopyImageContent: !m.VolumeOptions?.NoCopy,
      });
    } else if (m.Type === 'tmpfs') {
      if (m.Source) throw new InvalidArgumentError(`invalid mount config for type "tmpfs": field Source must not be specified`);
      const opts: string[] = [];
      if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
      if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      add({ Type: 'tmpfs', Source: '', Destination: target, Mode: '', RW: !m.ReadOnly, Propagation: '', TmpfsOptions: opts.join(',') });
    } else {
      throw new InvalidArgumentError(`invalid mount config: mount type unknown: "${(m as { Type: string }).Type}"`);
    }
  }
  for (const [target, options] of Object.entries(hostConfig.Tmpfs ?? {})) {
    if (!target.startsWith('/')) throw new InvalidArgumentError(`invalid mount path: '${target}' mount path must be absolute`);
    const opts = options.split(',').filter((o) => o !== '');
    const ro = opts.includes('ro');
    add({ Type: 'tmpfs', Source: '', Destination: target, Mode: '', RW: !ro, Propagation: '', TmpfsOptions: opts.filter((o) => o !== 'ro' && o !== 'rw').join(',') });
  }
  // Image VOLUMEs not covered by the request get an anonymous volume each.
  for (const target of Object.keys(imageVolumes ?? {}).sort()) {
    if (taken.has(posix.normalize(target))) continue;
    const volume = await volumes.create({});
    add({ Type: 'volume', Name: volume.Name, Source: volume.Mountpoint, Destination: target, Driver: 'local', Mode: '', RW: true, Propagation: '', CopyImageContent: true });
  }
  return mounts;
}

/** `-v [src:]dst[:opts]`: a host path (absolute) binds, a name (or nothing) is a volume. */
async function parseBind(spec: string, volumes: VolumeService): Promise<MountPoint> {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid volume specification: '${spec}'`);
  let source = '';
  let target: string;
  let options = '';
  if (parts.length === 1) {
    target = parts[0]!;
  } else if (parts.length === 2 && !parts[1]!.startsWith('/') && parts[0]!.startsWith('/') && isModeList(parts[1]!)) {
    [target, options] = [parts[0]!, parts[1]!];
  } else {
    [source, target, options = ''] = parts as [string, string, string?];
  }
  if (!target.startsWith('/')) {
    throw new InvalidArgumentError(`invalid volume specification: '${spec}': invalid mount config for type "${source.startsWith('/') ? 'bind' : 'volume'}": invalid mount path: '${target}' mount path must be absolute`);
  }
  const modes = options === '' ? [] : options.split(',');
  if (!modes.every((m) => isMode(m))) throw new InvalidArgumentError(`invalid mode: ${options}`);
  const rw = !modes.includes('ro');
  if (source.startsWith('/')) {
    // Docker's -v creates a missing host directory (unlike --mount).
    if (!(await exists(source))) await mkdir(source, { recursive: true });
    const propagation = modes.find((m) => PROPAGATIONS.has(m)) ?? 'rprivate';
    return { Type: 'bind', Source: source, Destination: target, Mode: options, RW: rw, Propagation: propagation };
  }
  const volume = await volumes.create({ name: source || undefined });
  return {
    Type: 'volume', Name: volume.Name, Source: volume.Mountpoint, Destination: target, Driver: 'local',
    Mode: options || (source ? 'z' : ''), RW: rw, Propagation: '', CopyImageContent: !modes.includes('nocopy'),
  };
}

function isMode(m: string): boolean {
  return m === 'ro' || m === 'rw' || m === 'z' || m === 'Z' || m === 'nocopy' || PROPAGATIONS.has(m);
}

function isModeList(s: string): boolean {
  return s.split(',').every(isMode);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
