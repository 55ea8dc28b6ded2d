import { sha256 } from '@noble/hashes/sha2.js'
import type { WasmMemory } from './wasm-api.js'

/** WASI preview 1 errno values used by the sandbox. */
export const Errno = {
  SUCCESS: 0,
  BADF: 8,
  FAULT: 21,
  INVAL: 28,
  NOSYS: 52,
  SPIPE: 70,
} as const

/** Thrown by `proc_exit` to unwind the module; carries the exit code. */
export class ProcExit {
  constructor(readonly code: number) {}
}

/** Thrown by `fd_write` when stdout passes its limit; unwinds the module. */
export class OutputLimitExceeded {}

/** What the sandboxed program is given and what it may produce. */
export interface WasiHostOptions {
  /** argv, including argv[0]. */
  argv: string[]
  stdin: Uint8Array
  /** Maximum bytes on stdout before the run is stopped. */
  outputBytes: number
  /** Maximum bytes of stderr kept (the rest is dropped silently). */
  stderrBytes: number
  /** 32-byte seed of the deterministic `random_get` stream. */
  seed: Uint8Array
}

/** A minimal, fully deterministic WASI preview 1 host: no files, no environment, no network, no real clock. */
export interface WasiHost {
  /** The import object: every `wasi_snapshot_preview1` function the module names is present. */
  imports(names: string[]): Record<string, (...args: never[]) => unknown>
  /** Must be called with the instance's memory before the module runs. */
  setMemory(memory: WasmMemory): void
  stdout(): Uint8Array
  stderr(): Uint8Array
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let off = 0
  for (const c of chunks) {
    out.set(c, off)
    off += c.length
  }
  return out
}

/** Creates the WASI host for one run. */
export function createWasiHost(opts: WasiHostOptions): WasiHost {
  let memory: WasmMemory | undefined
  const view = () => new DataView((memory as WasmMemory).buffer)
  const bytes = () => new Uint8Array((memory as WasmMemory).buffer)
  const enc = new TextEncoder()
  const argvBytes = opts.argv.map((a) => enc.encode(`${a}\0`))
  const out: Uint8Array[] = []
  let outLen = 0
  const err: Uint8Array[] = []
  let errLen = 0
  let stdinPos = 0
  let clockNs = 1_700_000_000_000_000_000n
  let randCounter = 0
  let randPool = new Uint8Array(0)
  let randPos = 0

  const inBounds = (ptr: number, len: number) => ptr >= 0 && len >= 0 && ptr + len <= bytes().length

  const fns: Record<string, (...args: never[]) => unknown> = {
    args_sizes_get(argc: number, bufSize: number) {
      if (!inBounds(argc, 4) || !inBounds(bufSize, 4)) return Errno.FAULT
      view().setUint32(argc, argvBytes.length, true)
      view().setUint32(
        bufSize,
        argvBytes.reduce((n, a) => n + a.length, 0),
        true,
      )
      return Errno.SUCCESS
    },
    args_get(argv: number, buf: number) {
      let p = buf
      for (let i = 0; i < argvBytes.length; i++) {
        if (!inBounds(argv + i * 4, 4) || !inBounds(p, argvBytes[i].length)) return Errno.FAULT
        view().setUint32(argv + i * 4, p, true)
        bytes().set(argvBytes[i], p)
        p += argvBytes[i].length
      }
      return Errno.SUCCESS
    },
    environ_sizes_get(count: number, bufSize: number) {
      if (!inBounds(count, 4) || !inBounds(bufSize, 4)) return Errno.FAULT
      view().setUint32(count, 0, true)
      view().setUint32(bufSize, 0, true)
      return Errno.SUCCESS
    },
    environ_get() {
      return Errno.SUCCESS
    },
    fd_write(fd: number, iovs: number, iovsLen: number, nwritten: number) {
      if (fd !== 1 && fd !== 2) return Errno.BADF
      let written = 0
      for (let i = 0; i < iovsLen; i++) {
        if (!inBounds(iovs + i * 8, 8)) return Errno.FAULT
        const ptr = view().getUint32(iovs + i * 8, true)
        const len = view().getUint32(iovs + i * 8 + 4, true)
        if (!inBounds(ptr, len)) return Errno.FAULT
        if (fd === 1) {
          if (outLen + len > opts.outputBytes) throw new OutputLimitExceeded()
          out.push(bytes().slice(ptr, ptr + len))
          outLen += len
        } else if (errLen < opts.stderrBytes) {
          const keep = Math.min(len, opts.stderrBytes - errLen)
          err.push(bytes().slice(ptr, ptr + keep))
          errLen += keep
        }
        written += len
      }
      if (!inBounds(nwritten, 4)) return Errno.FAULT
      view().setUint32(nwritten, written, true)
      return Errno.SUCCESS
    },
    fd_read(fd: number, iovs: number, iovsLen: number, nread: number) {
      if (fd !== 0) return Errno.BADF
      let read = 0
      for (let i = 0; i < iovsLen; i++) {
        if (!inBounds(iovs + i * 8, 8)) return Errno.FAULT
        const ptr = view().getUint32(iovs + i * 8, true)
        const len = view().getUint32(iovs + i * 8 + 4, true)
        if (!inBounds(ptr, len)) return Errno.FAULT
        const n = Math.min(len, opts.stdin.length - stdinPos)
        bytes().set(opts.stdin.subarray(stdinPos, stdinPos + n), ptr)
        stdinPos += n
        read += n
        if (n < len) break
      }
      if (!inBounds(nread, 4)) return Errno.FAULT
      view().setUint32(nread, read, true)
      return Errno.SUCCESS
    },
    fd_fdstat_get(fd: number, stat: number) {
      if (fd > 2) return Errno.BADF
      if (!inBounds(stat, 24)) return Errno.FAULT
      bytes().fill(0, stat, stat + 24)
      view().setUint8(stat, 2) // character device
      return Errno.SUCCESS
    },
    fd_close(fd: number) {
      return fd <= 2 ? Errno.SUCCESS : Errno.BADF
    },
    fd_seek(fd: number) {
      return fd <= 2 ? Errno.SPIPE : Errno.BADF
    },
    fd_prestat_get() {
      return Errno.BADF // no preopened directories: the module sees no filesystem
    },
    clock_res_get(_id: number, res: number) {
      if (!inBounds(res, 8)) return Errno.FAULT
      view().setBigUint64(res, 1000n, true)
      return Errno.SUCCESS
    },
    clock_time_get(_id: number, _precision: bigint, time: number) {
      // A virtual clock: the same sequence of readings on every machine, so results hash identically.
      if (!inBounds(time, 8)) return Errno.FAULT
      clockNs += 1000n
      view().setBigUint64(time, clockNs, true)
      return Errno.SUCCESS
    },
    random_get(buf: number, len: number) {
      if (!inBounds(buf, len)) return Errno.FAULT
      const target = bytes()
      for (let i = 0; i < len; i++) {
        if (randPos >= randPool.length) {
          const block = new Uint8Array(opts.seed.length + 4)
          block.set(opts.seed)
          new DataView(block.buffer).setUint32(opts.seed.length, randCounter++, true)
          randPool = sha256(block)
          randPos = 0
        }
        target[buf + i] = randPool[randPos++]
      }
      return Errno.SUCCESS
    },
    sched_yield() {
      return Errno.SUCCESS
    },
    proc_exit(code: number) {
      throw new ProcExit(code >>> 0)
    },
  }

  return {
    imports(names) {
      const obj: Record<string, (...args: never[]) => unknown> = {}
      for (const name of names) {
        obj[name] =
          fns[name] ??
          (name.startsWith('fd_') || name.startsWith('path_') ? () => Errno.BADF : () => Errno.NOSYS)
      }
      return obj
    },
    setMemory(m) {
      memory = m
    },
    stdout: () => concat(out, outLen),
    stderr: () => concat(err, errLen),
  }
}
