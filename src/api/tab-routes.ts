import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'

/** Where `npm run build` puts the browser-tab provider (scripts/build-tab.mjs). */
export const TAB_DIR = fileURLToPath(new URL('../../dist-tab/', import.meta.url))

/** The files of the tab, by URL path under `/tab/`, with their content types. */
const FILES: Record<string, string> = {
  '': 'text/html; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
  'tab.js': 'text/javascript; charset=utf-8',
  'wasm-worker.js': 'text/javascript; charset=utf-8',
  'sql-wasm.wasm': 'application/wasm',
  'ort/ort-wasm-simd-threaded.jsep.wasm': 'application/wasm',
}

/** What the page is told about the network: nodes to join through and the chain it is paid on. */
export interface TabConfig {
  bootstrap: string[]
  /** `deployments` as JSON: addresses, `fromBlock` as a decimal string. */
  chain?: { rpcUrl: string; chainId: number; deployments: Record<string, string | number> }
  operator?: string
}

/**
 * Serve the browser-tab provider at `/tab/` (no API token: it is a public page) with its `tab-config.json`.
 * Pages are served cross-origin isolated (COOP/COEP) so onnxruntime-web may use threads. A missing build
 * answers 404 with what to run.
 */
export function registerTabRoutes(app: Hono, config: () => TabConfig, dir = TAB_DIR): void {
  const isolate = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cache-control': 'no-cache',
  }
  app.get('/tab', (ctx) => ctx.redirect('/tab/'))
  app.get('/tab/tab-config.json', (ctx) => ctx.json(config(), 200, isolate))
  app.get('/tab/*', async (ctx) => {
    const path = ctx.req.path.slice('/tab/'.length)
    const type = FILES[path]
    if (type === undefined) return ctx.text('not found', 404)
    const file = `${dir}${path || 'index.html'}`
    if (!existsSync(file)) return ctx.text('the tab provider is not built here: run `npm run build:tab`', 404)
    const bytes = await readFile(file)
    return ctx.body(new Uint8Array(bytes), 200, { 'content-type': type, ...isolate })
  })
}
