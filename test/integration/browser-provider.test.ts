import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { getAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../../src/exec/tensor-values.js'
import { createWasmExecutor, type WasmLimits } from '../../src/exec/wasm/executor.js'
import type { Ledger } from '../../src/ledger/index.js'
import { connect } from '../../src/sdk/client.js'
import { haveChromium, launchChromium, openProviderTab, type ProviderTab } from '../helpers/browser-tabs.js'
import { startNetwork, type TestNetwork } from '../helpers/network.js'
import { nodeLedger } from '../helpers/node-ledger.js'
import { wdbcFeatures } from '../helpers/wdbc.js'

/** The escrow part the API adds to a job (src/api/ledger-routes.ts escrowSummary). */
interface Escrow {
  escrow: { escrowJob: string; pricePerUnit: string; settlement?: { status: string; reason?: string } }
}
const withEscrow = (job: unknown) => (job as Escrow).escrow

const MLP = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')
const EXAMPLES = resolve(import.meta.dirname, '../../examples')
const limits: WasmLimits = { memoryBytes: 32 * 1024 * 1024, timeMs: 20_000, outputBytes: 4096 }

describe.skipIf(!haveChromium)(
  `providers in browser tabs (headless chromium)${haveChromium ? '' : ' (skipped: /usr/bin/chromium missing; apt-get install chromium)'}`,
  () => {
    let net: TestNetwork
    let browser: Browser
    let wasm: ProviderTab
    let webgpu: ProviderTab
    let ledger: Ledger
    beforeAll(async () => {
      net = await startNetwork({ providers: 1 })
      ledger = await nodeLedger(net.requester.dataDir, net.chain)
      browser = await launchChromium()
      // each tab in its own browser context: its own storage, so its own keys and earnings
      wasm = await openProviderTab(browser, net.requester.apiUrl, { backend: 'wasm' })
      webgpu = await openProviderTab(browser, net.requester.apiUrl, { backend: 'webgpu' })
      // Warm-up: a small job for all three. CI once saw a tab reach 'working' yet hear no demand for 60 s (its
      // gossip subscription not known to the node; not reproduced locally): such a tab is reopened, once, and
      // the test says so — the flaw is recorded in the issue, not hidden.
      const client = await connect({ dataDir: net.requester.dataDir })
      const mlp = new Uint8Array(await readFile(MLP))
      const warm = () =>
        client
          .infer({
            model: mlp,
            inputs: { x: tensorFromValues('float32', [4, 30], new Array(120).fill(0.1)) },
            shardSize: 1,
            providers: { min: 3, max: 3, waitSeconds: 20 },
            verification: { policy: 'none' },
          })
          .then(
            () => true,
            () => false,
          )
      if (!(await warm())) {
        for (const [name, tab] of [
          ['wasm', wasm],
          ['webgpu', webgpu],
        ] as const) {
          if ((await tab.state()).demands.length > 0) continue
          console.warn(`[browser-provider] the ${name} tab heard no demand: reopened`)
          await tab.close()
          const reopened = await openProviderTab(browser, net.requester.apiUrl, { backend: name })
          if (name === 'wasm') wasm = reopened
          else webgpu = reopened
        }
        expect(await warm(), 'a warm-up job with both tabs and the node').toBe(true)
      }
    }, 240_000)
    afterAll(async () => {
      await browser?.close()
      await net?.stop()
    })

    it('a wasm tab, a webgpu tab and a node provider complete a paid job: outputs equal onnxruntime-node CPU, each execution provider named, the tabs paid on-chain, nobody outvoted', async () => {
      const [w, g] = [await wasm.state(), await webgpu.state()]
      expect(w.backend).toBe('wasm')
      expect(g.backend).toBe('webgpu')
      expect(g.gpu?.adapter).toMatch(/swiftshader/i)
      const model = new Uint8Array(await readFile(MLP))
      // enough shards that the tabs, slower to start (model fetch, onnxruntime-web session), get work beside the
      // node's CPU, which computes a 25-row shard in microseconds (with 16 shards it once did them all)
      const inputs = { x: await wdbcFeatures(4000) }
      const client = await connect({ dataDir: net.requester.dataDir })
      const outputs = await client.infer({ model, inputs, shardSize: 25, providers: { min: 3, max: 3 } })
      const local = await runOnnxLocally(model, inputs)
      expect(maxAbsDiff(outputs.probabilities, local.probabilities)).toBeLessThanOrEqual(1e-5)
      expect(tensorToValues(outputs.label)).toEqual(tensorToValues(local.label))

      const job = (await client.jobs())[0]
      expect(job.status).toBe('done')
      const ran = Object.fromEntries(job.providers.map((p) => [p.provider, p.executionProviders]))
      // a tab missing here did no accepted task: say what the job and the tabs saw (CI once saw the wasm tab
      // agree and then carry nothing)
      const seen = async () =>
        JSON.stringify({
          shards: job.providers.map((p) => [p.provider, p.shards, p.units]),
          notices: job.notices,
          verification: job.verification,
          wasmTab: (await wasm.state()).log.slice(-8).map((l) => `${l.at} ${l.msg}`),
          webgpuTab: (await webgpu.state()).log.slice(-8).map((l) => `${l.at} ${l.msg}`),
        })
      expect(ran, await seen()).toEqual({
        [w.peerId!]: ['wasm'],
        [g.peerId!]: ['webgpu'],
        [net.providers[0].peerId]: ['cpu'],
      })
      expect(job.verification).toMatchObject({ invalid: 0, excluded: [] })

      // paid on-chain: the escrow recorded each tab's accepted units at the job's price
      const escrowJob = BigInt(withEscrow(job).escrowJob)
      const price = BigInt(withEscrow(job).pricePerUnit)
      for (const tab of [w, g]) {
        const work = job.providers.find((p) => p.provider === tab.peerId)!
        expect(work.units).toBeGreaterThan(0)
        const paid = await ledger.redeemed(escrowJob, getAddress(tab.ethAddress!))
        expect(paid.amount).toBe(BigInt(work.units) * price)
        expect(await ledger.balanceOf(getAddress(tab.ethAddress!))).toBeGreaterThan(0n)
      }
      // closed early with every payee's release — or, when a payee holds a delivered result the requester did
      // not take (a replica still on the wire as the job ended), left open for the refund after the redeem
      // window, saying so; either way every tab was paid its accepted units on-chain (checked above)
      const settlement = withEscrow(job).settlement
      if (settlement?.status !== 'settled')
        expect(settlement?.reason, JSON.stringify(settlement)).toMatch(
          /not covered by a voucher yet.*\(its accepted work is paid on-chain: (0x[0-9a-f]{64}|its last voucher was redeemed already)\)/,
        )
      // and the tabs show it
      // the tab reads its balance and vouchers from the chain every refresh: wait for a refresh after the last
      // redemption, then nothing may remain pending
      const shown = await wasm.until(
        'earnings shown, nothing pending',
        (s) => s.balance !== undefined && s.balance !== '0' && s.pending === '0',
      )
      expect(shown.completed).toBeGreaterThan(0)
    }, 240_000)

    it('a WASI job runs in the tabs (Web Workers) and the node alike: every stdout equals a local Node run byte for byte', async () => {
      const module = new Uint8Array(await readFile(join(EXAMPLES, 'wasm-montecarlo/var.wasm')))
      const portfolio = new Uint8Array(await readFile(join(EXAMPLES, 'wasm-montecarlo/portfolio.txt')))
      const runs = Array.from({ length: 24 }, (_, i) => ({
        args: ['5000', '10', '0.99', String(i + 1)],
        stdin: portfolio,
      }))
      const client = await connect({ dataDir: net.requester.dataDir })
      const results = await client.runWasm({
        module,
        runs,
        limits,
        shardSize: 2,
        providers: { min: 3, max: 3 },
      })
      const local = createWasmExecutor()
      try {
        for (const [i, run] of runs.entries()) {
          const want = await local.run({ module, args: run.args, stdin: run.stdin, limits })
          expect(results[i].exitCode, `run ${i}`).toBe(want.exitCode)
          expect(Buffer.from(results[i].stdout).equals(Buffer.from(want.stdout)), `run ${i}`).toBe(true)
        }
      } finally {
        await local.stop()
      }
      // seeds differ per run, so equal outputs are not vacuous
      expect(new Set(results.map((r) => new TextDecoder().decode(r.stdout))).size).toBe(24)
      const job = (await client.jobs()).find((j) => j.kind === 'wasm')!
      expect(job.status).toBe('done')
      const [w, g] = [await wasm.state(), await webgpu.state()]
      // accepted (paid) work: under adaptive verification a tab's answers may all be checks of another's
      const by = Object.fromEntries(job.providers.map((p) => [p.provider, p.units]))
      expect(by[w.peerId!]).toBeGreaterThan(0)
      expect(by[g.peerId!]).toBeGreaterThan(0)
      expect(job.verification?.invalid).toBe(0)
    }, 240_000)

    it('closing a tab mid-job loses nothing: its shards go to the others, and it is paid on-chain for what was accepted', async () => {
      const model = new Uint8Array(await readFile(MLP))
      // ~1,600 shards: long enough (several seconds) for the tab to close while the job runs
      const inputs = { x: await wdbcFeatures(8000) }
      const client = await connect({ dataDir: net.requester.dataDir })
      const before = (await client.jobs()).length
      const wasmState = await wasm.state()
      const { jobId } = await client.submit({
        model,
        inputs,
        shardSize: 5,
        providers: { min: 3, max: 3 },
        verification: { policy: 'none' },
      })
      // the requester's own record, not the tab's counter: a replica of the last job finishing late would
      // raise that, and closing the tab before it joined this job would leave the job short of providers
      for (const end = Date.now() + 120_000; ; ) {
        const p = await client.job(jobId)
        if (p.providers.some((x) => x.provider === wasmState.peerId && x.samples > 0)) break
        if (p.status !== 'running' || Date.now() > end)
          throw new Error(`the wasm tab did no task of the job: ${JSON.stringify(p.providers)} (${p.status})`)
        await new Promise((r) => setTimeout(r, 100))
      }
      await wasm.close()
      const outputs = await client.wait(jobId).then(() => client.result(jobId))
      const local = await runOnnxLocally(model, inputs)
      expect(maxAbsDiff(outputs.probabilities, local.probabilities)).toBeLessThanOrEqual(1e-5)
      const job = (await client.jobs()).find((j) => j.jobId === jobId)!
      expect((await client.jobs()).length).toBe(before + 1)
      expect(job.status).toBe('done')
      expect(job.samplesDone).toBe(8000)
      const gone = job.providers.find((p) => p.provider === wasmState.peerId)
      expect(gone?.units ?? 0).toBeGreaterThan(0)
      expect(gone!.shards).toBeGreaterThanOrEqual(1)
      // the tab could not sign a release: the requester redeemed its last voucher for it
      const paid = await ledger.redeemed(BigInt(withEscrow(job).escrowJob), getAddress(wasmState.ethAddress!))
      expect(paid.amount).toBe(BigInt(gone!.units) * BigInt(withEscrow(job).pricePerUnit))
      const remaining = job.providers.filter((p) => p.provider !== wasmState.peerId)
      expect(remaining.reduce((n, p) => n + p.samples, 0) + gone!.samples).toBe(8000)
      expect(withEscrow(job).settlement).toMatchObject({
        status: 'open',
        reason: expect.stringContaining('its accepted work is paid on-chain'),
      })
    }, 240_000)
  },
)
