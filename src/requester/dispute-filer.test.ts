import type { Address, Hex, LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import type { SignedTaskResult } from '../ledger/dispute-actions.js'
import { signTaskResult } from '../ledger/dispute-signing.js'
import { logger } from '../log.js'
import { DisputeFiler, type DisputeLedger, disputeFilerFor, quorumEvidence } from './dispute-filer.js'
import { VerificationSpecSchema } from './job-spec.js'
import type { Answer } from './vote-scheduler.js'

const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address
const H = (c: string) => c.repeat(64)
const answer = (n: number, hash: string, eth = addr(n)): Answer => ({
  provider: `peer-${n}`,
  taskId: `t${n}`,
  hash,
  body: new Uint8Array(),
  evidence: { provider: eth, outputHash: hash, signature: `0x${'11'.repeat(65)}` as Hex },
})

const accounts = new Map<number, LocalAccount>()
const account = (n: number) => {
  if (!accounts.has(n)) accounts.set(n, privateKeyToAccount(generatePrivateKey()))
  return accounts.get(n)!
}
/** Provider n's answer with real EIP-712 evidence for job `job-1` and the test resolver. */
async function signed(n: number, hash: string, inputHash: string): Promise<Answer> {
  const a = account(n)
  const taskResult = { taskId: 'job-1', inputHash, outputHash: hash }
  const signature = await signTaskResult(a, taskResult, addr(999), 31337)
  return { ...answer(n, hash, a.address), evidence: { provider: a.address, outputHash: hash, signature } }
}

/** A ledger that records accusations (the filer's logic without a chain; the chain path is integration-tested). */
function fakeLedger(stake: bigint, fail?: Error) {
  const accused: { taskId: string; accused: SignedTaskResult; quorum: SignedTaskResult[] }[] = []
  const ledger = {
    chainId: 31337,
    deployments: { disputeResolver: addr(999) },
    stakeOf: async () => stake,
    disputes: {
      async accuse(task: { taskId: string }, a: SignedTaskResult, quorum: SignedTaskResult[]) {
        if (fail) throw fail
        accused.push({ taskId: task.taskId, accused: a, quorum })
        return BigInt(accused.length)
      },
    },
  } as unknown as DisputeLedger
  return { ledger, accused }
}
const log = logger('test')
const spec = (v: object) => VerificationSpecSchema.parse(v)

describe('quorumEvidence', () => {
  it('takes the largest group of one identical output hash, one signature per address, never the accused', () => {
    const bad = answer(9, H('f')).evidence!
    const q = quorumEvidence(bad, [answer(1, H('a')), answer(2, H('a')), answer(3, H('b'))])
    expect(q.map((e) => e.provider)).toEqual([addr(1), addr(2)])
    // agreeing within tolerance but with different bytes: no two identical signed outputs
    expect(quorumEvidence(bad, [answer(1, H('a')), answer(2, H('b'))])).toHaveLength(1)
    // two peers behind one address count once; the accused's own address never counts
    expect(quorumEvidence(bad, [answer(1, H('a')), answer(2, H('a'), addr(1))])).toHaveLength(1)
    expect(quorumEvidence(bad, [answer(1, H('a')), answer(2, H('a'), addr(9))])).toHaveLength(1)
  })
})

describe('DisputeFiler', () => {
  it('files one accusation per outvoted answer with evidence, with the job id as task id', async () => {
    const { ledger, accused } = fakeLedger(10n)
    let changes = 0
    const f = new DisputeFiler(ledger as never, 'job-1', log, () => changes++)
    const c = H('c')
    f.decided(3, c, [await signed(1, H('a'), c), await signed(2, H('a'), c)], [await signed(9, H('f'), c)])
    await f.settled(5000)
    expect(accused).toHaveLength(1)
    expect(accused[0].taskId).toBe('job-1')
    expect(accused[0].accused.provider).toBe(account(9).address)
    expect(f.records).toEqual([
      expect.objectContaining({ shard: 3, accused: 'peer-9', status: 'filed', disputeId: '1' }),
    ])
    expect(changes).toBeGreaterThan(0)
  })

  it('skips without a quorum of identical signatures, unverifiable signatures or stake; records failures', async () => {
    const none = fakeLedger(0n)
    const f = new DisputeFiler(none.ledger as never, 'job-1', log, () => {})
    const [c, d] = [H('c'), H('d')]
    f.decided(0, c, [await signed(1, H('a'), c), await signed(2, H('b'), c)], [await signed(9, H('f'), c)])
    f.decided(1, d, [await signed(1, H('a'), d), await signed(2, H('a'), d)], [await signed(9, H('f'), d)])
    await f.settled(5000)
    expect(f.records.map((r) => [r.status, r.reason])).toEqual([
      ['skipped', expect.stringMatching(/fewer than 2/)],
      ['skipped', 'the accused has no stake'],
    ])
    expect(none.accused).toHaveLength(0)
    // signatures are recovered before filing: a forged quorum member or accused evidence stops the filing
    const staked = fakeLedger(10n)
    const h = new DisputeFiler(staked.ledger as never, 'job-1', log, () => {})
    h.decided(0, c, [await signed(1, H('a'), c), answer(2, H('a'))], [await signed(9, H('f'), c)])
    h.decided(1, c, [await signed(1, H('a'), c), await signed(2, H('a'), c)], [answer(9, H('f'))])
    // signed for another input than the shard's
    h.decided(2, d, [await signed(1, H('a'), c), await signed(2, H('a'), c)], [await signed(9, H('f'), d)])
    await h.settled(5000)
    expect(h.records.map((r) => [r.status, r.reason])).toEqual([
      ['skipped', expect.stringMatching(/fewer than 2 verifiable/)],
      ['skipped', expect.stringMatching(/does not verify/)],
      ['skipped', expect.stringMatching(/fewer than 2 verifiable/)],
    ])
    expect(staked.accused).toHaveLength(0)
    const broken = fakeLedger(10n, new Error('InsufficientAllowance\nmore'))
    const g = new DisputeFiler(broken.ledger as never, 'job-1', log, () => {})
    g.decided(0, c, [await signed(1, H('a'), c), await signed(2, H('a'), c)], [await signed(9, H('f'), c)])
    await g.settled(5000)
    expect(g.records[0]).toMatchObject({ status: 'failed', reason: 'InsufficientAllowance' })
  })

  it('is on by default for verified jobs on a chain with a resolver, off for `none`, `off` or no resolver', async () => {
    const { ledger } = fakeLedger(1n)
    const job = { id: 'j', log, onChange: () => {} }
    expect(disputeFilerFor(ledger, spec({}), job)).toBeInstanceOf(DisputeFiler)
    const f = disputeFilerFor(ledger, spec({ policy: 'replicate' }), job)
    expect(f?.terms).toEqual({ chainId: 31337, resolver: addr(999) })
    expect(disputeFilerFor(ledger, spec({ policy: 'none' }), job)).toBeUndefined()
    expect(disputeFilerFor(ledger, spec({ disputes: 'off' }), job)).toBeUndefined()
    expect(disputeFilerFor({ ...ledger, disputes: undefined }, spec({}), job)).toBeUndefined()
    expect(disputeFilerFor(undefined, spec({}), job)).toBeUndefined()
    // evidence is asked only of staked providers
    expect(await f!.termsFor(addr(1))).toEqual(f!.terms)
    const unstaked = disputeFilerFor(fakeLedger(0n).ledger, spec({}), job)!
    expect(await unstaked.termsFor(addr(1))).toBeUndefined()
  })
})
