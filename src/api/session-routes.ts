import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type Address, getAddress, type Hex } from 'viem'
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import type { Ledger } from '../ledger/index.js'
import { ledgerWallet } from '../stream/session-payer.js'

const Uint = z.string().regex(/^\d{1,78}$/, 'a decimal string of a non-negative integer')
const Addr = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address')
const EscrowBody = z.strictObject({ budget: Uint, pricePerUnit: Uint, deadline: Uint, payee: Addr })
const VoucherBody = z.strictObject({
  jobId: Uint,
  provider: Addr,
  cumulativeUnits: Uint,
  cumulativeAmount: Uint,
  receiptsRoot: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex root'),
})

async function parse<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.infer<S>> {
  const body = await ctx.req.json().catch(() => {
    throw new InvalidInputError('body is not valid JSON')
  })
  const r = schema.safeParse(body)
  if (!r.success)
    throw new InvalidInputError(
      `invalid request: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  return r.data
}

/**
 * The node's wallet for streaming sessions run by a client process (`mutirao stream --pay`): open a funded
 * escrow naming one payee, and sign vouchers — only for escrows opened here, to their payee, at their price,
 * within their budget, so the token holder cannot make the node sign for anything else; and reclaim the rest of
 * a session's escrow after its deadline and the redeem window.
 */
export function registerSessionRoutes(
  app: Hono,
  ledger: Pick<
    Ledger,
    'chainId' | 'address' | 'deployments' | 'openJob' | 'addPayees' | 'signVoucher' | 'reclaim' | 'redeem'
  >,
): void {
  const wallet = ledgerWallet(ledger)
  const opened = new Map<string, { budget: bigint; pricePerUnit: bigint; payee: Address }>()
  const small = bodyLimit({ maxSize: 4096 })
  app.get('/v1/sessions/wallet', (ctx) =>
    ctx.json({ chainId: wallet.chainId, address: wallet.address, escrow: wallet.escrow }),
  )
  app.post('/v1/sessions/escrow', small, async (ctx) => {
    const b = await parse(ctx, EscrowBody)
    const p = {
      budget: BigInt(b.budget),
      pricePerUnit: BigInt(b.pricePerUnit),
      deadline: BigInt(b.deadline),
      payee: getAddress(b.payee),
    }
    if (p.pricePerUnit === 0n || p.budget === 0n)
      throw new InvalidInputError('a session escrow needs a price and a budget above 0')
    const escrowJob = await wallet.openEscrow(p)
    opened.set(escrowJob.toString(), p)
    return ctx.json({ escrowJob: escrowJob.toString() })
  })
  app.post('/v1/sessions/voucher', small, async (ctx) => {
    const b = await parse(ctx, VoucherBody)
    const escrow = opened.get(b.jobId)
    if (!escrow)
      throw new InvalidInputError(`escrow job ${b.jobId} was not opened for a session by this node`)
    const units = BigInt(b.cumulativeUnits)
    const amount = BigInt(b.cumulativeAmount)
    if (getAddress(b.provider) !== escrow.payee)
      throw new InvalidInputError(`escrow job ${b.jobId} pays ${escrow.payee}, not ${b.provider}`)
    if (amount !== units * escrow.pricePerUnit || amount > escrow.budget)
      throw new InvalidInputError(
        `a voucher of escrow job ${b.jobId} is units × ${escrow.pricePerUnit}, at most ${escrow.budget}`,
      )
    const signature = await wallet.signVoucher({
      jobId: BigInt(b.jobId),
      provider: escrow.payee,
      cumulativeUnits: units,
      cumulativeAmount: amount,
      receiptsRoot: b.receiptsRoot as Hex,
    })
    return ctx.json({ signature })
  })
  app.post('/v1/sessions/redeem', small, async (ctx) => {
    const b = await parse(ctx, VoucherBody.extend({ signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/) }))
    const escrow = opened.get(b.jobId)
    if (!escrow)
      throw new InvalidInputError(`escrow job ${b.jobId} was not opened for a session by this node`)
    const paid = await wallet.redeemFor(
      {
        jobId: BigInt(b.jobId),
        provider: getAddress(b.provider),
        cumulativeUnits: BigInt(b.cumulativeUnits),
        cumulativeAmount: BigInt(b.cumulativeAmount),
        receiptsRoot: b.receiptsRoot as Hex,
      },
      b.signature as Hex,
    )
    return ctx.json({ paid: paid.toString() })
  })
  app.post('/v1/sessions/reclaim', small, async (ctx) => {
    const { escrowJob } = await parse(ctx, z.strictObject({ escrowJob: Uint }))
    const { txHash, amount } = await ledger.reclaim(BigInt(escrowJob))
    return ctx.json({ escrowJob, amount: amount.toString(), txHash })
  })
}
