import { InvalidArgumentError, NotFoundError, type Digest } from '../base/index.js';
import { type ImageConfig } from '../oci/index.js';
import {
  envFromList, envFromRecord, expandInstruction, parseOnbuildTrigger, type ArgInstruction, type BuildStage, type Instruction,
} from './dockerfile/index.js';
import type { BuildArgs } from './build-args.js';
import { atInstruction } from './build-errors.js';
import type { BuildEvent } from './build-request.js';
import { expansionEnv, imageLayers, scratchPlatform, type BuildSession, type StageResult, type StageState } from './build-session.js';
import { applyConfigInstruction, copyConfig, isConfigInstruction, nopCreatedBy } from './config-instructions.js';
import { copyStep } from './copy-step.js';
import { metadataStep, workdirStep } from './metadata-step.js';
import { runStep } from './run-step.js';

/** Docker's default PATH, added to a stage's env when its base image sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `ARG a=1 b`: each name declared (defaults expanded), and Docker's `ARG a=1 b` history comment. */
export function declareArgs(args: ArgInstruction, declare: (key: string, value: string | undefined) => void): string {
  const parts: string[] = [];
  for (const arg of args.args) {
    declare(arg.key, arg.value);
    parts.push(arg.value === undefined ? arg.key : `${arg.key}=${arg.value}`);
  }
  return `ARG ${parts.join(' ')}`;
}

/** One instruction of a stage (or an ONBUILD trigger), expanded with the stage's variables. */
async function* dispatch(session: BuildSession, state: StageState, instruction: Instruction): AsyncGenerator<BuildEvent> {
  session.signal?.throwIfAborted();
  try {
    const expanded = expandInstruction(instruction, { env: envFromList(expansionEnv(state)), escapeToken: session.escapeToken });
    if (expanded.kind === 'arg') {
      const comment = declareArgs(expanded, (key, value) => state.buildArgs.addArg(key, value));
      yield* metadataStep(session, state, nopCreatedBy(state.config, { comment, commentStyle: 'spaced' }));
    } else if (isConfigInstruction(expanded)) {
      const change = applyConfigInstruction(state, expanded);
      if (change.note) yield { type: 'message', text: change.note };
      const createdBy = nopCreatedBy(state.config, change);
      if (expanded.kind === 'workdir') yield* workdirStep(session, state, createdBy);
      else yield* metadataStep(session, state, createdBy);
    } else if (expanded.kind === 'run') {
      yield* runStep(session, state, expanded);
    } else if (expanded.kind === 'copy' || expanded.kind === 'add') {
      yield* copyStep(session, state, expanded);
    } else {
      throw new InvalidArgumentError(`${instruction.keyword} is not allowed here`);
    }
  } catch (err) {
    throw atInstruction(instruction, err);
  }
}

/** The image a FROM names: an earlier stage, `scratch`, or a local image. */
async function resolveBase(session: BuildSession, baseName: string, stageIndex: number): Promise<{ imageId?: Digest; config?: ImageConfig; layers: StageResult['layers'] }> {
  const stage = session.stageNames.get(baseName.toLowerCase());
  if (stage !== undefined && stage < stageIndex) {
    const result = session.stageResults.get(stage);
    if (!result) throw new InvalidArgumentError(`stage ${baseName} was not built`);
    return { ...(result.imageId ? { imageId: result.imageId } : {}), ...(result.config ? { config: result.config } : {}), layers: result.layers };
  }
  if (baseName === 'scratch') return { layers: [] };
  const record = session.images.tryResolve(baseName);
  if (!record) {
    throw new NotFoundError(`pull access denied for ${baseName}: no such image here, and pulling from a registry is not available yet`);
  }
  await session.images.unpack(record.id, session.lease);
  return { imageId: record.id, config: await session.images.config(record.id), layers: await imageLayers(session.images, record.id) };
}

export interface StageRun {
  stage: BuildStage;
  index: number;
  /** Numbers each instruction's `Step n/total` line. */
  nextStep: (instruction: Instruction) => BuildEvent;
  /** Build args carried from the meta args (a copy is made for the stage). */
  buildArgs: BuildArgs;
  /** Extra instructions after the stage's own (the `--label` step). */
  extra: readonly Instruction[];
}

/**
 * Builds one stage: FROM (with the base image's ONBUILD triggers), then each instruction,
 * printing ` ---> <id>` after each the way the classic builder does. Returns the stage's
 * result for later stages and the final tag.
 */
export async function* buildStage(session: BuildSession, run: StageRun): AsyncGenerator<BuildEvent, StageResult> {
  const { stage, index } = run;
  yield run.nextStep(stage.from);
  const buildArgs = run.buildArgs;
  let state: StageState;
  try {
    const from = expandInstruction(stage.from, { env: envFromRecord(Object.fromEntries(buildArgs.metaValues())), escapeToken: session.escapeToken });
    const base = await resolveBase(session, from.baseName, index);
    state = {
      index,
      imageId: base.imageId,
      layers: base.layers,
      history: [...(base.config?.history ?? [])],
      platform: base.config
        ? { architecture: base.config.architecture, os: base.config.os, ...(base.config.variant ? { variant: base.config.variant } : {}) }
        : scratchPlatform(),
      config: copyConfig(base.config?.config),
      cmdSet: false,
      buildArgs,
    };
  } catch (err) {
    throw atInstruction(stage.from, err);
  }
  if (!(state.config.Env ?? []).some((e) => e.startsWith('PATH='))) state.config.Env = [...(state.config.Env ?? []), `PATH=${DEFAULT_PATH}`];

  const triggers = state.config.OnBuild ?? [];
  if (triggers.length > 0) {
    delete state.config.OnBuild;
    yield { type: 'triggers', count: triggers.length };
    for (const expression of triggers) {
      let trigger: Instruction;
      try {
        trigger = parseOnbuildTrigger(expression, stage.from);
      } catch (err) {
        throw atInstruction(stage.from, err);
      }
      // A trigger's errors belong to the FROM that ran it.
      try {
        yield* dispatch(session, state, trigger);
      } catch (err) {
        throw atInstruction(stage.from, err);
      }
    }
  }
  yield { type: 'step-image', imageId: state.imageId };

  for (const instruction of [...stage.commands, ...run.extra]) {
    yield run.nextStep(instruction);
    yield* dispatch(session, state, instruction);
    yield { type: 'step-image', imageId: state.imageId };
  }
  const config = state.imageId ? await session.images.config(state.imageId) : undefined;
  return { imageId: state.imageId, config, layers: state.layers };
}
