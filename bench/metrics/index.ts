import type { Scenario } from '../scenario.js';
import type { MetricSpec } from '../model.js';
import { daemonIdleScenario, daemonEndScenario } from './daemon.js';
import { seedScenario } from './seed.js';
import { latencyScenario } from './latency.js';
import { scaleScenario } from './scale.js';
import { storageScenario, storeSizeScenario } from './storage.js';
import { copyUpScenario } from './copy-up.js';
import { changesScenario } from './changes.js';
import { buildScenario, buildContextScenario } from './build.js';
import { saveLoadScenario, pushPullScenario } from './image-transfer.js';

/**
 * Every scenario in the order they run. The store is measured before the builds (which leave
 * images and cache behind) and the daemon's memory last, after everything else has been removed.
 */
export function allScenarios(scaleCounts: number[], seedImageMode: 'build' | 'import'): Scenario[] {
  return [
    daemonIdleScenario,
    seedScenario(seedImageMode),
    latencyScenario,
    ...scaleCounts.map(scaleScenario),
    storageScenario,
    copyUpScenario,
    changesScenario,
    storeSizeScenario,
    buildScenario,
    buildContextScenario,
    saveLoadScenario,
    pushPullScenario,
    daemonEndScenario,
  ];
}

/** The metrics a run with these options reports (before --only). */
export function metricCatalogue(quick: boolean, scaleCounts: number[]): MetricSpec[] {
  return allScenarios(scaleCounts, 'import').flatMap((s) => s.metrics).filter((m) => !(quick && m.fullOnly));
}
