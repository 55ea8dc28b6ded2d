// Hostile module: never terminates. The sandbox must stop it at the wall-time limit.
import { print } from '../../wasm-wasi/assembly/wasi'

export function _start(): void {
  print('looping\n')
  let x: u32 = 0
  while (true) {
    x = x * 1664525 + 1013904223
  }
}
