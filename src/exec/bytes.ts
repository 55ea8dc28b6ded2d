/**
 * The bytes of `parts` one after another in a new Uint8Array (a plain one: unlike `Buffer.concat`'s result,
 * its `slice()` copies). A single part is returned as it is.
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}
