import { InvalidInputError } from '../errors.js'

/** What one MUT is worth in a currency the user names (the user's own figure: MUT has no official price). */
export interface FiatRate {
  /** ISO 4217 code or any short label, e.g. "USD", "EUR", "BRL". */
  currency: string
  /** Value of 1 MUT in that currency. */
  perMut: number
}

const ONE_MUT = 10n ** 18n

/**
 * Parse the user's rate: a positive decimal and a 3–5 letter currency code.
 * @throws {InvalidInputError} naming what is wrong.
 */
export function parseFiatRate(perMut: string, currency = 'USD'): FiatRate {
  const value = Number(perMut)
  if (!/^\d{1,20}(\.\d{1,30})?(e-?\d{1,3})?$/i.test(perMut.trim()) || !(value > 0) || !Number.isFinite(value))
    throw new InvalidInputError(`not a price of 1 MUT: ${JSON.stringify(perMut.slice(0, 40))}`, {
      metaMessages: [
        'Give what one MUT is worth in your currency, e.g. --mut-price 0.0000003 --currency USD.',
      ],
    })
  if (!/^[A-Za-z]{3,5}$/.test(currency))
    throw new InvalidInputError(`not a currency code: ${JSON.stringify(currency.slice(0, 20))}`, {
      metaMessages: ['Use a code such as USD, EUR or BRL.'],
    })
  return { currency: currency.toUpperCase(), perMut: value }
}

/** `baseUnits` of MUT in the rate's currency, to 3 significant digits: "≈ 0.00196 USD". */
export function fiatAmount(baseUnits: bigint | string, rate: FiatRate): string {
  const units = BigInt(baseUnits)
  // whole MUT and the fraction apart, so that amounts past 2^53 base units keep their precision
  const mut = Number(units / ONE_MUT) + Number(units % ONE_MUT) / 1e18
  const value = mut * rate.perMut
  const text = value === 0 ? '0' : value >= 1000 ? value.toFixed(0) : value.toPrecision(3)
  return `≈ ${text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')} ${rate.currency}`
}
