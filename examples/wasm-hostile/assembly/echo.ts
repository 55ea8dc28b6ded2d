// Benign module: prints its arguments and then stdin, for sandbox tests.
import { args, print, readStdin } from '../../wasm-wasi/assembly/wasi'

export function _start(): void {
  const a = args()
  print('args=' + a.join(',') + '\n')
  print('stdin=' + readStdin() + '\n')
}
