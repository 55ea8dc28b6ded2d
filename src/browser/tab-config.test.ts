import { describe, expect, it } from 'vitest'
import { choicesFromQuery, DEFAULT_CHOICES, TabConfigFile, threadsFor } from './tab-config.js'

describe('tab choices and config', () => {
  it('reads the visitor’s choices from the query string, keeping defaults for what is absent or invalid', () => {
    expect(choicesFromQuery(new URLSearchParams(''))).toEqual({ ...DEFAULT_CHOICES, bootstrap: [] })
    const q = new URLSearchParams(
      'backend=wasm&share=0.25&pauseHidden=1&pauseBattery=0&price=0.002&bootstrap=/a&bootstrap=/b',
    )
    expect(choicesFromQuery(q)).toEqual({
      backend: 'wasm',
      coreShare: 0.25,
      pauseWhenHidden: true,
      pauseOnBattery: false,
      price: '0.002',
      bootstrap: ['/a', '/b'],
    })
    expect(choicesFromQuery(new URLSearchParams('backend=cuda&share=7')).backend).toBe('auto')
    expect(choicesFromQuery(new URLSearchParams('share=7')).coreShare).toBe(DEFAULT_CHOICES.coreShare)
    expect(() => choicesFromQuery(new URLSearchParams('price=lots'))).toThrow()
  })

  it('runs at least one task, and a share of the cores', () => {
    expect(threadsFor(0.1, 2)).toBe(1)
    expect(threadsFor(0.5, 16)).toBe(8)
    expect(threadsFor(1, 8)).toBe(8)
  })

  it('validates tab-config.json: bounded bootstrap list, an http(s) RPC URL', () => {
    expect(TabConfigFile.parse({})).toEqual({ bootstrap: [], network: 'local' })
    expect(TabConfigFile.parse({ network: 'farms-coop' }).network).toBe('farms-coop')
    expect(() => TabConfigFile.parse({ network: '../x' })).toThrow()
    expect(() => TabConfigFile.parse({ bootstrap: Array(17).fill('/x') })).toThrow()
    expect(() => TabConfigFile.parse({ chain: { rpcUrl: 'nope', chainId: 1, deployments: {} } })).toThrow()
  })
})
