export { runSnapshotterSuite } from './snapshotter-suite.js';
export { snapshotterTests, withMountsAt, type MakeSnapshotter, type SnapshotterTest, type SnapshotterTestContext, type SuiteOptions } from './harness.js';
export { treeFacts, type EntryFacts } from './tree-facts.js';
