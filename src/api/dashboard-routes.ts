import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import { serveBuiltFiles } from './static-routes.js'

/** Where `npm run build` puts the dashboard (scripts/build-web.mjs). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist-dashboard/', import.meta.url))

/**
 * A strict Content-Security-Policy: the page's own script and style only, requests to this API only, no
 * frames, no inline code.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * Serve the dashboard at `/` of the local API. The files are public (they hold no data); the data comes from
 * `/v1/*` with the API token, which `mutirao ui` hands over in the URL fragment (never sent to the server).
 */
export function registerDashboardRoutes(app: Hono, dir = DASHBOARD_DIR): void {
  serveBuiltFiles(app, '/', dir, ['', 'index.html', 'dashboard.js', 'dashboard.css'], {
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  })
}
