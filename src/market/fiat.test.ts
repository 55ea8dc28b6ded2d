import { describe, expect, it } from 'vitest'
import { fiatAmount, parseFiatRate } from './fiat.js'

const MUT = 10n ** 18n

describe('costs in the user’s currency', () => {
  it('converts MUT base units at the user’s rate, to 3 significant digits', () => {
    const usd = parseFiatRate('0.0000003', 'usd')
    expect(usd).toEqual({ currency: 'USD', perMut: 3e-7 })
    expect(fiatAmount(5769n * MUT, usd)).toBe('≈ 0.00173 USD')
    expect(fiatAmount(0n, usd)).toBe('≈ 0 USD')
    expect(fiatAmount((12n * MUT) / 10n, parseFiatRate('2', 'EUR'))).toBe('≈ 2.4 EUR')
    expect(fiatAmount(10n ** 30n, parseFiatRate('1.5', 'BRL'))).toBe('≈ 1500000000000 BRL')
  })

  it('refuses a rate that is not a positive number, or a currency that is not a code', () => {
    for (const bad of ['0', '-1', 'abc', '1/2', ''])
      expect(() => parseFiatRate(bad)).toThrow(/not a price of 1 MUT/)
    expect(() => parseFiatRate('1', '<script>')).toThrow(/not a currency code/)
  })
})
