import { join, posix } from 'node:path';
import { mergeEnv } from '../runtime/index.js';
import { chompHeredocContent, parseHeredocWord, type RunInstruction } from './dockerfile/index.js';
import { RunStepFailedError } from './build-errors.js';
import type { BuildEvent } from './build-request.js';
import { cachedStep, commitStepImage, newContainerId, topChain, type BuildSession, type StageState } from './build-session.js';
import { resolveCommandLine } from './config-instructions.js';
import { ensureDirectoryInRoot } from './rootfs-paths.js';
import { runContainer } from './run-container.js';
import { removeRuntimeMountPoints, surveyMountPoints } from './runtime-mount-points.js';
import { StepRootfs } from './step-rootfs.js';

/**
 * RUN's argv, heredocs included the way BuildKit runs them: a lone heredoc is the script
 * (run from a file when it starts with `#!`), anything more complex goes to the shell whole.
 */
function commandOf(run: RunInstruction, state: StageState): { argv: string[]; script?: { name: string; data: string } } {
  const { command } = run;
  if (command.files.length === 0 || !command.prependShell || command.args.length !== 1) {
    return { argv: resolveCommandLine(command, state.config) };
  }
  const first = command.files[0]!;
  if (parseHeredocWord(command.args[0]!.trim())) {
    const data = first.chomp ? chompHeredocContent(first.data) : first.data;
    if (data.startsWith('#!')) return { argv: [posix.join('/dev/pipes', first.name)], script: { name: first.name, data } };
    return { argv: resolveCommandLine({ ...command, args: [data] }, state.config) };
  }
  let full = command.args[0]!;
  for (const file of command.files) full += `\n${file.data}${file.name}`;
  return { argv: resolveCommandLine({ ...command, args: [full] }, state.config) };
}

/**
 * RUN: the command runs in a runc container on the step's snapshot with the stage's env
 * (plus its build args), user, working directory and SHELL; its output streams as it comes;
 * a non-zero exit fails the build with Docker's message; otherwise the upper dir becomes the
 * step's layer. History (and the cache key) record `|N ARG=v … cmd` when build args are in
 * play, as Docker does.
 */
export async function* runStep(session: BuildSession, state: StageState, run: RunInstruction): AsyncGenerator<BuildEvent> {
  const { argv, script } = commandOf(run, state);
  const argEnv = state.buildArgs.filterAllowed(state.config.Env ?? []);
  let saved = argv;
  if (argEnv.length > 0) {
    const shown = argEnv.filter((e) => state.buildArgs.isReferencedOrNotBuiltin(e.slice(0, e.indexOf('='))));
    saved = [`|${shown.length}`, ...shown, ...argv];
  }
  const createdBy = saved.join(' ');

  yield* cachedStep(session, state, { parent: state.imageId, createdBy, extra: script ? `script:${script.data}` : undefined }, async function* () {
    const containerId = newContainerId();
    yield { type: 'container-started', containerId };
    const step = await StepRootfs.prepare(session.images, topChain(state), session.scratchDir);
    let commit;
    let committed = false;
    // finally, not catch: a consumer that stops iterating ends this generator at a yield.
    try {
      const workdir = state.config.WorkingDir ? posix.normalize(state.config.WorkingDir) : '/';
      if (workdir !== '/') await ensureDirectoryInRoot(step.rootfs, workdir, { uid: 0, gid: 0 });
      const survey = await surveyMountPoints(step.rootfs);
      const output = runContainer({
        runcPath: session.runc.path,
        runcRoot: session.runc.root,
        bundleDir: join(session.scratchDir, `bundle-${containerId.slice(0, 12)}`),
        containerId,
        rootfs: step.rootfs,
        args: argv,
        env: mergeEnv(state.config.Env ?? [], argEnv),
        cwd: workdir,
        user: state.config.User ?? '',
        network: session.network,
        bindEtcFiles: survey.etcBindable,
        ...(script ? { script } : {}),
        ...(session.signal ? { signal: session.signal } : {}),
      });
      let exitCode: number;
      try {
        let next = await output.next();
        while (!next.done) {
          yield { type: 'output', stream: next.value.stream, text: next.value.text };
          next = await output.next();
        }
        exitCode = next.value;
      } finally {
        await output.return(-1); // deletes the container if the run was cut short
      }
      if (exitCode !== 0) throw new RunStepFailedError(argv, exitCode, run.startLine, run.endLine);
      commit = await step.commit(session.lease, (upper) => removeRuntimeMountPoints(upper, survey));
      committed = true;
    } finally {
      if (!committed) await step.discard();
    }
    if (session.announceRemoval) yield { type: 'container-removed', containerId };
    return commitStepImage(session, state, createdBy, commit);
  });
}
