import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inspectModel } from '../../src/exec/model-info.js'
import { tensorToValues } from '../../src/exec/tensor-values.js'
import type { Ledger } from '../../src/ledger/index.js'
import { parseMut, parsePrice } from '../../src/market/price.js'
import { createHost, type Host } from '../../src/net/host.js'
import { openLocalSession } from '../../src/stream/local-session.js'
import { openRemoteSession, StreamFailedError } from '../../src/stream/remote-session.js'
import { ledgerPayer, ledgerWallet } from '../../src/stream/session-payer.js'
import { CLI, startNetwork, type TestNetwork } from '../helpers/network.js'
import { nodeLedger, until } from '../helpers/node-ledger.js'
import { sineSample, tensorsHex } from '../helpers/stream-models.js'

const MLP = new Uint8Array(readFileSync(new URL('../fixtures/models/mlp.onnx', import.meta.url)))
const COST = inspectModel(MLP).cost
const PRICE = parsePrice('0.002') // MUT per 1,000 units → base units per unit
const x = (i: number) => sineSample(i, 30)
const hex = tensorsHex

describe('paid streaming sessions: an agreement and escrow per provider, vouchers over receipts, paid on-chain', () => {
  let net: TestNetwork
  let client: Host
  let key: PrivateKey
  let wallet: Ledger
  beforeAll(async () => {
    net = await startNetwork({ providers: 1, providerArgs: ['--serve-streams', '--price', '0.002'] })
    key = await generateKeyPair('Ed25519')
    client = await createHost({ privateKey: key })
    await client.start()
    await client.dial(multiaddr(net.providers[0].multiaddrs[0]))
    // the requester node's wallet (funded by the local chain; the node itself runs no job meanwhile)
    wallet = await nodeLedger(net.requester.dataDir, net.chain)
  }, 120_000)
  /** A payer on the requester node's wallet with a budget of 1 MUT per provider. */
  const payerAt = (maxPricePerUnit: bigint) =>
    ledgerPayer({ wallet: ledgerWallet(wallet), peerKey: key, maxPricePerUnit, budget: 10n ** 18n })
  afterAll(async () => {
    await client?.stop()
    await net?.stop()
  })

  it('without a payer the priced provider refuses the session, naming its price', async () => {
    const err = await openRemoteSession(MLP, {
      host: client,
      providers: [net.providers[0].peerId],
      failover: false,
    }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(StreamFailedError)
    expect((err as Error).message).toMatch(/refused the session: it asks 0\.002 MUT per 1,000 units/)
  })

  it('1,000 samples: outputs as local, every receipt vouchered, the provider redeems exactly units × price', async () => {
    const payer = payerAt(PRICE)
    const s = await openRemoteSession(MLP, { host: client, providers: [net.providers[0].peerId], payer })
    const local = await openLocalSession(MLP)
    const n = 1000 // 3 full receipts of 256 samples and a partial one of 232
    let i = 0
    for await (const out of s.stream(Array.from({ length: n }, (_, k) => x(k))))
      expect(hex(out)).toBe(hex(await local.infer(x(i++))))
    await local.close()
    await s.close()
    const [spend] = s.spent()
    expect(spend).toMatchObject({
      provider: net.providers[0].peerId,
      units: BigInt(n * COST),
      pricePerUnit: PRICE,
    })
    expect(spend.amount).toBe(BigInt(n * COST) * PRICE)
    // the provider took every voucher (acknowledged) and redeems the last one when the session ends
    const job = await until('the provider to redeem the session voucher', async () => {
      const info = await wallet.jobInfo(BigInt(spend.escrowJob))
      return info.paid === spend.amount ? info : undefined
    })
    expect(job.budget).toBe(10n ** 18n)
    expect(job.budget - job.paid).toBe(10n ** 18n - spend.amount) // the rest is the requester's to reclaim
  }, 120_000)

  it('a requester that stops paying is stopped: no more than three receipts of work go unpaid', async () => {
    const honest = payerAt(PRICE)
    // agrees and funds the escrow like an honest payer, then never signs a voucher
    const deadbeat = { ...honest, voucher: () => new Promise<never>(() => {}) }
    const s = await openRemoteSession(MLP, {
      host: client,
      providers: [net.providers[0].peerId],
      payer: deadbeat,
      failover: false,
    })
    let answered = 0
    const err = await (async () => {
      for await (const _ of s.stream(Array.from({ length: 3000 }, (_, k) => x(k)))) answered++
    })().catch((e: Error) => e)
    expect((err as Error).message).toMatch(/vouchers fell behind: 3 receipts of this session are not paid/)
    expect(answered).toBeGreaterThanOrEqual(3 * 256)
    expect(answered).toBeLessThan(3 * 256 + 64)
    await s.close()
  }, 120_000)

  it("mutirao stream --pay: the CLI pays from the running node's wallet; the provider redeems what it says", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mutirao-paid-cli-'))
    await writeFile(join(dir, 'mlp.onnx'), MLP)
    const rows = Array.from({ length: 300 }, (_, i) => tensorToValues(x(i).x).join(','))
    const run = await new Promise<{ code: number | null; stderr: string; lines: string[] }>((done) => {
      const p = spawn(process.execPath, [
        CLI,
        'stream',
        '--model',
        join(dir, 'mlp.onnx'),
        '--where',
        `peer:${net.providers[0].multiaddrs[0]}`,
        '--pay',
        '--data-dir',
        net.requester.dataDir,
        '--budget',
        '0.5',
      ])
      let out = ''
      let err = ''
      p.stdout.on('data', (d) => (out += d))
      p.stderr.on('data', (d) => (err += d))
      p.on('close', (code) => done({ code, stderr: err, lines: out.trim().split('\n') }))
      p.stdin.end(rows.join('\n'))
    })
    await rm(dir, { recursive: true, force: true })
    expect(run.code, run.stderr).toBe(0)
    expect(run.lines).toHaveLength(300)
    const amount = BigInt(300 * COST) * PRICE
    const paid = run.stderr.match(
      /paid ([\d.]+) MUT to (\w+) for (\d+) work units \(escrow job #(\d+), ([\d.]+) MUT reclaimable/,
    )
    expect(paid?.slice(2, 4)).toEqual([net.providers[0].peerId, String(300 * COST)])
    expect(parseMut(paid![1], 'paid')).toBe(amount)
    expect(parseMut(paid![5], 'rest')).toBe(parseMut('0.5', 'budget') - amount)
    await until('the provider to redeem the CLI session', async () =>
      (await wallet.jobInfo(BigInt(paid![4]))).paid === amount ? true : undefined,
    )
  }, 120_000)

  it('a paid provider killed mid-session (SIGKILL) is still paid on-chain for every answer it gave; the next one takes over', async () => {
    const [first, second] = await Promise.all(
      [0, 1].map(() => net.addProvider(['--serve-streams', '--price', '0.002'])),
    )
    await Promise.all([first, second].map((p) => client.dial(multiaddr(p.multiaddrs[0]))))
    const s = await openRemoteSession(MLP, {
      host: client,
      providers: [first.peerId, second.peerId],
      payer: payerAt(PRICE),
    })
    let answered = 0
    for await (const _ of s.stream(Array.from({ length: 1500 }, (_, k) => x(k))))
      if (++answered === 600) void first.kill9()
    await s.close()
    const served = s.served()
    expect(served[first.peerId] + served[second.peerId]).toBe(1500)
    expect(served[first.peerId]).toBeGreaterThanOrEqual(600)
    const spend = Object.fromEntries(s.spent().map((e) => [e.provider, e]))
    for (const p of [first, second]) {
      const owed = BigInt(served[p.peerId] * COST) * PRICE
      expect(spend[p.peerId].amount).toBe(owed)
      // the dead one through the requester's redemption on its behalf, the live one by its own
      await until(`${p.name} to be paid for its ${served[p.peerId]} answers`, async () =>
        (await wallet.jobInfo(BigInt(spend[p.peerId].escrowJob))).paid === owed ? true : undefined,
      )
    }
  }, 120_000)

  it('a payer refuses a provider that asks more than its max price, before any money moves', async () => {
    const payer = payerAt(PRICE - 1n)
    await expect(
      openRemoteSession(MLP, { host: client, providers: [net.providers[0].peerId], payer, failover: false }),
    ).rejects.toThrow(/asks 0\.002 MUT per 1,000 units, above the max price/)
    expect(payer.spent()).toEqual([])
  })
})
