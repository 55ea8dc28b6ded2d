import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak, type IHasher } from 'hash-wasm'

/**
 * keccak256 for the receipts of every task (their leaves, task ids and Merkle trees, on both sides of each
 * result). WebAssembly (hash-wasm): 1.5–1.8 µs for a 192-byte leaf here, against 11–15 µs in pure
 * JavaScript (@noble/hashes, which viem uses), and a leaf takes three of them. The WebAssembly hasher is
 * compiled when this module loads; until it is ready (or where WebAssembly is refused) the JavaScript one
 * answers — the two give the same bytes.
 */
let wasm: IHasher | undefined

/** Resolves once the WebAssembly hasher is in use (or could not be: then JavaScript answers). */
export const keccakReady: Promise<void> = createKeccak(256).then(
  (h) => {
    wasm = h
  },
  () => {},
)

/** keccak256 of `data`, 32 bytes. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  if (!wasm) return keccak_256(data)
  wasm.init()
  wasm.update(data)
  return wasm.digest('binary')
}

/** Whether the WebAssembly hasher answers (its test checks that it does here). */
export const keccakIsWasm = (): boolean => wasm !== undefined
