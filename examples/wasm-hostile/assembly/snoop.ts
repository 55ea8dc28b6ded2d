// Hostile module: tries to open a file and to read the environment, and prints what it got.
import { print } from '../../wasm-wasi/assembly/wasi'
import { environ_sizes_get, fd_prestat_get, path_open } from '../../wasm-wasi/assembly/wasi_snapshot_preview1'

export function _start(): void {
  const path = String.UTF8.encode('/etc/passwd')
  const outFd = memory.data(4)
  const errOpen = path_open(
    3,
    0,
    changetype<usize>(path),
    <u32>path.byteLength,
    0,
    0xffffffff,
    0xffffffff,
    0,
    outFd,
  )
  const sizes = memory.data(8)
  const errEnv = environ_sizes_get(sizes, sizes + 4)
  const errPre = fd_prestat_get(3, memory.data(8))
  print(
    'path_open=' +
      errOpen.toString() +
      ' environ_count=' +
      load<u32>(sizes).toString() +
      ' environ_err=' +
      errEnv.toString() +
      ' prestat=' +
      errPre.toString() +
      '\n',
  )
}
