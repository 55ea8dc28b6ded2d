import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import type { TensorMap } from '../../src/exec/tensor.js'
import { encodeTensors, maxAbsDiff } from '../../src/exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../../src/exec/tensor-values.js'
import { createLedger, readDeployments } from '../../src/ledger/index.js'
import { connect } from '../../src/sdk/client.js'
import { startNetwork, startNodeProcess, type TestNetwork } from '../helpers/network.js'

const MODEL = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('chaos: providers killed (-9) and restarted at random during a long job', () => {
  let net: TestNetwork
  const providerArgs = () => [
    '--provide',
    '--bootstrap',
    net.requester.multiaddrs[0],
    ...net.chain.args,
    '--redeem-threshold',
    '1',
  ]
  beforeAll(async () => {
    net = await startNetwork({ providers: 4, providerArgs: ['--redeem-threshold', '1'] })
  }, 120_000)
  afterAll(async () => {
    await net?.stop()
  })

  // Was skipped: vouchers to a restarted provider were refused ("voucher counts X units, our receipts Y")
  // because overlapping acknowledgements double-counted units on the requester (fixed in de1e180;
  // reproduced in src/payments/voucher-exchange.test.ts). Kills are paced by the job's progress, so the
  // assertions need no particular duration (25–170 s for 25,000 samples on a shared 2-core box).
  it('completes with correct output, each unit paid once, on-chain contributions matching receipts', async () => {
    const model = new Uint8Array(await readFile(MODEL))
    const n = 25_000
    const inputs: TensorMap = {
      x: tensorFromValues(
        'float32',
        [n, 30],
        Array.from({ length: n * 30 }, (_, i) => Math.sin(i * 0.37)),
      ),
    }
    const client = await connect({ dataDir: net.requester.dataDir })
    const [modelHash, inputsHash] = await Promise.all([
      client.putBlob(model),
      client.putBlob(encodeTensors(inputs)),
    ])
    const started = Date.now()
    const job = await client.submitSpec({
      kind: 'onnx-inference',
      modelHash,
      inputsHash,
      shardSize: 5,
      timeoutSeconds: 900,
      providers: { min: 1, max: 4 },
      verification: { policy: 'none' },
    })
    const tail = (l: string[]) => l.filter((x) => /"level":(40|50)/.test(x)).slice(-15)
    const diagnosis = () =>
      [net.requester, ...net.providers]
        .map(
          (p) =>
            `${p.name} (exit ${p.proc.exitCode ?? p.proc.signalCode ?? '-'}):\n${tail(p.logs).join('\n')}`,
        )
        .join('\n')
    let finished = false
    const waiting = client
      .wait(job.jobId)
      .catch((err: Error) => {
        throw new Error(`waiting for the job failed: ${err.message}\n${diagnosis()}`)
      })
      .finally(() => {
        finished = true
      })
    // The chaos loop: a random live provider is killed at each of ten points of the job (4%, 12%, … 76% of
    // the samples done) and restarted in the background 1–3 s later, so the kills spread over the job
    // however fast this machine runs it (a restart no longer holds up the next kill point).
    let kills = 0
    const down = new Set<number>()
    const restarts: Promise<void>[] = []
    for (let th = 0.04; th < 0.8 && !finished; th += 0.08) {
      while (!finished) {
        const p = await client.job(job.jobId)
        if (p.samplesDone >= th * p.samplesTotal) break
        await sleep(100)
      }
      if (finished) break
      const live = net.providers.map((_, i) => i).filter((i) => !down.has(i))
      if (live.length === 0) continue
      const i = live[Math.floor(Math.random() * live.length)]
      const victim = net.providers[i]
      const killed = victim.kill9()
      kills++
      down.add(i)
      restarts.push(
        killed
          .then(() => sleep(1_000 + Math.random() * 2_000))
          .then(() => startNodeProcess(victim.name, victim.dataDir, providerArgs()))
          .then((restarted) => {
            net.providers[i] = restarted
            down.delete(i)
          }),
      )
    }
    const done = await Promise.race([
      waiting,
      sleep(240_000).then(() => {
        throw new Error(`job stalled after ${kills} kills:\n${diagnosis()}`)
      }),
    ])
    await Promise.all(restarts)
    console.info(`chaos: job done in ${Math.round((Date.now() - started) / 1000)} s with ${kills} kills`)
    expect(done.status, done.error).toBe('done')
    expect(kills, 'the job finished before five providers were killed').toBeGreaterThanOrEqual(5)

    const outputs = await client.result(job.jobId)
    const local = await runOnnxLocally(model, inputs)
    expect(maxAbsDiff(outputs.probabilities, local.probabilities)).toBeLessThanOrEqual(1e-6)
    expect(tensorToValues(outputs.label)).toEqual(tensorToValues(local.label))

    // each unit paid once: accepted units equal the job's units exactly (no shard paid to two providers)
    expect(done.unitsDone).toBe(n * done.costPerSample)
    expect(done.providers.reduce((a, w) => a + w.units, 0)).toBe(done.unitsDone)

    // on-chain: what providers redeemed never exceeds, and eventually equals, the accepted units
    const deployments = await readDeployments(net.chain.deploymentsFile)
    const key = (await readFile(join(net.requester.dataDir, 'eth.key'), 'utf8')).trim() as Hex
    const requester = await createLedger({ rpcUrl: net.chain.rpcUrl, privateKey: key, deployments })
    const escrowJob = (await requester.contributions({}))[0]?.jobId
    const paidUnits = async () =>
      (await requester.contributions({ jobId: escrowJob })).reduce((m, c) => {
        m.set(
          c.provider,
          c.cumulativeUnits > (m.get(c.provider) ?? 0n) ? c.cumulativeUnits : m.get(c.provider)!,
        )
        return m
      }, new Map<string, bigint>())
    const end = Date.now() + 60_000
    let total = 0n
    for (;;) {
      total = [...(await paidUnits()).values()].reduce((a, b) => a + b, 0n)
      expect(total).toBeLessThanOrEqual(BigInt(done.unitsDone))
      if (total === BigInt(done.unitsDone) || Date.now() > end) break
      await sleep(1_000)
    }
    expect(total).toBe(BigInt(done.unitsDone))
    const forProviders = net.requester.logs.filter((l) => l.includes('final voucher redeemed for')).length
    console.info(`chaos: ${forProviders} final voucher(s) redeemed by the requester for unreached providers`)
  }, 600_000)
})
