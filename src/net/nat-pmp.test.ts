import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  decodeAddressResponse,
  decodeMapResponse,
  defaultGateway,
  encodeAddressRequest,
  encodeMapRequest,
} from './nat-pmp.js'
import { portMappingText } from './nat-text.js'

describe('NAT-PMP messages (RFC 6886)', () => {
  it('writes the two requests byte for byte', () => {
    expect([...encodeAddressRequest()]).toEqual([0, 0])
    // version 0, opcode 2 (TCP), reserved, internal 4001, suggested external 4001, lifetime 7200 s
    expect([...encodeMapRequest(4001, 4001, 7200)]).toEqual([
      0, 2, 0, 0, 0x0f, 0xa1, 0x0f, 0xa1, 0, 0, 0x1c, 0x20,
    ])
  })

  it('reads the router’s answers', () => {
    const address = Buffer.from([0, 128, 0, 0, 0, 0, 0, 9, 198, 18, 0, 104])
    expect(decodeAddressResponse(address)).toBe('198.18.0.104')
    const map = Buffer.from([0, 130, 0, 0, 0, 0, 0, 9, 0x0f, 0xa1, 0x13, 0x88, 0, 0, 0x0e, 0x10])
    expect(decodeMapResponse(map, '198.18.0.104')).toEqual({
      externalIp: '198.18.0.104',
      internalPort: 4001,
      externalPort: 5000,
      lifetime: 3600,
    })
  })

  it('names a refusal and rejects malformed answers', () => {
    expect(() => decodeAddressResponse(Buffer.from([0, 128, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0]))).toThrow(
      /not authorized or refused/,
    )
    expect(() =>
      decodeMapResponse(Buffer.from([0, 130, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0]), 'x'),
    ).toThrow(/out of resources/)
    expect(() => decodeAddressResponse(Buffer.from([0, 128, 0]))).toThrow(/3-byte answer/)
    expect(() =>
      decodeMapResponse(Buffer.from([0, 129, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0]), 'x'),
    ).toThrow(/unexpected answer/)
  })

  it('finds the default gateway in the kernel’s routing table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'route-'))
    const table = join(dir, 'route')
    await writeFile(
      table,
      [
        'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
        'eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
        'eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      ].join('\n'),
    )
    expect(await defaultGateway(table)).toBe('10.0.2.1')
    await writeFile(table, 'Iface\tDestination\tGateway\neth0\t0002000A\t00000000\n')
    expect(await defaultGateway(table)).toBeUndefined()
    expect(await defaultGateway(join(dir, 'missing'))).toBeUndefined()
  })

  it('says what the router forwards, or why not', () => {
    expect(portMappingText({ gateway: '10.1.0.1', mapped: ['/ip4/198.18.0.104/tcp/4001'] })).toBe(
      '/ip4/198.18.0.104/tcp/4001 forwarded by router 10.1.0.1 (NAT-PMP)',
    )
    expect(portMappingText({ mapped: [], lastError: 'no default gateway' })).toBe(
      'nothing forwarded; last error: no default gateway',
    )
  })
})
