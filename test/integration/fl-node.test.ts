import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalChain, LocalNode } from '../../src/demo/local-network.js'
import { startChainProcess, startNodeProcess } from '../../src/demo/local-network.js'
import type { FlRunView } from '../../src/fl/network/service.js'
import { connect } from '../../src/sdk/client.js'
import { haveChromium, launchChromium } from '../helpers/browser-tabs.js'
import { cliEvents } from '../helpers/cli-events.js'
import { HOSPITALS, ownerArgs, splitHospitals } from '../helpers/fl-hospitals.js'
import { runCli } from '../helpers/network.js'

const EXAMPLE = HOSPITALS
/** Kept by CI with the rest of the test output. */
const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots')

/**
 * Federated learning inside the node: `mutirao fl start` and `mutirao fl join` against running nodes are thin
 * clients — the coordinator and the holders run in the nodes, on their hosts, keys and shared chain.
 */
describe('federated learning run by nodes', () => {
  let root = ''
  let chain: LocalChain | undefined
  const nodes: LocalNode[] = []
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mutirao-fl-node-'))
    await splitHospitals()
    chain = await startChainProcess(join(root, 'chain'))
    for (const name of ['owner', 'hospital-a', 'hospital-b', 'hospital-c'])
      nodes.push(await startNodeProcess(name, join(root, name), chain.args))
  }, 120_000)
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    await chain?.stop()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('`mutirao fl start` and three `fl join` against running nodes train under secure aggregation; each holder node is paid; the run is listed by the owner node', async () => {
    const [owner, ...hospitals] = nodes
    const job = JSON.parse(await readFile(join(EXAMPLE, 'job.json'), 'utf8'))
    const jobFile = join(root, 'job.json')
    await writeFile(jobFile, JSON.stringify({ ...job, rounds: 5, minParticipants: 3 }))
    const onnx = join(root, 'trained.onnx')
    const coordinator = cliEvents(['fl', ...ownerArgs(jobFile), '--onnx', onnx, '--data-dir', owner.dataDir])
    const listening = (await coordinator.first('listening')) as { multiaddrs: string[] }
    // the coordinator is the owner's node itself: its peer id, its addresses
    expect(listening.multiaddrs[0]).toContain(owner.peerId)
    const holders = hospitals.map((h, i) =>
      cliEvents([
        'fl',
        'join',
        '--coordinator',
        listening.multiaddrs[0],
        '--job',
        job.id,
        '--data',
        join(EXAMPLE, `hospital-${'abc'[i]}.csv`),
        '--data-dir',
        h.dataDir,
      ]),
    )
    const codes = await Promise.all(holders.map((h) => h.exit))
    for (const [i, h] of holders.entries()) expect(codes[i], h.stderr.slice(-10).join('\n')).toBe(0)
    expect(await coordinator.exit, coordinator.stderr.slice(-10).join('\n')).toBe(0)

    const rounds = coordinator.events.filter((e) => e.event === 'round') as {
      participants: string[]
      testAccuracy?: number
      shares: Record<string, number>
    }[]
    expect(rounds).toHaveLength(5)
    // every round aggregated the three holder nodes, by their node's peer ids
    for (const r of rounds) expect(new Set(r.participants)).toEqual(new Set(hospitals.map((h) => h.peerId)))
    expect(rounds.at(-1)!.testAccuracy).toBeGreaterThan(0.85)
    expect(coordinator.events.some((e) => e.event === 'onnx' && e.file === onnx)).toBe(true)
    expect((await readFile(onnx)).length).toBeGreaterThan(100)
    for (const h of holders) {
      const sent = h.events.filter((e) => e.event === 'update-sent') as { secure: boolean }[]
      expect(sent.length).toBeGreaterThan(0)
      expect(sent.every((e) => e.secure)).toBe(true)
      expect(h.events.some((e) => e.event === 'paid')).toBe(true)
    }

    // the owner node keeps the run, with its events, for the dashboard and scripts
    const runs = await (await connect({ dataDir: owner.dataDir })).fl.runs()
    const run = runs.find((r) => r.role === 'coordinator') as FlRunView
    expect(run).toMatchObject({ job: job.id, status: 'done' })
    expect(run.events.filter((e) => e.event === 'round')).toHaveLength(5)
    // a holder node keeps its own run
    const held = await (await connect({ dataDir: hospitals[0].dataDir })).fl.runs()
    expect(held).toEqual([expect.objectContaining({ role: 'holder', job: job.id, status: 'done' })])
    console.log(`[fl-node] 5 rounds by running nodes, final test accuracy ${rounds.at(-1)!.testAccuracy}`)
  }, 240_000)

  it.skipIf(!haveChromium)(
    "the owner's dashboard shows the finished training: its accuracy curve, the holders' shares and payouts",
    async () => {
      const browser = await launchChromium()
      try {
        const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
        const url = (await runCli(['ui', '--print', '--data-dir', nodes[0].dataDir])).stdout.trim()
        await page.goto(url)
        await page.locator('#fl svg.curve polyline').waitFor({ timeout: 30_000 })
        const text = (await page.locator('#fl').textContent()) ?? ''
        expect(text).toMatch(/5 round\(s\), test accuracy \d+\.\d %/)
        expect(text).toContain('Contribution shares')
        expect(text).toMatch(/Payouts of the data budget.*MUT/)
        expect(await page.locator('#fl svg.curve').getAttribute('aria-label')).toMatch(
          /^test accuracy by round: round 1 /,
        )
        // the lineage, verified with one click: hashes, links, holder signatures and the root anchored on the chain
        await page.click('#fl button[data-lineage]')
        const checked = page.locator('#fl .lineage-check')
        await checked.waitFor({ timeout: 30_000 })
        const verdict = (await checked.textContent()) ?? ''
        expect(verdict).toMatch(
          /^verified: 5 round\(s\), every record's hash, link and holder signature checks out/,
        )
        expect(verdict).toContain('its root is the one anchored on the chain')
        expect(await checked.locator('svg.lineage').getAttribute('aria-label')).toMatch(
          /^lineage of job .+: genesis, 5 round\(s\) with 3 holder\(s\), then the model /,
        )
        // each holder: 5 rounds, its rows, its share, the privacy it spent and what it was paid
        const rows = await checked.locator('tbody tr').allTextContents()
        expect(rows).toHaveLength(3)
        for (const r of rows) expect(r).toMatch(/^\S+5\d+[\d.]+ %(ε [\d.]+|no DP)[\d.]+ MUT$/)
        // a holder's run has no lineage here: the API says where it is
        const holderUrl = (await runCli(['ui', '--print', '--data-dir', nodes[1].dataDir])).stdout.trim()
        const [base, token] = holderUrl.split('#token=')
        const held = (await (await connect({ dataDir: nodes[1].dataDir })).fl.runs())[0]
        const res = await fetch(`${base}v1/fl/runs/${held.id}/lineage`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(res.status).toBe(400)
        expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
          'its coordinator keeps the lineage',
        )
        await mkdir(SHOTS, { recursive: true })
        await page.locator('#fl').screenshot({ path: `${SHOTS}/fl-laptop.png` })
        await page.setViewportSize({ width: 390, height: 844 })
        await page.locator('#fl').screenshot({ path: `${SHOTS}/fl-phone.png` })
        // a holder node's dashboard shows its own part
        await page.goto((await runCli(['ui', '--print', '--data-dir', nodes[1].dataDir])).stdout.trim())
        await page
          .locator('#fl', { hasText: 'the rows never left this machine' })
          .waitFor({ timeout: 30_000 })
        expect(await page.locator('#fl').textContent()).toMatch(
          /update\(s\) sent \(masked: secure aggregation\).*paid [\d.]+ MUT/,
        )
      } finally {
        await browser.close()
      }
    },
    120_000,
  )

  it('refuses a malformed join or coordination, naming what is wrong', async () => {
    const client = await connect({ dataDir: nodes[1].dataDir })
    await expect(client.fl.join({ coordinator: 'x', job: 'j', data: '' })).rejects.toThrow(/data/)
    await expect(client.fl.coordinate({ spec: { id: 'bad' } })).rejects.toThrow(/invalid fl-train job spec/)
  }, 30_000)
})
