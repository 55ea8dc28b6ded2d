// Builds the pages a node serves, as static files:
// - the browser-tab provider: dist-tab/{index.html, tab.js, wasm-worker.js, ort/*.wasm, sql-wasm.wasm}, served at
//   /tab/ (with tab-config.json); any static host can serve them too;
// - the node's dashboard: dist-dashboard/{index.html, dashboard.js, dashboard.css}, served at / of the local API.
import { copyFile, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist-tab')
const shims = join(root, 'src/browser/shims')

await mkdir(join(out, 'ort'), { recursive: true })
const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  alias: {
    'node:crypto': join(shims, 'node-crypto.ts'),
    'node:timers/promises': join(shims, 'node-timers-promises.ts'),
    'better-sqlite3': join(shims, 'better-sqlite3.ts'),
    'onnxruntime-node': 'onnxruntime-web',
  },
  inject: [join(shims, 'globals.ts')],
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
}
await build({ ...common, entryPoints: [join(root, 'src/browser/tab-page.ts')], outfile: join(out, 'tab.js') })
await build({
  ...common,
  entryPoints: [join(root, 'src/browser/wasm-worker.ts')],
  outfile: join(out, 'wasm-worker.js'),
})
const ortDist = join(root, 'node_modules/onnxruntime-web/dist')
await copyFile(
  join(ortDist, 'ort-wasm-simd-threaded.jsep.wasm'),
  join(out, 'ort/ort-wasm-simd-threaded.jsep.wasm'),
)
await copyFile(join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), join(out, 'sql-wasm.wasm'))
await copyFile(join(root, 'src/browser/index.html'), join(out, 'index.html'))

const dash = join(root, 'dist-dashboard')
await mkdir(dash, { recursive: true })
// the dashboard reads models (protobuf) and .npy files in the page: same shims as the tab, no source map
await build({
  ...common,
  sourcemap: false,
  entryPoints: [join(root, 'src/dashboard/dashboard.ts')],
  outfile: join(dash, 'dashboard.js'),
})
for (const f of ['index.html', 'dashboard.css']) await copyFile(join(root, 'src/dashboard', f), join(dash, f))
console.log(`pages built in ${out} and ${dash}`)
