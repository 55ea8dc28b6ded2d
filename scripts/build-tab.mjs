// Builds the browser-tab provider as static files: dist-tab/{index.html, tab.js, ort/*.wasm, sql-wasm.wasm}.
// Any node serves them at /tab/ (with tab-config.json); any static host can serve them too.
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
console.log(`tab provider built in ${out}`)
