import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import type { TabState } from '../../src/browser/tab-state.js'

/** Debian's chromium (.ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium'
export const haveChromium = existsSync(CHROMIUM)

/** Headless chromium with WebGPU on SwiftShader (a software adapter: slow, but the real code path). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-unsafe-swiftshader',
      '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    ],
  })
}

/** A provider tab: its own browser context (own storage, so own keys), its page, and its live state. */
export interface ProviderTab {
  context: BrowserContext
  page: Page
  state(): Promise<TabState>
  /** Wait until `pred` holds for the tab's state (throws with the last state after `timeoutMs`). */
  until(what: string, pred: (s: TabState) => boolean, timeoutMs?: number): Promise<TabState>
  close(): Promise<void>
}

/** Open the node's `/tab/` page at `apiUrl` in a fresh context with `query` and start it. */
export async function openProviderTab(
  browser: Browser,
  apiUrl: string,
  query: Record<string, string>,
): Promise<ProviderTab> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const params = new URLSearchParams({ autostart: '1', ...query })
  await page.goto(`${apiUrl}/tab/?${params}`)
  const state = () =>
    page.evaluate(() => {
      const s = (globalThis as unknown as { mutiraoTab: TabState }).mutiraoTab
      return JSON.parse(JSON.stringify(s)) as TabState
    })
  const tab: ProviderTab = {
    context,
    page,
    state,
    async until(what, pred, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs
      let last: TabState | undefined
      for (;;) {
        last = await state()
        if (pred(last)) return last
        if (last.phase === 'failed' || Date.now() > end)
          throw new Error(
            `tab: ${what} did not happen (phase ${last.phase}, balance ${last.balance}, pending ${last.pending}${last.error ? `: ${last.error}` : ''}; page errors: ${errors.join('; ') || 'none'}; log: ${last.log
              .slice(-5)
              .map((l) => l.msg)
              .join(' | ')})`,
          )
        await new Promise((r) => setTimeout(r, 250))
      }
    },
    close: () => context.close(),
  }
  await tab.until('start', (s) => s.phase === 'working')
  return tab
}
