import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import { serveBuiltFiles } from './static-routes.js'

/** Where `npm run build` puts the browser-tab provider (scripts/build-web.mjs). */
export const TAB_DIR = fileURLToPath(new URL('../../dist-tab/', import.meta.url))

/** What the page is told about the network: nodes to join through and the chain it is paid on. */
export interface TabConfig {
  bootstrap: string[]
  /** The network whose protocol ids and topics the tab speaks. */
  network: string
  /** `deployments` as JSON: addresses, `fromBlock` as a decimal string. */
  chain?: { rpcUrl: string; chainId: number; deployments: Record<string, string | number> }
  operator?: string
}

/** Served cross-origin isolated (COOP/COEP) so onnxruntime-web may use threads. */
const ISOLATED = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cache-control': 'no-cache',
}

/**
 * Serve the browser-tab provider at `/tab/` (no API token: it is a public page) with its `tab-config.json`.
 */
export function registerTabRoutes(app: Hono, config: () => TabConfig, dir = TAB_DIR): void {
  app.get('/tab', (ctx) => ctx.redirect('/tab/'))
  app.get('/tab/tab-config.json', (ctx) => ctx.json(config(), 200, ISOLATED))
  serveBuiltFiles(
    app,
    '/tab/',
    dir,
    ['', 'index.html', 'tab.js', 'wasm-worker.js', 'sql-wasm.wasm', 'ort/ort-wasm-simd-threaded.jsep.wasm'],
    ISOLATED,
  )
}
