// The dependency direction of DESIGN.md: a module may import the modules above it in LAYERS,
// never one below it (peers on one level do not import each other). The CLI talks to the
// daemon only through the API client, so it may use nothing of the core.
const LAYERS = [
  ['base'],
  ['host'],
  ['oci'],
  ['archive'],
  ['content'],
  ['snapshots'],
  ['images'],
  ['registry'],
  ['runtime'],
  ['network', 'volumes'],
  ['containers'],
  ['builder'],
  ['api'],
  ['daemon'],
];

const forbidden = [];
LAYERS.forEach((level, i) => {
  const notAllowed = LAYERS.slice(i + 1).flat();
  for (const mod of level) {
    const peers = level.filter((m) => m !== mod);
    const targets = [...notAllowed, ...peers, 'cli'];
    forbidden.push({
      name: `${mod}-imports-downward`,
      comment: `src/${mod} may only import modules above it in DESIGN.md's list`,
      severity: 'error',
      from: { path: `^src/${mod}/` },
      to: { path: `^src/(${targets.join('|')})/` },
    });
  }
});
forbidden.push({
  name: 'cli-uses-core',
  comment: 'src/cli talks to the daemon only through the API client',
  severity: 'error',
  from: { path: '^src/cli/' },
  to: { path: '^src/', pathNot: '^src/(cli|base|api/client|api/types)/' },
});
forbidden.push({
  name: 'core-uses-tests',
  comment: 'production code never imports test support',
  severity: 'error',
  from: { path: '^src/', pathNot: '\\.test\\.ts$|/testsuite/' },
  to: { path: '^test/|\\.test\\.ts$' },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
