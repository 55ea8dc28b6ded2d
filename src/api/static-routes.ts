import { existsSync } from 'node:fs'
import type { Hono } from 'hono'
import { readBytes } from '../read-bytes.js'

/** Content types of the files the pages are built from. */
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  wasm: 'application/wasm',
}

/**
 * Serve the built files `files` (paths relative to `dir`; '' = index.html) under `prefix` with `headers`, and
 * nothing else there. A missing build answers 404 saying what to run.
 */
export function serveBuiltFiles(
  app: Hono,
  prefix: string,
  dir: string,
  files: readonly string[],
  headers: Record<string, string>,
): void {
  const known = new Set(files)
  app.get(`${prefix}*`, async (ctx, next) => {
    const path = ctx.req.path.slice(prefix.length)
    if (!known.has(path)) return next()
    const file = `${dir}${path || 'index.html'}`
    if (!existsSync(file)) return ctx.text('this page is not built here: run `npm run build:web`', 404)
    const type = TYPES[(path || 'index.html').split('.').pop()!] ?? 'application/octet-stream'
    return ctx.body(await readBytes(file), 200, { 'content-type': type, ...headers })
  })
}
