import { rm, writeFile } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { displayJsonMessages, engineStream, JsonStreamError, type QueryValue } from '../../api/client/index.js';
import type { CommandSpec, CommandContext, Options } from '../parser/command.js';
import { StatusError } from '../parser/command.js';
import { prepareContext } from '../build/build-context.js';
import { buildArgsMap, goJsonMap, labelsMap, validateBuildArg, validateLabel, validateTag } from '../build/build-options.js';
import { UploadProgress } from '../build/upload-progress.js';

/**
 * `strata build`: docker's classic build client (DOCKER_BUILDKIT=0). The context directory
 * goes to `POST /build` as a streamed tar with `.dockerignore` applied; the daemon's JSON
 * stream is printed as it comes. A failed step exits with the status the daemon gives it
 * (a RUN's exit code), other failures with 1; bad flag values with 125.
 */
export const buildCommand: CommandSpec = {
  name: 'build',
  usage: '[OPTIONS] PATH | -',
  short: 'Build an image from a Dockerfile',
  aliasLine: 'strata image build, strata build',
  args: { kind: 'exact', n: 1 },
  flags: [
    { name: 'build-arg', type: 'stringArray', valueName: 'list', description: 'Set build-time variables', validate: (v) => validateBuildArg(v) },
    { name: 'compress', type: 'bool', description: 'Compress the build context using gzip' },
    { name: 'file', short: 'f', type: 'string', description: 'Name of the Dockerfile (Default is "PATH/Dockerfile")' },
    { name: 'force-rm', type: 'bool', description: 'Always remove intermediate containers' },
    { name: 'iidfile', type: 'string', description: 'Write the image ID to the file' },
    { name: 'label', type: 'stringArray', valueName: 'list', description: 'Set metadata for an image', validate: validateLabel },
    { name: 'network', type: 'string', default: 'default', description: 'Set the networking mode for the RUN instructions during build' },
    { name: 'no-cache', type: 'bool', description: 'Do not use cache when building the image' },
    { name: 'pull', type: 'bool', description: 'Always attempt to pull a newer version of the image' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the build output and print image ID on success' },
    { name: 'rm', type: 'bool', default: true, description: 'Remove intermediate containers after a successful build' },
    { name: 'tag', short: 't', type: 'stringArray', valueName: 'list', description: 'Name and optionally a tag in the "name:tag" format', validate: validateTag },
    { name: 'target', type: 'string', description: 'Set the target build stage to build.' },
  ],
  async run(ctx, o, args) {
    await runBuild(ctx, o, args[0]!);
  },
};

async function runBuild(ctx: CommandContext, o: Options, context: string): Promise<void> {
  const quiet = o.bool('quiet');
  // With -q, progress and build output are kept, and shown (on stderr) only if the build fails.
  let progressText = '';
  let buildText = '';
  const progressOut = quiet ? (text: string) => { progressText += text; } : (text: string) => ctx.out(text);
  const buildOut = quiet ? (text: string) => { buildText += text; } : (text: string) => ctx.out(text);
  const showBuffered = () => { if (quiet) ctx.err(progressText + buildText); };

  const iidfile = o.string('iidfile');
  if (iidfile !== '') {
    // No stale file is left behind if the build fails.
    await rm(iidfile).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw new StatusError(1, `Removing image ID file: ${err.message}`);
    });
  }

  const prepared = await prepareContext({
    context,
    dockerfile: o.string('file'),
    stdin: ctx.stdin,
    onSkipped: (path, err) => ctx.err(`Can't add file ${path} to tar: ${err.message}\n`),
  });

  const abort = new AbortController();
  let uploadError: Error | undefined;
  let uploaded = false;
  const progress = new UploadProgress(progressOut, (ctx.stdout as { isTTY?: boolean }).isTTY === true);
  const stages: (Readable | NodeJS.ReadWriteStream)[] = [prepared.body];
  if (o.bool('compress')) stages.push(createGzip());
  stages.push(progress);
  pipeline(stages as [Readable, ...NodeJS.ReadWriteStream[]], (err) => {
    if (err && !uploaded) {
      uploadError = err;
      abort.abort();
    }
  });
  progress.once('end', () => { uploaded = true; });
  // A daemon that answered without reading the whole context: stop sending it.
  const stopUpload = () => {
    if (uploaded) return;
    uploaded = true;
    abort.abort();
  };

  const query: Record<string, QueryValue> = {
    t: o.strings('tag'),
    dockerfile: prepared.dockerfile || undefined,
    q: quiet,
    nocache: o.bool('no-cache'),
    rm: o.bool('rm') ? undefined : '0',
    forcerm: o.bool('force-rm'),
    pull: o.bool('pull'),
    networkmode: o.string('network') !== 'default' ? o.string('network') : undefined,
    target: o.string('target') || undefined,
    version: '1',
  };
  const buildArgs = o.strings('build-arg');
  if (buildArgs.length > 0) query.buildargs = goJsonMap(buildArgsMap(buildArgs));
  const labels = o.strings('label');
  if (labels.length > 0) query.labels = goJsonMap(labelsMap(labels));

  let response: Readable;
  try {
    response = await engineStream(ctx.host, {
      method: 'POST',
      path: '/build',
      query,
      body: progress,
      headers: { 'Content-Type': 'application/x-tar', 'X-Registry-Config': 'e30=' },
      signal: abort.signal,
    });
  } catch (err) {
    if (uploadError) throw new StatusError(1, `error sending build context: ${uploadError.message}`);
    stopUpload();
    showBuffered();
    throw err;
  }

  let imageId = '';
  try {
    await displayJsonMessages(response, buildOut, (aux) => {
      const id = (aux as { ID?: unknown } | null)?.ID;
      imageId = typeof id === 'string' ? id : '';
    });
  } catch (err) {
    if (err instanceof JsonStreamError) {
      showBuffered();
      throw new StatusError(err.code || 1, err.message);
    }
    if (uploadError) throw new StatusError(1, `error sending build context: ${uploadError.message}`);
    throw err;
  } finally {
    stopUpload();
  }

  if (quiet) {
    // The daemon's only output with -q is the image ID line; docker prints (and writes) it as is.
    imageId = buildText;
    ctx.out(buildText);
  }
  if (iidfile !== '') {
    if (imageId === '') throw new StatusError(1, `Server did not provide an image ID. Cannot write ${iidfile}`);
    await writeFile(iidfile, imageId, { mode: 0o666 });
  }
}
