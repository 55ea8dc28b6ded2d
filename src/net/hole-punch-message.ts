/**
 * The DCUtR message (libp2p spec `relay/DCUtR.md`): `message HolePunch { required Type type = 1;
 * repeated bytes ObsAddrs = 2; }` with `CONNECT = 100`, `SYNC = 300`. Encoded by hand: two fields.
 */
export interface HolePunchMessage {
  type: 'connect' | 'sync'
  addresses: Uint8Array[]
}

const TYPE_CODE = { connect: 100, sync: 300 } as const
/** Most addresses read from a peer, and the longest one (a multiaddr with a relay circuit is ~120 bytes). */
export const MAX_ADDRESSES = 32
const MAX_ADDRESS_BYTES = 512

function writeVarint(out: number[], value: number): void {
  let v = value
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
}

function readVarint(buf: Uint8Array, at: { pos: number }): number {
  let value = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (at.pos >= buf.length) throw new Error('hole punch message: truncated varint')
    const byte = buf[at.pos++]!
    value |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return value
  }
  throw new Error('hole punch message: varint too long')
}

/** Encode a message (addresses past {@link MAX_ADDRESSES} are left out). */
export function encodeHolePunch(message: HolePunchMessage): Uint8Array {
  const out: number[] = [0x08]
  writeVarint(out, TYPE_CODE[message.type])
  for (const addr of message.addresses.slice(0, MAX_ADDRESSES)) {
    out.push(0x12)
    writeVarint(out, addr.length)
    for (const byte of addr) out.push(byte)
  }
  return Uint8Array.from(out)
}

/** Decode a peer's message; throws, naming the problem, on anything but a well-formed CONNECT or SYNC. */
export function decodeHolePunch(data: Uint8Array | { subarray(): Uint8Array }): HolePunchMessage {
  const buf = data instanceof Uint8Array ? data : data.subarray()
  const at = { pos: 0 }
  let type: HolePunchMessage['type'] | undefined
  const addresses: Uint8Array[] = []
  while (at.pos < buf.length) {
    const tag = readVarint(buf, at)
    if (tag === 0x08) {
      const code = readVarint(buf, at)
      type = code === TYPE_CODE.connect ? 'connect' : code === TYPE_CODE.sync ? 'sync' : undefined
      if (!type) throw new Error(`hole punch message: unknown type ${code}`)
    } else if (tag === 0x12) {
      const length = readVarint(buf, at)
      if (length > MAX_ADDRESS_BYTES || at.pos + length > buf.length) {
        throw new Error(`hole punch message: address of ${length} bytes does not fit`)
      }
      if (addresses.length >= MAX_ADDRESSES)
        throw new Error(`hole punch message: over ${MAX_ADDRESSES} addresses`)
      addresses.push(buf.slice(at.pos, at.pos + length))
      at.pos += length
    } else {
      throw new Error(`hole punch message: unexpected field tag ${tag}`)
    }
  }
  if (!type) throw new Error('hole punch message: no type')
  return { type, addresses }
}

/** The codec in the shape `pbStream` takes. */
export const HolePunchCodec = { encode: encodeHolePunch, decode: decodeHolePunch }
