import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Locate the worker entry: compiled `.js` next to this module, else the `.ts` source run through tsx. */
export function defaultWorkerUrl(): URL {
  const js = new URL('./onnx-worker.js', import.meta.url)
  return existsSync(fileURLToPath(js)) ? js : new URL('./onnx-worker.ts', import.meta.url)
}

/**
 * The URL to start a worker from. A `.ts` entry (tests, tsx) is started through a tiny ESM bootstrap that
 * registers tsx first: Node 20 ignores `--import tsx` in a worker's execArgv.
 */
export function workerEntry(url: URL): URL {
  if (!url.pathname.endsWith('.ts')) return url
  const tsxApi = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs')
  const code = `import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)}
register()
await import(${JSON.stringify(url.href)})`
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`)
}
