import { describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load.js'
import { boundPorts, withStablePorts } from './listen-ports.js'

const P = '/p2p/12D3KooWG3L2zAH27eRrg98BsU8VQB74ZJuR9ZgHRs18f3k9Fu1a'

describe('stable listen ports', () => {
  it('reads the TCP and WebSocket ports, ignoring relayed addresses', () => {
    expect(
      boundPorts([
        `/ip4/198.18.0.11/tcp/4001${P}/p2p-circuit${P}`,
        `/ip4/10.0.0.2/tcp/41234${P}`,
        `/ip4/10.0.0.2/tcp/41235/ws${P}`,
      ]),
    ).toEqual({ tcpPort: 41234, wsPort: 41235 })
  })

  it('saves the ports a default config left to chance, once', () => {
    const saved = parseConfig({})
    const next = withStablePorts(saved, false, { tcpPort: 41234, wsPort: 41235 })
    expect(next?.listen).toMatchObject({ tcpPort: 41234, wsPort: 41235 })
    expect(withStablePorts(next!, false, { tcpPort: 41234, wsPort: 41235 })).toBeUndefined()
  })

  it('saves nothing when the start overrode the listen settings or the config names addresses', () => {
    expect(withStablePorts(parseConfig({}), true, { tcpPort: 1, wsPort: 2 })).toBeUndefined()
    const explicit = parseConfig({ listen: { addresses: ['/ip4/0.0.0.0/tcp/0'] } })
    expect(withStablePorts(explicit, false, { tcpPort: 1 })).toBeUndefined()
  })
})
