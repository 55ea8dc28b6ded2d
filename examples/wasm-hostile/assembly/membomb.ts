// Hostile module: grows memory until the sandbox refuses, then traps (as a real allocator would).
import { print } from '../../wasm-wasi/assembly/wasi'

export function _start(): void {
  print('growing\n')
  while (true) {
    if (memory.grow(16) < 0) unreachable()
  }
}
