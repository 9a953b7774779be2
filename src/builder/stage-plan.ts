import { InvalidArgumentError } from '../base/index.js';
import type { BuildStage, ParsedDockerfile } from './dockerfile/index.js';

/** The stages a build runs, in file order, with their index in the Dockerfile. */
export interface PlannedStage {
  readonly index: number;
  readonly stage: BuildStage;
}

/**
 * Which stages to build: the target (by name; the last stage without one) and, transitively,
 * the stages it needs — a FROM naming an earlier stage, a `COPY --from` naming one or giving
 * its index. Stages nothing needs are skipped. `baseNameOf` expands a FROM's image name with
 * the meta args, since `FROM ${BASE}` may name a stage too.
 */
export function planStages(parsed: ParsedDockerfile, target: string | undefined, baseNameOf: (stage: BuildStage) => string): PlannedStage[] {
  const stages = parsed.stages;
  const byName = new Map<string, number>();
  stages.forEach((stage, index) => { if (stage.name !== '' && !byName.has(stage.name)) byName.set(stage.name, index); });

  let targetIndex = stages.length - 1;
  if (target !== undefined && target !== '') {
    const found = byName.get(target.toLowerCase());
    if (found === undefined) throw new InvalidArgumentError(`failed to reach build target ${target} in Dockerfile`);
    targetIndex = found;
  }

  const stageRef = (name: string, before: number): number | undefined => {
    const named = byName.get(name.toLowerCase());
    if (named !== undefined && named < before) return named;
    if (/^\d+$/.test(name) && Number(name) < before) return Number(name);
    return undefined;
  };

  const needed = new Set<number>();
  const visit = (index: number) => {
    if (needed.has(index)) return;
    needed.add(index);
    const stage = stages[index]!;
    const base = byName.get(baseNameOf(stage).toLowerCase());
    if (base !== undefined && base < index) visit(base);
    for (const command of stage.commands) {
      if (command.kind !== 'copy' || command.from === '') continue;
      const ref = stageRef(command.from, index);
      if (ref !== undefined) visit(ref);
    }
  };
  visit(targetIndex);
  return [...needed].sort((a, b) => a - b).map((index) => ({ index, stage: stages[index]! }));
}
