import { Hono } from 'hono'
import { getAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { errorResponse } from './errors.js'
import { registerSessionRoutes } from './session-routes.js'

const PAYEE = getAddress('0x00000000000000000000000000000000000000aa')
const ROOT = `0x${'11'.repeat(32)}`

/** The routes over a stand-in wallet that records what it was asked to do. */
function app() {
  const calls: string[] = []
  const ledger = {
    chainId: 31337,
    address: getAddress('0x00000000000000000000000000000000000000bb'),
    deployments: { escrow: getAddress('0x00000000000000000000000000000000000000cc') },
    openJob: async () => {
      calls.push('openJob')
      return { jobId: 7n, txHash: '0x01' }
    },
    addPayees: async (_id: bigint, payees: readonly string[]) => {
      calls.push(`addPayees ${payees.join(',')}`)
      return { txHash: '0x02', added: [] }
    },
    signVoucher: async () => {
      calls.push('signVoucher')
      return `0x${'ab'.repeat(65)}`
    },
    reclaim: async () => ({ txHash: '0x03', amount: 5n }),
    redeem: async () => ({ txHash: '0x04', paid: 30n, gasUsed: 1n }),
  }
  const hono = new Hono()
  hono.onError((err, ctx) => errorResponse(ctx, err))
  registerSessionRoutes(hono, ledger as never)
  const post = (path: string, body: unknown) =>
    hono.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })
  return { post, calls }
}

const voucher = (over: object = {}) => ({
  jobId: '7',
  provider: PAYEE,
  cumulativeUnits: '10',
  cumulativeAmount: '30',
  receiptsRoot: ROOT,
  ...over,
})

describe('session wallet routes', () => {
  it('opens an escrow naming the payee, then signs only vouchers that fit it', async () => {
    const { post, calls } = app()
    const open = await post('/v1/sessions/escrow', {
      budget: '100',
      pricePerUnit: '3',
      deadline: '99',
      payee: PAYEE,
    })
    expect(await open.json()).toEqual({ escrowJob: '7' })
    expect(calls).toEqual(['openJob', `addPayees ${PAYEE}`])
    expect((await post('/v1/sessions/voucher', voucher())).status).toBe(200)
    const refused = [
      voucher({ jobId: '8' }), // not opened here
      voucher({ provider: getAddress('0x00000000000000000000000000000000000000dd') }), // another payee
      voucher({ cumulativeAmount: '31' }), // not units × price
      voucher({ cumulativeUnits: '40', cumulativeAmount: '120' }), // over the budget
      voucher({ receiptsRoot: '0x12' }), // malformed
    ]
    for (const v of refused) {
      const res = await post('/v1/sessions/voucher', v)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /escrow job|invalid request/,
      )
    }
    expect(calls.filter((c) => c === 'signVoucher')).toHaveLength(1)
    // redeeming for a provider whose stream broke: only for an escrow opened here
    const sig = `0x${'ab'.repeat(65)}`
    expect(await (await post('/v1/sessions/redeem', { ...voucher(), signature: sig })).json()).toEqual({
      paid: '30',
    })
    expect((await post('/v1/sessions/redeem', { ...voucher({ jobId: '8' }), signature: sig })).status).toBe(
      400,
    )
  })

  it('refuses a free or malformed escrow request', async () => {
    const { post, calls } = app()
    expect(
      (await post('/v1/sessions/escrow', { budget: '0', pricePerUnit: '3', deadline: '9', payee: PAYEE }))
        .status,
    ).toBe(400)
    expect(
      (await post('/v1/sessions/escrow', { budget: '1', pricePerUnit: '-3', deadline: '9', payee: PAYEE }))
        .status,
    ).toBe(400)
    expect(
      (
        await post('/v1/sessions/escrow', {
          budget: '1',
          pricePerUnit: '3',
          deadline: '9',
          payee: PAYEE,
          x: 1,
        })
      ).status,
    ).toBe(400)
    expect(calls).toEqual([])
  })
})
