import { formatPrice, priceAmount } from '../market/price.js'
import { type Decline, DeclineReason } from '../protocols/market-messages.js'

/**
 * Reasons that hold until the demand changes (price, kind, size, memory, hardware, chain); `paused`/`busy` pass.
 */
const LASTING: ReadonlySet<DeclineReason> = new Set(
  DeclineReason.options.filter((r) => r !== 'paused' && r !== 'busy'),
)

/** What the declines of one demand say, for the user and for the decision to fail fast. */
export interface DeclineSummary {
  /** Providers that declined. */
  count: number
  /** Every decline has a lasting reason: waiting will not bring an offer for this demand. */
  lasting: boolean
  /** The lowest ask among `price` declines, in base units per work unit. */
  lowestAsk?: bigint
  /** One line for the user: who declined, why, and what to change. */
  message: string
}

/**
 * Summarise the declines of a demand (one per provider: the last one counts).
 * @example summarizeDeclines(declines, 2_000_000_000_000n).message
 * // "2 provider(s) declined: price ×2 (lowest ask 0.003 MUT per 1,000 units, max price 0.002 MUT per 1,000
 * //  units); raise maxPrice to at least 0.003 (maxPricePerUnit 3000000000000)"
 */
export function summarizeDeclines(declines: readonly Decline[], maxPrice: bigint): DeclineSummary {
  const byProvider = new Map(declines.map((d) => [d.provider, d]))
  const all = [...byProvider.values()]
  const counts = new Map<DeclineReason, number>()
  for (const d of all) counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1)
  const asks = all.filter((d) => d.reason === 'price' && d.ask !== undefined).map((d) => BigInt(d.ask!))
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers only)
  const lowestAsk = asks.length ? asks.reduce((a, b) => (b < a ? b : a)) : undefined
  const parts = [...counts].map(([reason, n]) => {
    const example = all.find((d) => d.reason === reason)!.detail
    if (reason === 'price')
      return `price ×${n} (lowest ask ${formatPrice(lowestAsk!)}, max price ${formatPrice(maxPrice)})`
    return `${reason} ×${n} (${example})`
  })
  const hints: string[] = []
  if (lowestAsk !== undefined)
    hints.push(`raise maxPrice to at least ${priceAmount(lowestAsk)} (maxPricePerUnit ${lowestAsk})`)
  if (counts.has('paused') || counts.has('busy')) hints.push('paused or busy providers may offer later')
  if (counts.has('hardware'))
    hints.push('providers with a GPU run with --gpu webgpu; or drop providers.executionProvider')
  const message = `${all.length} provider(s) declined: ${parts.join(', ')}${hints.length ? `; ${hints.join('; ')}` : ''}`
  return {
    count: all.length,
    lasting: all.length > 0 && all.every((d) => LASTING.has(d.reason)),
    lowestAsk,
    message,
  }
}
