import { mkdir, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/sdk/client.js'
import { haveChromium, launchChromium } from '../helpers/browser-tabs.js'
import { runCli, startNetwork, type TestNetwork } from '../helpers/network.js'
import { wdbcFeatures } from '../helpers/wdbc.js'

const MLP = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')
/** Kept by CI with the rest of the test output. */
const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots')

describe.skipIf(!haveChromium)(
  `the node's dashboard in headless chromium${haveChromium ? '' : ' (skipped: /usr/bin/chromium missing; apt-get install chromium)'}`,
  () => {
    let net: TestNetwork
    let browser: Browser
    beforeAll(async () => {
      net = await startNetwork({ providers: 1 })
      browser = await launchChromium()
    }, 120_000)
    afterAll(async () => {
      await browser?.close()
      await net?.stop()
    })

    it('`mutirao ui --print` gives a URL whose page shows the node, its provider, a finished job and the network, under a strict CSP', async () => {
      const client = await connect({ dataDir: net.requester.dataDir })
      await client.infer({
        model: new Uint8Array(await readFile(MLP)),
        inputs: { x: await wdbcFeatures(100) },
        shardSize: 25,
        verification: { policy: 'none' },
      })
      const job = (await client.jobs())[0]
      const printed = await runCli(['ui', '--print', '--data-dir', net.requester.dataDir])
      const url = printed.stdout.trim()
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/)

      // `mutirao job explain --json`: the same job's story, with a reasons array
      const explained = await runCli([
        'job',
        'explain',
        job.jobId,
        '--json',
        '--data-dir',
        net.requester.dataDir,
      ])
      expect(explained.code).toBe(0)
      const { reasons } = JSON.parse(explained.stdout) as { reasons: { code: string; message: string }[] }
      expect(reasons[0]).toEqual({
        code: 'outcome',
        message: expect.stringMatching(/^done in .*100\/100 samples/),
      })
      expect(reasons.find((r) => r.code === 'provider')?.message).toContain('computed 100 samples')
      expect(reasons.find((r) => r.code === 'paid')?.message).toMatch(/MUT for accepted work/)
      expect(reasons.map((r) => r.code)).toContain('refund')

      // the page itself is public and holds no data; its data needs the token
      const res = await fetch(url.split('#')[0])
      expect(res.status).toBe(200)
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect((await fetch(`${url.split('#')[0]}v1/node`)).status).toBe(401)

      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
      await page.goto(url)
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 })
      // the token left the address bar
      expect(page.url()).not.toContain('token')
      const text = (await page.locator('main').textContent()) ?? ''
      expect(text).toContain(job.jobId)
      expect(text).toContain('done')
      expect(text).toContain('100/100')
      expect(text).toMatch(/cost [\d.]+ MUT/)
      expect(text).toContain(net.providers[0].peerId.slice(0, 10))
      expect(text).toContain('Not providing')
      expect(errors).toEqual([])
      await mkdir(SHOTS, { recursive: true })
      await page.screenshot({ path: `${SHOTS}/dashboard-laptop.png`, fullPage: true })
      await page.setViewportSize({ width: 390, height: 844 })
      await page.screenshot({ path: `${SHOTS}/dashboard-phone.png`, fullPage: true })

      // a provider's own dashboard shows its execution providers and why it gets work
      const provider = await runCli(['ui', '--print', '--data-dir', net.providers[0].dataDir])
      await page.goto(provider.stdout.trim())
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 })
      const ptext = (await page.locator('#provider').textContent()) ?? ''
      expect(ptext).toContain('taking work')
      expect(ptext).toMatch(/cpu: \d+ rows\/s/)
      expect(ptext).toMatch(/1 completed|[2-9] completed|\d{2,} completed/)
      await page.close()

      // without the token the page says what to do
      const bare = await browser.newPage()
      await bare.goto(url.split('#')[0])
      await bare.locator('#conn', { hasText: 'token' }).waitFor({ timeout: 10_000 })
      await bare.close()
    }, 180_000)
  },
)
