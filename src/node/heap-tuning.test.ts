import { describe, expect, it } from 'vitest'
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from './heap-tuning.js'

describe('heapGrowingPercent', () => {
  it('defaults, takes a whole percent from the environment, and 0 for V8 heuristics', () => {
    expect(heapGrowingPercent({})).toBe(DEFAULT_HEAP_GROWING_PERCENT)
    expect(heapGrowingPercent({ MUTIRAO_HEAP_GROWING_PERCENT: ' 250 ' })).toBe(250)
    expect(heapGrowingPercent({ MUTIRAO_HEAP_GROWING_PERCENT: '0' })).toBe(0)
  })

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['-1', '1.5', 'lots', '5000'])
      expect(() => heapGrowingPercent({ MUTIRAO_HEAP_GROWING_PERCENT: bad })).toThrow(
        /MUTIRAO_HEAP_GROWING_PERCENT must be a whole number/,
      )
  })
})
