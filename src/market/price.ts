import { InvalidInputError } from '../errors.js'

/** Decimals of the MUT token. */
const DECIMALS = 18
const ONE = 10n ** BigInt(DECIMALS)

/** Base units as a decimal of MUT, trailing zeros trimmed (viem's formatUnits; kept here so the CLI loads fast). */
function formatMut(units: bigint): string {
  const sign = units < 0n ? '-' : ''
  const abs = units < 0n ? -units : units
  const frac = (abs % ONE).toString().padStart(DECIMALS, '0').replace(/0+$/, '')
  return `${sign}${abs / ONE}${frac ? `.${frac}` : ''}`
}

/** A validated non-negative decimal (at most 18 decimals) of MUT as base units. */
function parseDecimalMut(text: string): bigint {
  const [whole, frac = ''] = text.split('.')
  return BigInt(whole) * ONE + BigInt(frac.padEnd(DECIMALS, '0'))
}

/**
 * Prices are quoted to people in MUT per 1,000 work units; on the wire, in agreements and on-chain they are
 * token base units (10⁻¹⁸ MUT) per work unit. A work unit is `1 + ceil(MACs / 1000)` per sample of an ONNX
 * model — about a thousand multiply-accumulates (src/exec/model-info.ts) — or one second of a wasm run's
 * time limit; so 1 MUT per 1,000 units is 1 MUT per ~1M multiply-accumulates.
 */
export const UNITS_PER_QUOTE = 1000n

/** Default ask of a provider: 0.001 MUT per 1,000 work units. */
export const DEFAULT_ASK = '0.001'
/** Default most a job pays: 0.01 MUT per 1,000 work units (ten times the default ask). */
export const DEFAULT_MAX_PRICE = '0.01'

/** A price as people write it: MUT per 1,000 work units, a plain decimal with at most 15 decimals. */
export const PRICE_PATTERN = /^\d{1,30}(\.\d{1,15})?$/

/** Token base units (10⁻¹⁸ MUT) as a decimal number of MUT, trailing zeros trimmed: `2500n` → `'0.0000000000000025'`. */
export const mutAmount = (baseUnits: bigint | string): string => formatMut(BigInt(baseUnits))

/** The number of MUT per 1,000 work units of a price in base units per work unit (what {@link parsePrice} reads). */
export const priceAmount = (perUnit: bigint | string): string => mutAmount(BigInt(perUnit) * UNITS_PER_QUOTE)

/**
 * Base units per work unit of a price in MUT per 1,000 work units.
 * @example parsePrice('0.002') // 2_000_000_000_000n
 * @throws InvalidInputError when it is not a non-negative decimal with at most 15 decimals.
 */
export function parsePrice(mutPer1000: string): bigint {
  const text = mutPer1000.trim()
  if (!PRICE_PATTERN.test(text))
    throw new InvalidInputError(`Not a price: ${JSON.stringify(text.slice(0, 60))}`, {
      metaMessages: ['Give MUT per 1,000 work units as a decimal with at most 15 decimals, e.g. "0.002".'],
    })
  return parseDecimalMut(text) / UNITS_PER_QUOTE
}

/**
 * An amount of MUT typed by a person (`0.5`, `12`) as token base units (18 decimals).
 * @throws InvalidInputError naming `what` (e.g. the flag) when it is not a decimal amount.
 */
export function parseMut(text: string, what: string): bigint {
  const t = text.trim()
  if (!/^\d{1,30}(\.\d{1,18})?$/.test(t))
    throw new InvalidInputError(`${what} ${JSON.stringify(t.slice(0, 40))} is not an amount of MUT`, {
      metaMessages: ['Give MUT as a decimal with at most 18 decimals, e.g. 0.01.'],
    })
  return parseDecimalMut(t)
}

/** A price in base units per work unit, in words: `2000000000000n` → `0.002 MUT per 1,000 units`. */
export function formatPrice(perUnit: bigint | string): string {
  return `${priceAmount(perUnit)} MUT per 1,000 units`
}
