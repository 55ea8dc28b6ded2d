import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { parsePrice } from '../../src/market/price.js'
import { connect } from '../../src/sdk/client.js'
import { startNetwork, type TestNetwork } from '../helpers/network.js'
import { nodeLedger, until } from '../helpers/node-ledger.js'

const MODEL = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')

describe('payments on the local chain, across separate processes', () => {
  let net: TestNetwork
  beforeAll(async () => {
    net = await startNetwork({ providers: 3 })
    // providers ask different prices (MUT per 1,000 units); the job's escrow clears at the highest chosen one
    await Promise.all(net.providers.map((p) => p.stop()))
    net.providers.length = 0
    for (const price of ['0.002', '0.003', '0.003']) await net.addProvider(['--price', price])
  })
  afterAll(async () => {
    await net?.stop()
  })

  it('pays each provider exactly its accepted units × the agreed price; the unspent budget is back in the requester wallet when the job ends', async () => {
    const { rpcUrl, deploymentsFile } = net.chain
    const providers = await Promise.all(
      net.providers.map((p) => nodeLedger(p.dataDir, { rpcUrl, deploymentsFile })),
    )
    const requester = await nodeLedger(net.requester.dataDir, { rpcUrl, deploymentsFile })
    const before = await Promise.all(providers.map((l) => l.balance()))
    const requesterBefore = await requester.balance()

    const client = await connect({ dataDir: net.requester.dataDir })
    const n = 1500
    const inputs = {
      x: tensorFromValues(
        'float32',
        [n, 30],
        Array.from({ length: n * 30 }, (_, i) => Math.cos(i)),
      ),
    }
    const job = await client.submit({
      model: MODEL,
      inputs,
      shardSize: 50,
      maxPrice: '0.005',
      timeoutSeconds: 120,
    })
    const done = await client.wait(job.jobId)
    expect(done.samplesDone).toBe(n)

    // The escrow job: the requester's, opened once for this job.
    const opened = await requester.contributions({})
    const escrowJob = opened[0]?.jobId ?? 1n
    const info = await requester.jobInfo(escrowJob)
    expect(info.requester.toLowerCase()).toBe(requester.address.toLowerCase())
    expect(info.pricePerUnit).toBe(parsePrice('0.003'))

    const byEth = new Map<string, bigint>()
    for (const w of done.providers) {
      const idx = net.providers.findIndex((p) => p.peerId === w.provider)
      byEth.set(providers[idx].address, BigInt(w.units) * info.pricePerUnit)
    }
    const paidTotal = [...byEth.values()].reduce((a, b) => a + b, 0n)
    expect(paidTotal).toBe(BigInt(done.unitsDone) * parsePrice('0.003'))
    for (const [i, l] of providers.entries()) {
      const expected = before[i] + (byEth.get(l.address) ?? 0n)
      await until(`provider ${i + 1} paid`, async () => ((await l.balance()) === expected ? true : undefined))
      expect(await l.balance()).toBe(expected)
    }
    // Contributions recorded on-chain add up to the same amounts.
    const recorded = await requester.contributions({ jobId: escrowJob })
    expect(recorded.reduce((a, c) => a + c.amount, 0n)).toBe(paidTotal)

    // The job closed its escrow before it reported done: the unspent budget is back, no reclaim needed.
    const escrow = (done as unknown as { escrow: { refunded: string; settlement: { status: string } } })
      .escrow
    expect(escrow.settlement.status).toBe('settled')
    expect(BigInt(escrow.refunded)).toBe(info.budget - paidTotal)
    expect((await requester.jobInfo(escrowJob)).closed).toBe(true)
    expect(await requester.balance()).toBe(requesterBefore - paidTotal)
    await expect(requester.reclaim(escrowJob)).rejects.toMatchObject({ name: 'JobClosedError' })
  })
})
