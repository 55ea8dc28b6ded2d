// Hostile module: writes to stdout forever. The sandbox must stop it at the output limit.
import { writeBytes } from '../../wasm-wasi/assembly/wasi'

export function _start(): void {
  const buf = new Uint8Array(65536)
  buf.fill(0x41)
  while (true) writeBytes(1, buf.dataStart, 65536)
}
