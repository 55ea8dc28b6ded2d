import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type Address, getAddress, isAddress } from 'viem'
import { z } from 'zod'
import { InvalidInputError, MutiraoError } from '../errors.js'
import {
  JobClosedError,
  type Ledger,
  LedgerRevertError,
  NotLocalChainError,
  ReclaimTooEarlyError,
  verifyReceiptProof,
} from '../ledger/index.js'
import { mutAmount } from '../market/price.js'
import type { ProviderPayments } from '../payments/provider-payments.js'
import type { RequesterPayments } from '../payments/requester-payments.js'
import type { Requester } from '../requester/requester.js'
import type { ApiErrorBody } from './errors.js'

/** The job has no escrow on the chain (it never reached the market, or it was free). */
export class NoEscrowError extends MutiraoError {
  override name = 'NoEscrowError'
}

/** A provider-only operation was asked of a node that does not provide. */
export class NotProviderError extends MutiraoError {
  override name = 'NotProviderError'
}

/** No redeemed receipt is stored for this task. */
export class ReceiptNotFoundError extends MutiraoError {
  override name = 'ReceiptNotFoundError'
}

/** Where the node settles: shown by `GET /v1/ledger/wallet`. */
export interface ChainSummary {
  chainId: number
  rpcUrl: string
  embedded: boolean
  deploymentsFile: string
}

/** What the ledger routes need from the node. */
export interface LedgerRouteComponents {
  ledger: Ledger
  requester: Requester
  requesterPayments: RequesterPayments
  /** Present when the node provides (pending vouchers, receipt proofs). */
  providerPayments?: ProviderPayments
  /** This node's libp2p peer id (registered on the ProviderRegistry when it stakes). */
  peerId: string
  chain: ChainSummary
}

const amountSchema = z.object({
  amount: z
    .string()
    .regex(/^[0-9]{1,78}$/, 'amount must be a decimal string of token base units')
    .transform((s) => BigInt(s))
    .refine((v) => v > 0n, 'amount must be above 0'),
})

/** Bigints as decimal strings, for JSON bodies. */
export const jsonSafe = <T>(v: T): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)))

async function parseAmount(ctx: Context): Promise<bigint> {
  let body: unknown
  try {
    body = await ctx.req.json()
  } catch {
    throw new InvalidInputError('body is not valid JSON', {
      metaMessages: ['Send {"amount": "<base units>"}.'],
    })
  }
  const r = amountSchema.safeParse(body)
  if (!r.success) {
    throw new InvalidInputError(`invalid amount: ${r.error.issues.map((i) => i.message).join('; ')}`, {
      metaMessages: ['Amounts are decimal strings of token base units (1 token = 10^18).'],
    })
  }
  return r.data.amount
}

/** HTTP status of a ledger-route error: 400 bad request, 404 unknown, 409 the contract refused. */
function ledgerErrorStatus(err: unknown): 400 | 404 | 409 | undefined {
  if ((err as Error).name === 'JobNotFoundError') return 404
  if (err instanceof NotLocalChainError || err instanceof InvalidInputError) return 400
  if (err instanceof ReceiptNotFoundError || err instanceof NoEscrowError) return 404
  if (err instanceof NotProviderError) return 400
  if (err instanceof LedgerRevertError) return 409
  return undefined
}

function ledgerError(ctx: Context, err: unknown) {
  const status = ledgerErrorStatus(err)
  if (!status) throw err
  const e = err as MutiraoError
  const body: ApiErrorBody = { error: { name: e.name, message: e.shortMessage, hints: e.metaMessages } }
  return ctx.json(body, status)
}

/** The escrow of a requester job (on-chain id and price), for job progress. */
export function escrowSummary(c: LedgerRouteComponents, jobId: string) {
  const e = c.requesterPayments.escrowOf(jobId)
  if (!e) return null
  const a = c.requesterPayments.accounts(jobId)
  const settled = a?.settlement?.status === 'settled' ? a.settlement : undefined
  const returned = settled !== undefined || a?.reclaimed !== undefined
  return {
    escrowJob: e.escrowJob.toString(),
    pricePerUnit: e.pricePerUnit.toString(),
    /** Locked in the escrow when the job opened it (base units). */
    budget: a?.budget?.toString() ?? null,
    /** Accepted work at the job's price: what its vouchers pay providers. */
    cost: (a?.accepted ?? 0n).toString(),
    /** Budget not owed to anyone and not yet returned: back by reclaim after the redeem window. */
    refundable: a?.budget === undefined ? null : returned ? '0' : (a.budget - a.accepted).toString(),
    reclaimed: a?.reclaimed?.toString() ?? null,
    /** Returned to the requester when the job closed its escrow with the providers' releases. */
    refunded: settled ? settled.refund : null,
    /** The closing transaction, or why the escrow stayed open (`open`: refundable by reclaim later). */
    settlement: a?.settlement ?? null,
  }
}

/**
 * Register the ledger routes on the (token-protected) API: wallet, faucet, stake/unstake/withdraw,
 * contributions, receipt proofs and escrow reclaim.
 */
export function registerLedgerRoutes(app: Hono, c: LedgerRouteComponents): void {
  const { ledger } = c
  const small = bodyLimit({ maxSize: 4096 })
  const wrap =
    (fn: (ctx: Context) => Promise<Response>) =>
    async (ctx: Context): Promise<Response> => {
      try {
        return await fn(ctx)
      } catch (err) {
        return ledgerError(ctx, err)
      }
    }

  app.get(
    '/v1/ledger/wallet',
    wrap(async (ctx) => {
      const [balance, stake, unbonding, registeredPeerId] = await Promise.all([
        ledger.balance(),
        ledger.stakeOf(),
        ledger.unbondingOf(),
        ledger.peerIdOf(ledger.address),
      ])
      const pending = (c.providerPayments?.held() ?? []).filter((h) => BigInt(h.unredeemed) > 0n)
      return ctx.json(
        jsonSafe({
          address: ledger.address,
          peerId: c.peerId,
          registeredPeerId: registeredPeerId ?? null,
          balance,
          stake,
          unbonding,
          pendingVouchers: pending.map((h) => ({
            escrowJob: h.escrowJob,
            requester: h.requester,
            pricePerUnit: h.price,
            cumulativeUnits: h.voucher.cumulativeUnits,
            cumulativeAmount: h.voucher.cumulativeAmount,
            redeemed: h.redeemedAmount,
            unredeemed: h.unredeemed,
          })),
          chain: { ...c.chain, deployments: ledger.deployments },
        }) as object,
      )
    }),
  )
  app.post(
    '/v1/ledger/faucet',
    small,
    wrap(async (ctx) => {
      const amount = await parseAmount(ctx)
      const txHash = await ledger.faucet(ledger.address, amount)
      return ctx.json({ txHash, amount: amount.toString(), balance: (await ledger.balance()).toString() })
    }),
  )
  app.post(
    '/v1/ledger/stake',
    small,
    wrap(async (ctx) => {
      const amount = await parseAmount(ctx)
      let registered = false
      if (!(await ledger.peerIdOf(ledger.address))) {
        await ledger.register(c.peerId)
        registered = true
      }
      const txHash = await ledger.stake(amount)
      return ctx.json({ txHash, registered, stake: (await ledger.stakeOf()).toString() })
    }),
  )
  app.post(
    '/v1/ledger/unstake',
    small,
    wrap(async (ctx) => {
      const amount = await parseAmount(ctx)
      const txHash = await ledger.requestUnstake(amount)
      const [stake, unbonding] = await Promise.all([ledger.stakeOf(), ledger.unbondingOf()])
      return ctx.json(jsonSafe({ txHash, stake, unbonding }) as object)
    }),
  )
  app.post(
    '/v1/ledger/withdraw',
    wrap(async (ctx) => {
      const txHash = await ledger.withdraw()
      return ctx.json({ txHash, balance: (await ledger.balance()).toString() })
    }),
  )
  app.get(
    '/v1/ledger/contributions',
    wrap(async (ctx) => {
      const p = ctx.req.query('provider')
      const j = ctx.req.query('job')
      if (p !== undefined && !isAddress(p))
        throw new InvalidInputError(`provider is not an address: ${p.slice(0, 60)}`)
      if (j !== undefined && !/^[0-9]{1,78}$/.test(j))
        throw new InvalidInputError(`job is not an escrow job id: ${j.slice(0, 60)}`)
      const list = await ledger.contributions({
        provider: p ? (getAddress(p) as Address) : undefined,
        jobId: j ? BigInt(j) : undefined,
      })
      return ctx.json(jsonSafe(list) as object)
    }),
  )
  app.get(
    '/v1/ledger/activity',
    wrap(async (ctx) => {
      const who = ctx.req.query('account')
      const limit = Number(ctx.req.query('limit') ?? 100)
      if (who !== undefined && who !== 'me' && !isAddress(who))
        throw new InvalidInputError(`account is neither "me" nor an address: ${who.slice(0, 60)}`)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new InvalidInputError('limit must be a whole number in 1..1000')
      const account = who === 'me' ? ledger.address : who ? (getAddress(who) as Address) : undefined
      return ctx.json(jsonSafe(await ledger.activity({ account, limit })) as object)
    }),
  )
  app.get(
    '/v1/ledger/receipts',
    wrap(async (ctx) => {
      const limit = Number(ctx.req.query('limit') ?? 20)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new InvalidInputError('limit must be a whole number in 1..1000')
      return ctx.json(c.providerPayments?.provableTasks(limit) ?? [])
    }),
  )
  app.get(
    '/v1/ledger/prove/:taskId',
    wrap(async (ctx) => {
      const taskId = String(ctx.req.param('taskId'))
      if (!c.providerPayments)
        throw new NotProviderError('this node is not a provider: it holds no task receipts', {
          metaMessages: ['Run `mutirao ledger prove` against the provider node (--data-dir).'],
        })
      const p = c.providerPayments.proofOf(taskId)
      if (!p)
        throw new ReceiptNotFoundError(`no redeemed receipt for task ${taskId.slice(0, 100)}`, {
          metaMessages: ['Only tasks covered by a redeemed voucher can be proven; see `mutirao wallet`.'],
        })
      const [verifiedOnChain, recorded] = await Promise.all([
        ledger.verifyReceipt(p.receipt, p.root, p.proof),
        ledger.contributions({ provider: p.receipt.provider, jobId: p.receipt.jobId }),
      ])
      return ctx.json(
        jsonSafe({
          taskId,
          ...p,
          rootRecordedOnChain: recorded.some((r) => r.receiptsRoot.toLowerCase() === p.root.toLowerCase()),
          verifiedLocally: verifyReceiptProof(p.root, p.receipt, p.proof),
          verifiedOnChain,
        }) as object,
      )
    }),
  )
  app.post(
    '/v1/jobs/:id/reclaim',
    wrap(async (ctx) => {
      const id = String(ctx.req.param('id'))
      c.requester.get(id)
      const escrow = c.requesterPayments.escrowOf(id)
      if (!escrow)
        throw new NoEscrowError(`job ${id} has no escrow on the chain`, {
          metaMessages: ['An escrow is opened when the job first hires providers.'],
        })
      const settled = c.requesterPayments.accounts(id)?.settlement
      if (settled?.status === 'settled')
        throw new JobClosedError(
          `job ${id}'s escrow was closed when the job ended: ${mutAmount(settled.refund)} MUT refunded then (tx ${settled.txHash}); nothing is left to reclaim`,
          { errorName: 'JobClosed', args: [escrow.escrowJob], metaMessages: [`See \`mutirao jobs ${id}\`.`] },
        )
      try {
        const { amount, txHash } = await c.requesterPayments.reclaim(id)
        return ctx.json({
          jobId: id,
          escrowJob: escrow.escrowJob.toString(),
          amount: amount.toString(),
          txHash,
        })
      } catch (err) {
        if (!(err instanceof ReclaimTooEarlyError)) throw err
        const info = await ledger.jobInfo(escrow.escrowJob)
        const until = new Date(Number(info.redeemableUntil) * 1000).toISOString()
        throw new ReclaimTooEarlyError(
          `too early to reclaim job ${id}: providers may redeem until ${until}`,
          {
            errorName: 'ReclaimTooEarly',
            args: [info.redeemableUntil],
            metaMessages: [`Try again after ${until} (deadline + redeem window).`],
            cause: err,
          },
        )
      }
    }),
  )
}
