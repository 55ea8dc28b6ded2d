import { concatBytes } from '../bytes.js'
import { InvalidWasmError, WasmMemoryLimitError } from './errors.js'

/** Bytes in one WebAssembly page. */
export const WASM_PAGE = 65_536

/** What {@link capModuleMemory} learned about a module's memory and produced. */
export interface CappedModule {
  /** The module with every memory's maximum lowered to the cap (same code otherwise). */
  bytes: Uint8Array
  /** The declared minimum of the module's memory, in pages. */
  minPages: number
  /** The maximum after capping, in pages. */
  maxPages: number
  /** Whether the memory is imported (then the host creates it) rather than defined by the module. */
  imported: boolean
  /** Module and field of the memory import, when imported. */
  importName?: { module: string; name: string }
}

class Reader {
  constructor(
    readonly b: Uint8Array,
    public pos = 0,
  ) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new InvalidWasmError('truncated module')
    return this.b[this.pos++]
  }
  u32(): number {
    let result = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      const byte = this.byte()
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return result
      shift += 7
    }
    throw new InvalidWasmError('malformed LEB128 integer')
  }
  name(): string {
    const len = this.u32()
    if (this.pos + len > this.b.length) throw new InvalidWasmError('truncated name')
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + len))
    this.pos += len
    return s
  }
}

function leb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

interface Limits {
  min: number
  max?: number
  start: number
  end: number
}

function readLimits(r: Reader): Limits {
  const start = r.pos
  const flags = r.byte()
  if (flags & 0x02) throw new InvalidWasmError('shared memory is not allowed')
  if (flags & 0x04) throw new InvalidWasmError('memory64 is not allowed')
  if (flags > 1) throw new InvalidWasmError(`unknown memory limits flags 0x${flags.toString(16)}`)
  const min = r.u32()
  const max = flags === 1 ? r.u32() : undefined
  return { min, max, start, end: r.pos }
}

function skipTableType(r: Reader): void {
  r.byte() // reftype
  const flags = r.byte()
  r.u32()
  if (flags & 1) r.u32()
}

/**
 * Parses the import and memory sections of a WASM binary, checks its one memory against the cap,
 * and rewrites that memory's maximum to `min(declared maximum, cap)`, so `memory.grow` beyond the cap
 * fails inside the module (returns -1) instead of allocating.
 * @throws InvalidWasmError when the binary is malformed, has no or several memories, or shared/64-bit memory.
 * @throws WasmMemoryLimitError when the declared minimum already exceeds the cap.
 */
export function capModuleMemory(bytes: Uint8Array, capBytes: number): CappedModule {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new InvalidWasmError('missing \\0asm magic number')
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new InvalidWasmError('unsupported binary version (only version 1, the core format, is accepted)')
  }
  const capPages = Math.floor(capBytes / WASM_PAGE)
  const r = new Reader(bytes, 8)
  const memories: (Limits & { importName?: { module: string; name: string } })[] = []
  while (r.pos < bytes.length) {
    const id = r.byte()
    const size = r.u32()
    const contentStart = r.pos
    const end = contentStart + size
    if (end > bytes.length) throw new InvalidWasmError(`section ${id} runs past the end of the module`)
    if (id === 2) {
      const count = r.u32()
      for (let i = 0; i < count; i++) {
        const module = r.name()
        const name = r.name()
        const kind = r.byte()
        if (kind === 0) r.u32()
        else if (kind === 1) skipTableType(r)
        else if (kind === 2) memories.push({ ...readLimits(r), importName: { module, name } })
        else if (kind === 3) {
          r.byte()
          r.byte()
        } else if (kind === 4) {
          r.byte()
          r.u32()
        } else throw new InvalidWasmError(`unknown import kind ${kind}`)
      }
    } else if (id === 5) {
      const count = r.u32()
      for (let i = 0; i < count; i++) memories.push(readLimits(r))
    }
    if (id === 2 || id === 5) {
      if (r.pos !== end) throw new InvalidWasmError(`section ${id} has a wrong size`)
    }
    r.pos = end
  }
  if (memories.length !== 1)
    throw new InvalidWasmError(`expected exactly one memory, found ${memories.length}`)
  const mem = memories[0]
  if (mem.min > capPages) {
    throw new WasmMemoryLimitError(
      `the module declares an initial memory of ${mem.min * WASM_PAGE} bytes`,
      capBytes,
    )
  }
  const maxPages = Math.min(mem.max ?? capPages, capPages)
  return {
    bytes: rewriteLimits(bytes, mem, maxPages),
    minPages: mem.min,
    maxPages,
    imported: mem.importName !== undefined,
    importName: mem.importName,
  }
}

/** Re-encodes the binary with one limits entry replaced, fixing up the enclosing section's size. */
function rewriteLimits(bytes: Uint8Array, mem: Limits, maxPages: number): Uint8Array {
  const replacement = Uint8Array.from([0x01, ...leb(mem.min), ...leb(maxPages)])
  const r = new Reader(bytes, 8)
  while (r.pos < bytes.length) {
    const sectionStart = r.pos
    const id = r.byte()
    const size = r.u32()
    const start = r.pos
    const end = start + size
    if (mem.start >= start && mem.end <= end) {
      const contentLength = size - (mem.end - mem.start) + replacement.length
      const header = Uint8Array.from([id, ...leb(contentLength)])
      const parts = [
        bytes.subarray(0, sectionStart),
        header,
        bytes.subarray(start, mem.start),
        replacement,
        bytes.subarray(mem.end),
      ]
      return concatBytes(parts)
    }
    r.pos = end
  }
  throw new InvalidWasmError('memory limits not found on re-encoding')
}
