import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readNpy, writeNpy } from '../../src/exec/npy.js'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import type { LivePolicyView } from '../../src/provider/live-policy.js'
import { connect, JobFailedError } from '../../src/sdk/client.js'
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
      // the job's shards as squares, each in its provider's colour, the same facts in words
      const squares = await page.locator('#jobs figure.shards svg').first().getAttribute('aria-label')
      expect(squares).toBe(
        `each square is a shard; ${net.providers[0].peerId.slice(0, 6)}…${net.providers[0].peerId.slice(-4)}: 4 accepted`,
      )
      // the job's story under "Why", the same facts as `mutirao job explain`
      const why = page.locator(`#jobs tr:has(code:text("${job.jobId}")) details.why`)
      await why.locator('summary').click()
      const story = (await why.textContent()) ?? ''
      for (const r of reasons) expect(story).toContain(r.message)
      expect((await client.job(job.jobId)).shardMap).toEqual({
        providers: [net.providers[0].peerId],
        cells: 'AAAA',
        shardsPerCell: 1,
      })
      // the picture of who computes for whom names the provider and its samples
      expect(await page.locator('#network svg.picture').getAttribute('aria-label')).toContain(
        'computed 100 samples',
      )
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
      // whom it computed for: the requester's stream, its tasks and what they earn at the agreed price
      expect(ptext).toContain('Computing for')
      expect(ptext).toContain(net.requester.peerId.slice(0, 10))
      expect(ptext).toContain(`${job.jobId}, onnx-inference`)
      expect(ptext).toMatch(/0 running, 4 done/)
      await page.close()

      // without the token the page says what to do
      const bare = await browser.newPage()
      await bare.goto(url.split('#')[0])
      await bare.locator('#conn', { hasText: 'token' }).waitFor({ timeout: 10_000 })
      await bare.close()
    }, 180_000)

    it('a job submitted from the form completes and its outputs download as .npy equal to local onnxruntime; the explorer verifies a receipt on the chain; a policy change from the dashboard takes effect', async () => {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      const features = await wdbcFeatures(60, { varied: true })
      const npy = join(net.root, 'x.npy')
      await writeFile(npy, writeNpy(features))
      await page.goto((await runCli(['ui', '--print', '--data-dir', net.requester.dataDir])).stdout.trim())
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 })

      // the form reads the model, asks for one .npy per input it declares, and submits
      await page.setInputFiles('#submit input[name=model]', MLP)
      await page.locator('#submit-msg', { hasText: '1 input(s)' }).waitFor({ timeout: 10_000 })
      expect(await page.locator('#submit-inputs').textContent()).toContain('x (float32')
      await page.setInputFiles('#submit input[data-input="x"]', npy)
      await page.fill('#submit input[name=name]', 'from-the-form')
      await page.fill('#submit input[name=shardSize]', '20')
      await page.selectOption('#submit select[name=verification]', 'none')
      await page.click('#submit button')
      await page.locator('#submit-msg', { hasText: 'submitted job-' }).waitFor({ timeout: 30_000 })
      const jobId = await page.locator('#submit').getAttribute('data-last-job')
      expect(jobId).toMatch(/^job-/)

      // live: the row turns done without a reload, and its outputs download as .npy
      const results = page.locator(`button[data-results="${jobId}"]`)
      await results.waitFor({ timeout: 60_000 })
      await results.click()
      const local = await runOnnxLocally(new Uint8Array(await readFile(MLP)), { x: features })
      for (const name of Object.keys(local)) {
        const link = page.locator(`a[download="${jobId}-${name}.npy"]`)
        await link.waitFor({ timeout: 10_000 })
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
        const got = readNpy(new Uint8Array(await readFile((await download.path())!)))
        expect(got.dims).toEqual(local[name].dims)
        expect(maxAbsDiff(got, local[name])).toBeLessThanOrEqual(1e-6)
      }
      // the user's own rate for MUT: money shows in their currency too
      await page.fill('#rate input[name=perMut]', '2.5')
      await page.locator('#jobs', { hasText: /MUT \(≈ [\d.]+ USD\)/ }).waitFor({ timeout: 10_000 })
      await mkdir(SHOTS, { recursive: true })
      await page.screenshot({ path: `${SHOTS}/requester-laptop.png`, fullPage: true })
      await page.setViewportSize({ width: 390, height: 844 })
      await page.screenshot({ path: `${SHOTS}/requester-phone.png`, fullPage: true })

      // the provider's explorer: a task receipt's Merkle proof, checked against the chain with one click
      const provider = net.providers[0]
      await page.setViewportSize({ width: 1366, height: 900 })
      await page.goto((await runCli(['ui', '--print', '--data-dir', provider.dataDir])).stdout.trim())
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 })
      const prove = page.locator('button[data-prove]').first()
      await prove.waitFor({ timeout: 60_000 })
      await prove.click()
      await page.locator('#receipts', { hasText: 'verified on chain' }).waitFor({ timeout: 20_000 })
      expect(await page.locator('#receipts').textContent()).toContain('escrow contract says valid')
      expect(await page.locator('#wallet').textContent()).toMatch(/Balance[\d.]+ MUT/)
      expect(await page.locator('#contributions').textContent()).toContain('MUT')
      // what the chain paid this provider over time, and the chain's activity naming this node
      const earned = page.locator('#earnings svg.earnings')
      await earned.waitFor({ timeout: 20_000 })
      expect(await earned.getAttribute('aria-label')).toMatch(
        /^earned [\d.]+ MUT in \d+ payment\(s\) between /,
      )
      expect(await page.locator('#activity').textContent()).toContain('this node was paid for work')
      expect(await page.locator('#provider').textContent()).toContain('Reputation as others see it')

      // stake from the explorer: the chain's answer in words, the wallet and the activity follow
      await page.fill('#stake input[name=amount]', '2')
      await page.click('#stake button[value=stake]')
      await page
        .locator('#stake-msg', { hasText: /^staked 2 MUT.*: stake now 2 MUT, tx 0x/ })
        .waitFor({ timeout: 20_000 })
      await page.locator('#wallet', { hasText: 'Stake2 MUT' }).waitFor({ timeout: 10_000 })
      await page.locator('#activity', { hasText: 'this node staked' }).waitFor({ timeout: 10_000 })
      await page.fill('#stake input[name=amount]', '0.5')
      await page.click('#stake button[value=unstake]')
      await page
        .locator('#stake-msg', { hasText: /^0\.5 MUT unbonding, withdrawable after / })
        .waitFor({ timeout: 20_000 })
      await page.locator('#wallet', { hasText: '0.5 MUT unbonding until' }).waitFor({ timeout: 10_000 })
      // too early to withdraw: the contract's refusal, named, and nothing changes
      await page.click('#stake button[value=withdraw]')
      await page.locator('#stake-msg.bad', { hasText: /^withdraw refused: / }).waitFor({ timeout: 20_000 })
      await page.fill('#stake input[name=amount]', 'lots')
      await page.click('#stake button[value=stake]')
      await page.locator('#stake-msg.bad', { hasText: 'is not an amount of MUT' }).waitFor({ timeout: 5_000 })
      const wallet = await connect({ dataDir: provider.dataDir }).then((c) => c.ledger.wallet())
      expect(wallet.stake).toBe((15n * 10n ** 17n).toString())
      // the same record from the CLI: `mutirao ledger activity --mine`
      const act = await runCli(['ledger', 'activity', '--mine', '--json', '--data-dir', provider.dataDir])
      const kinds = (JSON.parse(act.stdout) as { kind: string }[]).map((e) => e.kind)
      expect(kinds.slice(0, 2)).toEqual(['unstake-requested', 'staked'])
      expect(kinds).toContain('contribution')
      const text = await runCli([
        'ledger',
        'activity',
        '--mine',
        '--limit',
        '2',
        '--data-dir',
        provider.dataDir,
      ])
      expect(text.stdout).toMatch(/asked to unstake 500000000000000000 \(0\.5 MUT\) \(withdrawable from /)
      expect(text.stdout.trim().split('\n')).toHaveLength(2)
      await page.locator('#ledger').screenshot({ path: `${SHOTS}/explorer-laptop.png` })

      // the policy form: a new ask and a pause, applied at once and saved in the provider's config
      await page.locator('#policy:not([hidden])').waitFor({ timeout: 10_000 })
      expect(await page.inputValue('#policy input[name=price]')).toBe('0.001')
      await page.fill('#policy input[name=price]', '0.002')
      await page.check('#policy input[name=paused]')
      await page.click('#policy button')
      await page
        .locator('#policy-msg', { hasText: 'saved: asks 0.002 MUT per 1,000 units, paused' })
        .waitFor()
      const explained = await runCli(['provider', 'explain', '--json', '--data-dir', provider.dataDir])
      expect(JSON.parse(explained.stdout).reasons).toContainEqual({
        code: 'paused',
        message: expect.stringMatching(/^paused by the owner/),
      })
      const shown = await runCli(['provider', 'policy', '--json', '--data-dir', provider.dataDir])
      expect(JSON.parse(shown.stdout) as LivePolicyView).toMatchObject({ price: '0.002', paused: true })
      const config = JSON.parse(await readFile(join(provider.dataDir, 'config.json'), 'utf8'))
      expect(config.provider).toMatchObject({ pricePerUnit: '2000000000000', paused: true })
      // the live view shows it within one snapshot: paused, with the owner named as the reason, at the new ask
      await page.locator('#provider', { hasText: 'paused by the owner' }).waitFor({ timeout: 10_000 })
      expect(await page.locator('#provider').textContent()).toContain('asks 0.002 MUT per 1,000 units')
      await page.screenshot({ path: `${SHOTS}/provider-laptop.png`, fullPage: true })
      await page.setViewportSize({ width: 390, height: 844 })
      await page.screenshot({ path: `${SHOTS}/provider-phone.png`, fullPage: true })

      // resumed, the new ask is what requesters meet: a job paying less is refused naming it
      await page.uncheck('#policy input[name=paused]')
      await page.click('#policy button')
      await page.locator('#policy-msg', { hasText: 'sharing' }).waitFor()
      const client = await connect({ dataDir: net.requester.dataDir })
      const refused = await client
        .infer({
          model: new Uint8Array(await readFile(MLP)),
          inputs: { x: features },
          maxPrice: '0.0015',
          verification: { policy: 'none' },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(refused).toBeInstanceOf(JobFailedError)
      expect((refused as JobFailedError).progress.error).toContain('lowest ask 0.002 MUT per 1,000 units')
      // bad input from the page's API is refused naming the field, and changes nothing
      const bad = await runCli(['provider', 'policy', '--cpu-share', '7', '--data-dir', provider.dataDir])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('cpuShare must be at most 1')
      expect(errors).toEqual([])
      await page.close()
    }, 180_000)
  },
)
