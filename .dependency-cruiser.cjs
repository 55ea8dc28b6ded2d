// Layering of src/, checked by `npm run lint` (docs/architecture.md, "Layers"). Each entry is a layer, bottom
// first; a folder of src/ (or a file at its top) may import only from layers below its own. So no two folders
// import each other, and no file cycle crosses a folder; `no-circular` catches the cycles inside a folder.
const LAYERS = [
  ['errors.ts', 'free-port.ts', 'log.ts', 'polyfill.ts', 'read-bytes.ts', 'onnx'],
  ['data', 'ledger', 'net', 'store'],
  ['protocols'],
  ['exec', 'market', 'payments'],
  ['config', 'stream', 'train', 'verify'],
  ['fl', 'identity', 'oracle'],
  ['network', 'provider', 'requester'],
  ['api', 'browser', 'sim'],
  ['node'],
  ['sdk'],
  ['dashboard', 'demo', 'index.ts'],
  ['cli'],
]

const pathOf = (name) => (name.endsWith('.ts') ? `^src/${name.replace('.', '\\.')}$` : `^src/${name}/`)

const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((name) => ({
    name,
    i,
    above: LAYERS.slice(i)
      .flat()
      .filter((other) => other !== name),
  })),
)
  .filter(({ above }) => above.length > 0)
  .map(({ name, i, above }) => ({
    name: `layer-${name}`,
    comment: `src/${name} is in layer ${i}: it imports only from the layers below (.dependency-cruiser.cjs)`,
    severity: 'error',
    from: { path: pathOf(name) },
    to: { path: above.map(pathOf).join('|') },
  }))

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'files that import each other, directly or through others (types included)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unlayered-folder',
      comment: 'every folder of src/ has a place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.flat().map(pathOf).join('|') },
      to: {},
    },
    {
      name: 'no-tests-from-src',
      comment: 'code under src/ (tests aside) does not import test helpers',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$|\\.bench\\.ts$' },
  },
}
