// Minimal WASI preview 1 bindings for AssemblyScript programs run by Mutirão's WASM sandbox.
// Only what the sandbox offers: args, stdin, stdout/stderr and proc_exit. No files, no environment.
import { args_get, args_sizes_get, fd_read, fd_write, proc_exit } from './wasi_snapshot_preview1'

/** Writes raw bytes to a file descriptor (1 = stdout, 2 = stderr); returns the WASI errno. */
export function writeBytes(fd: u32, ptr: usize, len: usize): u16 {
  const iov = memory.data(8)
  const written = memory.data(4)
  let off: usize = 0
  while (off < len) {
    store<u32>(iov, <u32>(ptr + off))
    store<u32>(iov, <u32>(len - off), 4)
    const err = fd_write(fd, iov, 1, written)
    if (err !== 0) return err
    const n = load<u32>(written)
    if (n === 0) return 29 // EIO
    off += n
  }
  return 0
}

/** Writes a string as UTF-8 to stdout. */
export function print(s: string): void {
  const buf = String.UTF8.encode(s)
  writeBytes(1, changetype<usize>(buf), <usize>buf.byteLength)
}

/** Writes a string as UTF-8 to stderr. */
export function printErr(s: string): void {
  const buf = String.UTF8.encode(s)
  writeBytes(2, changetype<usize>(buf), <usize>buf.byteLength)
}

/** The program's arguments (argv[0] is the program name). */
export function args(): string[] {
  const sizes = memory.data(8)
  args_sizes_get(sizes, sizes + 4)
  const argc = load<u32>(sizes)
  const bufSize = load<u32>(sizes, 4)
  const argv = new ArrayBuffer(<i32>argc * 4)
  const buf = new ArrayBuffer(<i32>bufSize)
  args_get(changetype<usize>(argv), changetype<usize>(buf))
  const out = new Array<string>(0)
  for (let i: u32 = 0; i < argc; i++) {
    const p = load<u32>(changetype<usize>(argv) + i * 4)
    let end = p
    while (load<u8>(end) !== 0) end++
    out.push(String.UTF8.decodeUnsafe(p, end - p))
  }
  return out
}

/** Reads all of stdin as a UTF-8 string. */
export function readStdin(): string {
  const chunks = new Array<ArrayBuffer>(0)
  let total: i32 = 0
  const iov = memory.data(8)
  const nread = memory.data(4)
  while (true) {
    const chunk = new ArrayBuffer(4096)
    store<u32>(iov, <u32>changetype<usize>(chunk))
    store<u32>(iov, 4096, 4)
    const err = fd_read(0, iov, 1, nread)
    const n = <i32>load<u32>(nread)
    if (err !== 0 || n === 0) break
    chunks.push(chunk.slice(0, n))
    total += n
  }
  const all = new Uint8Array(total)
  let off = 0
  for (let i = 0; i < chunks.length; i++) {
    all.set(Uint8Array.wrap(chunks[i]), off)
    off += chunks[i].byteLength
  }
  return String.UTF8.decode(all.buffer)
}

/** Ends the program with an exit code. */
export function exit(code: u32): void {
  proc_exit(code)
}

/** Replacement for AssemblyScript's `abort` (`--use abort=...`): message to stderr, exit code 134. */
export function wasiAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = 'abort'
  if (message !== null) text += ': ' + message
  if (fileName !== null) text += ' at ' + fileName + ':' + line.toString() + ':' + column.toString()
  printErr(text + '\n')
  proc_exit(134)
}
