// EVM bytecode audit bot: disassembles a contract's runtime bytecode (hex on stdin, its name as argv[1]) and
// flags risky patterns by exploring the code's paths with a small abstract interpreter: each stack value
// carries where it came from (calldata, tx.origin, a call's success flag) and its value when it is a known
// constant (so jumps to pushed return addresses resolve). Output is plain text, deterministic to the byte.
import { args, exit, print, printErr, readStdin } from '../../wasm-wasi/assembly/wasi'

const CALLDATA: i32 = 1
const ORIGIN: i32 = 2
const KNOWN: i32 = 4
// bits 8..13: 1 + the index of the call whose success flag this value is (0: none)
const CALL_SHIFT: i32 = 8
const CALL_MASK: i32 = 0x3f << CALL_SHIFT
const MAX_CALLS: i32 = 32
const MAX_STEPS: i32 = 400_000
const MAX_VISITS_PER_PC: i32 = 256
const MAX_STACK: i32 = 1024

class State {
  pc: i32 = 0
  flags: i32[] = []
  vals: i64[] = []
  /** Calls made on this path (their pcs), and which of their success flags nothing has looked at yet. */
  callPcs: i32[] = []
  unchecked: u32 = 0
  /** pc of the first CALL/DELEGATECALL/CALLCODE on this path (-1: none). */
  callAt: i32 = -1

  clone(): State {
    const s = new State()
    s.pc = this.pc
    s.flags = this.flags.slice(0)
    s.vals = this.vals.slice(0)
    s.callPcs = this.callPcs.slice(0)
    s.unchecked = this.unchecked
    s.callAt = this.callAt
    return s
  }
  push(f: i32, v: i64): void {
    this.flags.push(f)
    this.vals.push(v)
  }
  /** Pops a value; below the known stack, an unknown one. Looking at a call's flag counts as checking it. */
  pop(): i32 {
    if (this.flags.length === 0) return 0
    this.vals.pop()
    const f = this.flags.pop()
    this.look(f)
    return f
  }
  popVal(): i64 {
    return this.vals.length === 0 ? -1 : this.vals[this.vals.length - 1]
  }
  look(f: i32): void {
    const id = (f & CALL_MASK) >> CALL_SHIFT
    if (id > 0) this.unchecked &= ~((<u32>1) << (<u32>(id - 1)))
  }
  key(): u64 {
    let h: u64 = 0x811c9dc5
    h = (h ^ <u64>this.pc) * 1099511628211
    for (let i = 0; i < this.flags.length; i++) {
      h = (h ^ <u64>this.flags[i]) * 1099511628211
      h = (h ^ <u64>this.vals[i]) * 1099511628211
    }
    h = (h ^ <u64>this.unchecked) * 1099511628211
    return (h ^ <u64>(this.callAt + 1)) * 1099511628211
  }
}

let code = new Uint8Array(0)
let explored: i32 = 0
let isJumpdest = new Uint8Array(0)
const findings = new Map<string, string>()
const findingOrder = new Array<string>(0)

function report(kind: string, pc: i32, detail: string): void {
  const key = kind + '@' + pc.toString()
  if (findings.has(key)) return
  findings.set(key, detail)
  findingOrder.push(key)
}

function hexNibble(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

function parseHex(text: string): Uint8Array {
  let s = text.trim()
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.substring(2)
  if (s.length % 2 !== 0) return new Uint8Array(0)
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(s.charCodeAt(2 * i))
    const lo = hexNibble(s.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) return new Uint8Array(0)
    out[i] = <u8>((hi << 4) | lo)
  }
  return out
}

/** Length of the Solidity CBOR metadata at the end of the code (0: none). */
function metadataLength(c: Uint8Array): i32 {
  const n = c.length
  if (n < 4) return 0
  const len = ((<i32>c[n - 2]) << 8) | <i32>c[n - 1]
  if (len + 2 > n || len < 2) return 0
  const first = <i32>c[n - 2 - len]
  return first >= 0xa1 && first <= 0xa5 ? len + 2 : 0
}

function hex(pc: i32): string {
  return '0x' + pc.toString(16)
}

/** Stack inputs and outputs of an opcode not handled specially (-1: invalid opcode). */
function arity(op: i32): i32 {
  if (op >= 0x01 && op <= 0x0b) return op === 0x08 || op === 0x09 ? 0x31 : 0x21 // ADD..SIGNEXTEND (ADDMOD, MULMOD: 3)
  if (op >= 0x10 && op <= 0x1d) return op === 0x15 || op === 0x19 ? 0x11 : 0x21 // comparisons, bit ops
  if (op === 0x20) return 0x21 // KECCAK256
  if (op >= 0x30 && op <= 0x48) {
    if (op === 0x31 || op === 0x3b || op === 0x3f || op === 0x40) return 0x11 // BALANCE, EXTCODESIZE, EXTCODEHASH, BLOCKHASH
    if (op === 0x37 || op === 0x39 || op === 0x3e) return 0x30 // CALLDATACOPY, CODECOPY, RETURNDATACOPY
    if (op === 0x3c) return 0x40 // EXTCODECOPY
    return 0x01
  }
  if (op === 0x49 || op === 0x4a) return op === 0x49 ? 0x11 : 0x01 // BLOBHASH, BLOBBASEFEE
  if (op === 0x50) return 0x10
  if (op === 0x51 || op === 0x54 || op === 0x5c) return 0x11 // MLOAD, SLOAD, TLOAD
  if (op === 0x52 || op === 0x53 || op === 0x55 || op === 0x5d) return 0x20 // MSTORE, MSTORE8, SSTORE, TSTORE
  if (op === 0x58 || op === 0x59 || op === 0x5a) return 0x01 // PC, MSIZE, GAS
  if (op === 0x5e) return 0x30 // MCOPY
  if (op >= 0xa0 && op <= 0xa4) return (op - 0xa0 + 2) << 4 // LOG0..LOG4
  if (op === 0xf0) return 0x31
  if (op === 0xf5) return 0x41
  return -1
}

function explore(): i32 {
  const visits = new Int32Array(code.length)
  const seen = new Set<u64>()
  const work = new Array<State>(0)
  work.push(new State())
  let steps = 0
  let unresolved = 0
  while (work.length > 0 && steps < MAX_STEPS) {
    const s = work.pop()
    while (steps < MAX_STEPS) {
      steps++
      const pc = s.pc
      if (pc < 0 || pc >= code.length) break
      const op = <i32>code[pc]
      if (op === 0x5b) {
        if (visits[pc] >= MAX_VISITS_PER_PC) break
        const k = s.key()
        if (seen.has(k)) break
        seen.add(k)
        visits[pc]++
        s.pc = pc + 1
        continue
      }
      if (s.flags.length > MAX_STACK) break
      if (op >= 0x60 && op <= 0x7f) {
        const n = op - 0x5f
        let v: i64 = 0
        let known = true
        for (let i = 1; i <= n; i++) {
          const b = pc + i < code.length ? <i64>code[pc + i] : 0
          if (v > 0x7fffffff) known = false
          v = (v << 8) | b
        }
        s.push(known && v <= 0x7fffffff ? KNOWN : 0, known ? v : -1)
        s.pc = pc + 1 + n
        continue
      }
      if (op === 0x5f) {
        s.push(KNOWN, 0)
        s.pc = pc + 1
        continue
      }
      if (op >= 0x80 && op <= 0x8f) {
        const d = op - 0x7f
        const n = s.flags.length
        if (n < d) s.push(0, -1)
        else s.push(s.flags[n - d], s.vals[n - d])
        s.pc = pc + 1
        continue
      }
      if (op >= 0x90 && op <= 0x9f) {
        const d = op - 0x8f
        const n = s.flags.length
        if (n > d) {
          const f = s.flags[n - 1]
          const v = s.vals[n - 1]
          s.flags[n - 1] = s.flags[n - 1 - d]
          s.vals[n - 1] = s.vals[n - 1 - d]
          s.flags[n - 1 - d] = f
          s.vals[n - 1 - d] = v
        }
        s.pc = pc + 1
        continue
      }
      if (op === 0x50) {
        // POP: dropping a call's success flag unseen leaves it unchecked (it stays in `unchecked`)
        if (s.flags.length > 0) {
          s.flags.pop()
          s.vals.pop()
        }
        s.pc = pc + 1
        continue
      }
      if (op === 0x56 || op === 0x57) {
        const target = s.popVal()
        const tf = s.pop()
        if (op === 0x57) s.pop()
        const ok = (tf & KNOWN) !== 0 && target >= 0 && target < code.length && isJumpdest[<i32>target] === 1
        if (op === 0x57) {
          const fall = s.clone()
          fall.pc = pc + 1
          work.push(fall)
        }
        if (!ok) {
          unresolved++
          break
        }
        s.pc = <i32>target
        continue
      }
      if (op === 0x00 || op === 0xf3) {
        // STOP, RETURN: a call whose success nobody looked at on this successful path
        for (let i = 0; i < s.callPcs.length; i++)
          if ((s.unchecked & ((<u32>1) << (<u32>i))) !== 0)
            report('unchecked-call-result', s.callPcs[i], 'the success flag of this call is dropped')
        break
      }
      if (op === 0xfd || op === 0xfe) break
      if (op === 0xff) {
        report('selfdestruct', pc, 'SELFDESTRUCT is reachable')
        break
      }
      if (op === 0x32) {
        s.push(ORIGIN, -1)
        s.pc = pc + 1
        continue
      }
      if (op === 0x35) {
        s.pop()
        s.push(CALLDATA, -1)
        s.pc = pc + 1
        continue
      }
      if (op === 0xf1 || op === 0xf2 || op === 0xf4 || op === 0xfa) {
        const nIn = op === 0xf1 || op === 0xf2 ? 7 : 6
        const addr = s.flags.length >= 2 ? s.flags[s.flags.length - 2] : 0
        if (op === 0xf4 && (addr & CALLDATA) !== 0)
          report('delegatecall-caller-address', pc, 'DELEGATECALL to an address taken from calldata')
        for (let i = 0; i < nIn; i++) s.pop()
        if (op !== 0xfa && s.callAt < 0) s.callAt = pc
        let f = 0
        if (op !== 0xfa && s.callPcs.length < MAX_CALLS) {
          s.callPcs.push(pc)
          s.unchecked |= (<u32>1) << (<u32>(s.callPcs.length - 1))
          f = s.callPcs.length << CALL_SHIFT
        }
        s.push(f, -1)
        s.pc = pc + 1
        continue
      }
      if (op === 0x55 && s.callAt >= 0)
        report('storage-write-after-call', pc, 'SSTORE after the external call at ' + hex(s.callAt))
      const a = arity(op)
      if (a < 0) break
      let merged = 0
      const ins = a >> 4
      for (let i = 0; i < ins; i++) merged |= s.pop()
      if ((op === 0x14 || op === 0x10 || op === 0x11) && (merged & ORIGIN) !== 0)
        report('tx-origin-check', pc, 'tx.origin compared (authorisation by tx.origin)')
      if ((a & 0xf) === 1) s.push(merged & (CALLDATA | ORIGIN), -1)
      s.pc = pc + 1
    }
  }
  explored = steps
  return unresolved
}

export function _start(): void {
  const argv = args()
  const name = argv.length > 1 ? argv[1] : 'contract'
  const all = parseHex(readStdin())
  if (all.length === 0) {
    printErr('stdin must be the runtime bytecode as hex\n')
    exit(2)
    return
  }
  code = all.subarray(0, all.length - metadataLength(all))
  isJumpdest = new Uint8Array(code.length)
  let instructions = 0
  for (let pc = 0; pc < code.length; pc++) {
    instructions++
    const op = <i32>code[pc]
    if (op === 0x5b) isJumpdest[pc] = 1
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
  }
  const unresolved = explore()
  let out = 'contract ' + name + '\n'
  out += 'bytes ' + all.length.toString() + ' instructions ' + instructions.toString()
  out += ' explored ' + explored.toString() + ' unresolved-jumps ' + unresolved.toString() + '\n'
  for (let i = 0; i < findingOrder.length; i++) {
    const key = findingOrder[i]
    const at = key.indexOf('@')
    const pc = I32.parseInt(key.substring(at + 1))
    out += 'finding ' + key.substring(0, at) + ' pc=' + hex(pc) + ' ' + findings.get(key) + '\n'
  }
  out += 'findings ' + findingOrder.length.toString() + '\n'
  print(out)
}
