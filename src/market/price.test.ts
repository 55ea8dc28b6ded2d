import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ASK,
  DEFAULT_MAX_PRICE,
  formatPrice,
  mutAmount,
  parseMut,
  parsePrice,
  priceAmount,
} from './price.js'

describe('prices in MUT per 1,000 work units', () => {
  it('parses into base units per work unit and formats back', () => {
    expect(parsePrice('0.002')).toBe(2_000_000_000_000n)
    expect(parsePrice('1')).toBe(10n ** 15n)
    expect(parsePrice('0')).toBe(0n)
    expect(parsePrice(DEFAULT_ASK) < parsePrice(DEFAULT_MAX_PRICE)).toBe(true)
    expect(formatPrice(2_000_000_000_000n)).toBe('0.002 MUT per 1,000 units')
    expect(formatPrice('1')).toBe('0.000000000000001 MUT per 1,000 units')
  })

  it('refuses what is not a plain decimal with at most 15 decimals', () => {
    for (const bad of ['-1', '1e3', 'abc', '0.0000000000000001', '', '1,5'])
      expect(() => parsePrice(bad)).toThrow(/Not a price/)
  })

  it('property: formatting then parsing gives back any price', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (perUnit) => {
        expect(parsePrice(priceAmount(perUnit))).toBe(perUnit)
      }),
    )
  })
})

describe('MUT amounts without viem', () => {
  it('format and parse exactly as viem does', async () => {
    const { formatUnits, parseUnits } = await import('viem')
    for (const units of [0n, 1n, 10n ** 18n, 2_500_000_000_000_000n, 123456789012345678901234567890n, -5n])
      expect(mutAmount(units)).toBe(formatUnits(units, 18))
    for (const text of ['0', '1', '0.5', '12.000000000000000001', '999999999999.25'])
      expect(parseMut(text, 'x')).toBe(parseUnits(text, 18))
    expect(parsePrice('0.002')).toBe(parseUnits('0.002', 18) / 1000n)
    expect(() => parseMut('1e5', '--budget')).toThrow(/--budget "1e5" is not an amount of MUT/)
  })
})
