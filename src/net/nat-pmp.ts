import dgram from 'node:dgram'
import { readFile } from 'node:fs/promises'

/**
 * NAT-PMP (RFC 6886), the client side: ask the home router to forward a TCP port. Two requests: the
 * router's external address (opcode 0) and a mapping (opcode 2 for TCP), each a few bytes of UDP to the
 * default gateway's port 5351, retried at 250 ms, 500 ms, 1 s … as the RFC says.
 */

/** The gateway's port for NAT-PMP requests. */
export const NAT_PMP_PORT = 5351

const RESULT_TEXT = [
  'success',
  'unsupported version',
  'not authorized or refused (NAT-PMP switched off on the router?)',
  'network failure (the router has no external address yet)',
  'out of resources (no port left)',
  'unsupported opcode',
]

/** A port the router forwards to us. */
export interface PortMapping {
  externalIp: string
  externalPort: number
  internalPort: number
  /** Seconds the router keeps it; renew before. */
  lifetime: number
}

/** The external-address request. */
export function encodeAddressRequest(): Uint8Array {
  return Uint8Array.of(0, 0)
}

/** A TCP mapping request (lifetime 0 removes the mapping). */
export function encodeMapRequest(internalPort: number, externalPort: number, lifetime: number): Uint8Array {
  const b = Buffer.alloc(12)
  b.writeUInt8(0, 0)
  b.writeUInt8(2, 1)
  b.writeUInt16BE(internalPort, 4)
  b.writeUInt16BE(externalPort, 6)
  b.writeUInt32BE(lifetime, 8)
  return b
}

function checkHeader(b: Buffer, op: number, length: number): void {
  if (b.length < length) throw new Error(`NAT-PMP: a ${b.length}-byte answer, ${length} expected`)
  if (b[0] !== 0 || b[1] !== 128 + op)
    throw new Error(`NAT-PMP: unexpected answer (version ${b[0]}, op ${b[1]})`)
  const result = b.readUInt16BE(2)
  if (result !== 0) throw new Error(`NAT-PMP: the router says ${RESULT_TEXT[result] ?? `result ${result}`}`)
}

/** The router's external IPv4 address from its answer. */
export function decodeAddressResponse(b: Buffer): string {
  checkHeader(b, 0, 12)
  return [...b.subarray(8, 12)].join('.')
}

/** The mapping from the router's answer to a TCP mapping request. */
export function decodeMapResponse(b: Buffer, externalIp: string): PortMapping {
  checkHeader(b, 2, 16)
  return {
    externalIp,
    internalPort: b.readUInt16BE(8),
    externalPort: b.readUInt16BE(10),
    lifetime: b.readUInt32BE(12),
  }
}

/** Send `request` to the gateway and resolve with its first answer (RFC 6886 retry schedule). */
async function ask(gateway: string, request: Uint8Array, tries: number): Promise<Buffer> {
  const socket = dgram.createSocket('udp4')
  try {
    return await new Promise<Buffer>((ok, fail) => {
      let timer: NodeJS.Timeout | undefined
      socket.on('message', (msg, from) => {
        if (from.address !== gateway || from.port !== NAT_PMP_PORT) return // only the gateway answers
        clearTimeout(timer)
        ok(msg)
      })
      socket.on('error', fail)
      const send = (attempt: number) => {
        if (attempt >= tries) return fail(new Error(`NAT-PMP: no answer from ${gateway}:${NAT_PMP_PORT}`))
        socket.send(request, NAT_PMP_PORT, gateway)
        timer = setTimeout(() => send(attempt + 1), 250 * 2 ** attempt)
      }
      send(0)
    })
  } finally {
    socket.close()
  }
}

/** Ask `gateway` to forward TCP `externalPort` (a wish; the router may pick another) to `internalPort`. */
export async function mapTcpPort(
  gateway: string,
  internalPort: number,
  options: { externalPort?: number; lifetime?: number; tries?: number } = {},
): Promise<PortMapping> {
  const tries = options.tries ?? 4
  const externalIp = decodeAddressResponse(await ask(gateway, encodeAddressRequest(), tries))
  const request = encodeMapRequest(
    internalPort,
    options.externalPort ?? internalPort,
    options.lifetime ?? 7200,
  )
  return decodeMapResponse(await ask(gateway, request, tries), externalIp)
}

/** Ask `gateway` to remove the mapping of `internalPort` (best effort: one try). */
export async function unmapTcpPort(gateway: string, internalPort: number): Promise<void> {
  await ask(gateway, encodeMapRequest(internalPort, 0, 0), 1).catch(() => {})
}

/** The default IPv4 gateway from the kernel's routing table (`/proc/net/route`), or undefined. */
export async function defaultGateway(routeTable = '/proc/net/route'): Promise<string | undefined> {
  const text = await readFile(routeTable, 'utf8').catch(() => '')
  for (const line of text.split('\n').slice(1)) {
    const [, destination, gateway] = line.trim().split(/\s+/)
    if (destination === '00000000' && gateway && gateway !== '00000000') {
      const n = Number.parseInt(gateway, 16) // little-endian in the file
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.')
    }
  }
  return undefined
}
