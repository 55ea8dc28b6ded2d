import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * A worker module next to `moduleUrl` (the caller's `import.meta.url`): its compiled `.js`, else the `.ts`
 * source, to be started through {@link workerEntry}.
 */
export function siblingWorkerUrl(moduleUrl: string, name: string): URL {
  const js = new URL(`./${name}.js`, moduleUrl)
  return existsSync(fileURLToPath(js)) ? js : new URL(`./${name}.ts`, moduleUrl)
}

/** Locate the ONNX worker entry: compiled `.js` next to this module, else the `.ts` source run through tsx. */
export const defaultWorkerUrl = (): URL => siblingWorkerUrl(import.meta.url, 'onnx-worker')

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
