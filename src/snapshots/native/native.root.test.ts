import { needsRoot } from '../../../test/support/privileged.js';
import { runSnapshotterSuite } from '../testsuite/index.js';
import { NativeSnapshotter } from './native-snapshotter.js';

runSnapshotterSuite('native', (root) => new NativeSnapshotter(root), { needs: needsRoot });
