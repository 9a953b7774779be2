import type { ImageService, ImageRecord } from '../../images/index.js';
import { inspectImage } from '../../images/index.js';
import type { ImageInspect } from '../types/index.js';

/**
 * Docker's container.Config key order, and the keys API versions before 1.50 always send
 * (with these empty values) even when the image does not set them.
 */
const CONFIG_FIELDS: [string, unknown][] = [
  ['Hostname', ''], ['Domainname', ''], ['User', ''], ['AttachStdin', false], ['AttachStdout', false],
  ['AttachStderr', false], ['ExposedPorts', undefined], ['Tty', false], ['OpenStdin', false], ['StdinOnce', false],
  ['Env', null], ['Cmd', null], ['Healthcheck', undefined], ['ArgsEscaped', undefined], ['Image', ''],
  ['Volumes', null], ['WorkingDir', ''], ['Entrypoint', null], ['NetworkDisabled', undefined],
  ['MacAddress', undefined], ['OnBuild', null], ['Labels', null], ['StopSignal', undefined],
  ['StopTimeout', undefined], ['Shell', undefined],
];

/** The image's config in Docker's field order, with the always-present keys of older APIs. */
function legacyConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, empty] of CONFIG_FIELDS) {
    const value = config[key];
    if (value !== undefined) out[key] = value;
    else if (empty !== undefined) out[key] = empty;
  }
  for (const [key, value] of Object.entries(config)) if (!(key in out)) out[key] = value;
  return out;
}

/** `GET /images/{name}/json` as API `version` shapes it. */
export async function inspectForVersion(service: ImageService, record: ImageRecord, before: (v: string) => boolean): Promise<Record<string, unknown>> {
  const view: ImageInspect = (await inspectImage(service, record)) as unknown as ImageInspect;
  const config = before('1.50') ? legacyConfig(view.Config) : view.Config;
  const out: Record<string, unknown> = {
    Id: view.Id,
    RepoTags: view.RepoTags,
    RepoDigests: view.RepoDigests,
    Parent: view.Parent,
    Comment: view.Comment,
    Created: view.Created,
  };
  if (before('1.45')) {
    out.Container = '';
    out.ContainerConfig = legacyConfig({});
  }
  out.DockerVersion = view.DockerVersion;
  out.Author = view.Author;
  out.Config = config;
  out.Architecture = view.Architecture;
  if (view.Variant) out.Variant = view.Variant;
  out.Os = view.Os;
  out.Size = view.Size;
  if (before('1.44')) out.VirtualSize = view.Size;
  out.GraphDriver = view.GraphDriver;
  out.RootFS = view.RootFS;
  out.Metadata = view.Metadata;
  return out;
}
