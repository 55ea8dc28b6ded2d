import { randomUUID } from 'node:crypto'
import type { PrivateKey } from '@libp2p/interface'
import { type Address, getAddress, type Hex } from 'viem'
import { InvalidInputError } from '../errors.js'
import {
  type Ledger,
  receiptLeaf,
  receiptRootOfLeaves,
  StaleVoucherError,
  type Voucher,
} from '../ledger/index.js'
import { formatPrice } from '../market/price.js'
import { signPayload } from '../net/signing.js'
import { type TaskRecord, toReceipt } from '../payments/receipt.js'
import { DOMAINS } from '../protocols/ids.js'
import { type Agreement, signedPart } from '../protocols/market-messages.js'
import type { StreamTerms } from '../protocols/stream-messages.js'
import type { VoucherMessage } from '../protocols/task-messages.js'

/** What a session's payer did with one provider. */
export interface SessionSpend {
  provider: string
  escrowJob: string
  pricePerUnit: bigint
  /** Locked in the escrow job for the session. */
  budget: bigint
  /** Units and amount the vouchers cover so far. */
  units: bigint
  amount: bigint
  /** When the rest of the budget can be reclaimed (`mutirao ledger reclaim`), epoch ms. */
  deadline: number
}

/** Pays the providers of remote streaming sessions: one agreement and escrow job each, cumulative vouchers. */
export interface SessionPayer {
  /** Agree to a provider's terms: open a funded escrow naming it payee, and sign the agreement. */
  agree(
    terms: StreamTerms,
    session: { requester: string; provider: string; modelHash: string },
  ): Promise<Agreement>
  /** The cumulative voucher covering every receipt of `agreement` so far, `receipt` included. */
  voucher(agreement: Agreement, receipt: TaskRecord): Promise<VoucherMessage>
  /**
   * Redeem `voucher` on-chain for the provider of `agreement`: its stream broke before the voucher reached it,
   * and it must not lose what it answered. Resolves with what was paid.
   */
  redeemFor(agreement: Agreement, voucher: VoucherMessage): Promise<bigint>
  spent(): SessionSpend[]
}

/** The wallet side of paying sessions: open a funded escrow naming one payee, sign vouchers. */
export interface SessionWallet {
  chainId: number
  address: Address
  /** The escrow contract. */
  escrow: Address
  /** Open an escrow job of `budget` at `pricePerUnit`, locked until `deadline` (unix s), `payee` its payee. */
  openEscrow(p: { budget: bigint; pricePerUnit: bigint; deadline: bigint; payee: Address }): Promise<bigint>
  signVoucher(v: Voucher): Promise<Hex>
  /** Redeem a signed voucher for its provider; resolves with what it paid (0 if the provider redeemed it first). */
  redeemFor(v: Voucher, signature: Hex): Promise<bigint>
}

/** A session wallet on a ledger client (this process holds the key). */
export function ledgerWallet(
  ledger: Pick<
    Ledger,
    'chainId' | 'address' | 'deployments' | 'openJob' | 'addPayees' | 'signVoucher' | 'redeem'
  >,
): SessionWallet {
  return {
    chainId: ledger.chainId,
    address: ledger.address,
    escrow: ledger.deployments.escrow,
    async openEscrow(p) {
      const { jobId } = await ledger.openJob({ ...p, permit: true })
      await ledger.addPayees(jobId, [p.payee])
      return jobId
    },
    signVoucher: (v) => ledger.signVoucher(v),
    async redeemFor(v, signature) {
      try {
        return (await ledger.redeem(v, signature)).paid
      } catch (err) {
        if (err instanceof StaleVoucherError) return 0n // the provider redeemed it (or a later one) first
        throw err
      }
    },
  }
}

/** Options of {@link ledgerPayer}. */
export interface LedgerPayerOptions {
  wallet: SessionWallet
  /** The libp2p key of the host the session runs over (the agreement's requester signs with it). */
  peerKey: PrivateKey
  /** Highest price per work unit accepted, in token base units. */
  maxPricePerUnit: bigint
  /** Tokens locked per provider for the session (base units). */
  budget: bigint
  /** How long the agreement (and the escrow's lock) lasts, ms (default one hour). */
  ttlMs?: number
}

/**
 * A payer on the requester's own wallet: per provider, an escrow job funded with `budget` at the provider's
 * price (refused above `maxPricePerUnit`), the provider named payee, a signed agreement, and a cumulative
 * EIP-712 voucher (units, amount, Merkle root of the session's receipts) for every receipt.
 */
export function ledgerPayer(o: LedgerPayerOptions): SessionPayer {
  const sessions = new Map<
    string,
    { spend: SessionSpend; leaves: Hex[]; providerEth: Address; escrowJob: bigint }
  >()
  return {
    async agree(terms, session) {
      const { wallet } = o
      if (terms.chainId !== wallet.chainId || getAddress(terms.escrow) !== getAddress(wallet.escrow))
        throw new InvalidInputError(
          `provider ${session.provider} is paid on chain ${terms.chainId} (escrow ${terms.escrow}); this wallet is on chain ${wallet.chainId}`,
        )
      const price = BigInt(terms.pricePerUnit)
      if (price > o.maxPricePerUnit)
        throw new InvalidInputError(
          `provider ${session.provider} asks ${formatPrice(price)}, above the max price ${formatPrice(o.maxPricePerUnit)}`,
        )
      if (o.budget < price * BigInt(terms.costPerSample))
        throw new InvalidInputError(`the session budget does not pay for one sample at ${formatPrice(price)}`)
      const deadline = Date.now() + (o.ttlMs ?? 3_600_000)
      const escrowJob = await wallet.openEscrow({
        budget: o.budget,
        pricePerUnit: price,
        deadline: BigInt(Math.ceil(deadline / 1000)),
        payee: getAddress(terms.providerEth),
      })
      const id = randomUUID()
      const unsigned = {
        v: 1 as const,
        agreementId: id,
        demandId: id,
        jobId: `session-${id}`,
        requester: session.requester,
        provider: session.provider,
        providerEth: terms.providerEth,
        pricePerUnit: price.toString(),
        kind: 'onnx-inference' as const,
        modelHash: session.modelHash,
        costPerSample: terms.costPerSample,
        deadline,
        escrow: { chainId: wallet.chainId, escrow: wallet.escrow, jobId: escrowJob.toString() },
        requesterEth: wallet.address,
      }
      const requesterSig = await signPayload(o.peerKey, DOMAINS.agreement, signedPart(unsigned))
      sessions.set(id, {
        spend: {
          provider: session.provider,
          escrowJob: escrowJob.toString(),
          pricePerUnit: price,
          budget: o.budget,
          units: 0n,
          amount: 0n,
          deadline,
        },
        leaves: [],
        providerEth: getAddress(terms.providerEth),
        escrowJob,
      })
      return { ...unsigned, requesterSig }
    },
    async voucher(agreement, receipt) {
      const s = sessions.get(agreement.agreementId)
      if (!s) throw new InvalidInputError(`no session agreement ${agreement.agreementId}`)
      s.leaves.push(receiptLeaf(toReceipt(s.escrowJob, s.providerEth, receipt)))
      s.spend.units += BigInt(receipt.units)
      s.spend.amount = s.spend.units * s.spend.pricePerUnit
      const voucher = {
        jobId: s.escrowJob,
        provider: s.providerEth,
        cumulativeUnits: s.spend.units,
        cumulativeAmount: s.spend.amount,
        receiptsRoot: await receiptRootOfLeaves(s.leaves),
      }
      return {
        t: 'voucher',
        escrowJob: s.escrowJob.toString(),
        cumulativeUnits: voucher.cumulativeUnits.toString(),
        cumulativeAmount: voucher.cumulativeAmount.toString(),
        receiptsRoot: voucher.receiptsRoot,
        signature: await o.wallet.signVoucher(voucher),
        taskIds: [receipt.taskId],
      }
    },
    async redeemFor(agreement, msg) {
      const s = sessions.get(agreement.agreementId)
      if (!s) throw new InvalidInputError(`no session agreement ${agreement.agreementId}`)
      const voucher = {
        jobId: s.escrowJob,
        provider: s.providerEth,
        cumulativeUnits: BigInt(msg.cumulativeUnits),
        cumulativeAmount: BigInt(msg.cumulativeAmount),
        receiptsRoot: msg.receiptsRoot as Hex,
      }
      return o.wallet.redeemFor(voucher, msg.signature as Hex)
    },
    spent: () => [...sessions.values()].map((s) => ({ ...s.spend })),
  }
}
