import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Address, type Hex, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import { encodeTensors } from '../../src/exec/tensor-codec.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { mutiraoTokenAbi, providerRegistryAbi } from '../../src/ledger/abi/index.js'
import { activityActions } from '../../src/ledger/activity-actions.js'
import { createLedgerContext, type LedgerContext } from '../../src/ledger/context.js'
import { deployDisputeResolver, disputeActions } from '../../src/ledger/dispute-actions.js'
import { signTaskResult } from '../../src/ledger/dispute-signing.js'
import { startTestChain } from '../../src/ledger/test-utils.js'
import { ANVIL_FAUCET_KEY, tokenActions } from '../../src/ledger/token-actions.js'
import { sha256Hex } from '../../src/store/blob-store.js'
import { corrupt } from '../helpers/byzantine-executor.js'

const MODEL = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')
const STAKE = parseEther('100')
const DEPOSIT = parseEther('10')

describe('disputes on a local chain: slashing, rewards, appeals by re-execution', () => {
  let t: Awaited<ReturnType<typeof startTestChain>>
  let admin: LedgerContext
  let resolver: Address
  const ctx: Record<string, LedgerContext> = {}
  const names = ['requester', 'cheater', 'honest', 'v1', 'v2', 'r1', 'r2', 'r3', 'r4'] as const
  const addr = (n: string) => ctx[n].account.address
  const bal = (n: string) => tokenActions(admin).balanceOf(addr(n))

  beforeAll(async () => {
    t = await startTestChain()
    admin = await createLedgerContext(t.chain.rpcUrl, ANVIL_FAUCET_KEY, t.deployments)
    resolver = await deployDisputeResolver(admin, {
      deposit: DEPOSIT,
      appealWindowSeconds: 3600n,
      voteWindowSeconds: 3600n,
      minRefereeStake: parseEther('10'),
    })
    for (const n of names) {
      const key: Hex = generatePrivateKey()
      const a = privateKeyToAccount(key).address
      await admin.publicClient.request({
        method: 'anvil_setBalance' as never,
        params: [a, '0x56BC75E2D63100000'] as never,
      })
      ctx[n] = await createLedgerContext(t.chain.rpcUrl, key, t.deployments)
      await tokenActions(admin).faucet(a, n === 'requester' ? DEPOSIT * 3n : STAKE)
      if (n === 'requester') continue
      const c = ctx[n]
      await tokenActions(c).approve(t.deployments.registry, STAKE)
      await c.write({
        address: t.deployments.registry,
        abi: providerRegistryAbi,
        functionName: 'register',
        args: [`0x${Buffer.from(n).toString('hex')}`],
      })
      await c.write({
        address: t.deployments.registry,
        abi: providerRegistryAbi,
        functionName: 'stake',
        args: [STAKE],
      })
      if (n.startsWith('r')) await disputeActions(c, resolver).registerReferee()
    }
  }, 120_000)
  afterAll(async () => {
    await t?.cleanup()
  })

  const stakeOf = (n: string) =>
    admin.publicClient.readContract({
      address: t.deployments.registry,
      abi: providerRegistryAbi,
      functionName: 'stakeOf',
      args: [addr(n)],
    })
  const totalSupply = () =>
    admin.publicClient.readContract({
      address: t.deployments.token,
      abi: mutiraoTokenAbi,
      functionName: 'totalSupply',
    })
  const warp = async (s: number) => {
    await admin.publicClient.request({ method: 'evm_increaseTime' as never, params: [s] as never })
    await admin.publicClient.request({ method: 'evm_mine' as never, params: [] as never })
  }

  /** A real task: 4 WDBC-like rows through mlp.onnx; its honest output hash and a wrong one. */
  async function task(id: string) {
    const model = new Uint8Array(await readFile(MODEL))
    const x = tensorFromValues(
      'float32',
      [4, 30],
      Array.from({ length: 120 }, (_, i) => ((i * 37) % 101) / 50),
    )
    const input = encodeTensors({ x })
    const out = await runOnnxLocally(model, { x })
    const wrong = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, corrupt(v, 0.5)]))
    return {
      fields: { taskId: id, inputHash: sha256Hex(input) },
      good: sha256Hex(encodeTensors(out)),
      bad: sha256Hex(encodeTensors(wrong)),
      /** What a referee does: run the task again and hash the output. */
      reExecute: async () => sha256Hex(encodeTensors(await runOnnxLocally(model, { x }))),
    }
  }
  const sign = async (n: string, f: { taskId: string; inputHash: string }, outputHash: string) => ({
    provider: addr(n),
    outputHash,
    signature: await signTaskResult(ctx[n].account, { ...f, outputHash }, resolver, admin.chainId),
  })

  it("slashes a cheater's stake, rewards the honest verifiers and burns the rest", async () => {
    const tk = await task('job-a.0001')
    const supply = await totalSupply()
    const before = { v1: await bal('v1'), v2: await bal('v2'), req: await bal('requester') }
    const d = disputeActions(ctx.requester, resolver)
    const id = await d.accuse(tk.fields, await sign('cheater', tk.fields, tk.bad), [
      await sign('v1', tk.fields, tk.good),
      await sign('v2', tk.fields, tk.good),
    ])
    expect(await stakeOf('cheater')).toBe(STAKE / 2n)
    expect((await d.disputeOf(id)).status).toBe('open')
    await warp(3601)
    await d.resolve(id)
    expect((await d.disputeOf(id)).status).toBe('upheld')
    const held = STAKE / 2n
    expect((await bal('v1')) - before.v1).toBe(held / 4n)
    expect((await bal('v2')) - before.v2).toBe(held / 4n)
    expect(await bal('requester')).toBe(before.req) // deposit returned
    expect(await totalSupply()).toBe(supply - held / 2n)
    // the chain's activity tells the cheater's story, newest first (read in windows of 3 blocks: the
    // `Resolved` event names no one, its accused is found from the `Accused` event)
    const seen = await activityActions({
      ...admin,
      deployments: { ...t.deployments, disputeResolver: resolver },
    }).activity({ account: addr('cheater'), step: 3n })
    const kinds = seen.map((e) => e.kind)
    expect(kinds.indexOf('dispute-resolved')).toBeLessThan(kinds.indexOf('accused'))
    expect(seen.find((e) => e.kind === 'dispute-resolved')).toMatchObject({
      outcome: 'upheld',
      disputeId: BigInt(id),
    })
    expect(seen.find((e) => e.kind === 'accused')).toMatchObject({
      counterparty: addr('requester'),
      amount: held,
    })
    expect(kinds).toContain('staked')
  }, 60_000)

  it("an honest provider's appeal succeeds when falsely accused: referees re-execute and side with it", async () => {
    const tk = await task('job-b.0002')
    const reqBefore = await bal('requester')
    // the "quorum" (v1, v2 colluding with the requester) signs a wrong output; the honest provider the right one
    const d = disputeActions(ctx.requester, resolver)
    const id = await d.accuse(tk.fields, await sign('honest', tk.fields, tk.good), [
      await sign('v1', tk.fields, tk.bad),
      await sign('v2', tk.fields, tk.bad),
    ])
    expect(await stakeOf('honest')).toBe(STAKE / 2n)
    await disputeActions(ctx.honest, resolver).appeal(id)
    const { referees, status } = await d.disputeOf(id)
    expect(status).toBe('appealed')
    expect(referees).toHaveLength(3)
    for (const r of referees) {
      const n = names.find((x) => addr(x) === r)!
      expect(n).toMatch(/^r\d$/)
      await disputeActions(ctx[n], resolver).vote(id, await tk.reExecute())
    }
    await d.resolve(id)
    expect((await d.disputeOf(id)).status).toBe('reversed')
    // held stake back (to its wallet) plus the accuser's deposit as compensation
    expect(await bal('honest')).toBe(STAKE / 2n + DEPOSIT)
    expect(await bal('requester')).toBe(reqBefore - DEPOSIT)
  }, 60_000)
})
