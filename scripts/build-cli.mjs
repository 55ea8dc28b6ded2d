// Bundles the CLI (and the worker threads it starts) from tsc's output into dist/cli-bundle/, which
// bin/mutirao.js runs. Loading ~1,500 separate modules cost a node 1.6 of its 2.7 s of start-up CPU, most of it
// resolving and compiling file by file; the bundle starts a provider node in about half the CPU (BENCHMARKS.md,
// "The CLI as one bundle"). The SDK (`dist/index.js`) and the tests keep using the separate modules.
//
// Modules that find files relative to their own `import.meta.url` keep working because the bundle sits two
// directories below the root, as `src/<dir>/*.ts` does (`../../dist-tab/`, `../../data`, `../../bin/…`),
// and each worker is an entry point named as its module looks for it next to itself (`onnx-worker.js`,
// `mask-worker.js`, `worker.js`). Packages that load native addons, binaries or WebAssembly from their own
// directory stay outside the bundle and are imported from node_modules as before.
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const outdir = join(dist, 'cli-bundle')

await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: {
    main: join(dist, 'cli/main.js'),
    'onnx-worker': join(dist, 'exec/onnx-worker.js'),
    'mask-worker': join(dist, 'fl/secagg/mask-worker.js'),
    worker: join(dist, 'exec/wasm/worker.js'),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  keepNames: true,
  logLevel: 'warning',
  external: [
    'onnxruntime-node',
    'onnxruntime-web',
    'better-sqlite3',
    'sql.js',
    'pino',
    'playwright-core',
    '@foundry-rs/*',
    '@tensorflow/*',
  ],
  // bundled CommonJS packages call require() for Node's built-in modules
  banner: {
    js: "import { createRequire as __mutiraoRequire } from 'node:module';\nconst require = __mutiraoRequire(import.meta.url);",
  },
})
