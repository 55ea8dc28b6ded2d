import { MutiraoError } from '../../errors.js'
import type { TaskExecutor } from '../task-executor.js'
import type { Tensor, TensorMap } from '../tensor.js'
import type { WasmExecutor, WasmLimits } from './pool.js'

/**
 * The `wasm` job kind as tensors, so it shards, travels and is verified like any job: each row (sample) is
 * one run of the module.
 *
 * inputs:  `stdin` uint8 [N, L] with `stdinLength` int32 [N] (bytes of each row used), `args` uint8 [N, A]
 *          (UTF-8 arguments separated by NUL, zero-padded), `limits` float64 [N, 3] (memoryBytes, timeMs,
 *          outputBytes; the provider clamps them to its own caps).
 * outputs: `stdout` uint8 [N, outputBytes] zero-padded, `stdoutLength` int32 [N], `exitCode` int32 [N].
 * Byte-deterministic, so results are compared by exact hash.
 */
export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d]

/** A wasm task's inputs are not in the shape above. */
export class InvalidWasmTaskError extends MutiraoError {
  override name = 'InvalidWasmTaskError'
  constructor(problem: string) {
    super(`Invalid wasm task input: ${problem}`, {
      metaMessages: ['Build inputs with wasmTaskInputs(runs, limits).'],
    })
  }
}

/** One run of a wasm job. */
export interface WasmRun {
  args: string[]
  stdin: Uint8Array
}

const te = new TextEncoder()
/**
 * The bytes in a fresh buffer of their own. Not `.slice()`: tensors decoded from a network frame are Node
 * Buffers, whose `slice` is a view into the whole frame (so `.buffer` would be the wrong bytes).
 */
export const copy = (b: Uint8Array) => new Uint8Array(b)
const td = new TextDecoder()
const i32 = (values: number[]): Tensor => ({
  dtype: 'int32',
  dims: [values.length],
  data: new Uint8Array(Int32Array.from(values).buffer),
})

/** Encode runs and limits as the input tensors of a wasm job. */
export function wasmTaskInputs(runs: WasmRun[], limits: WasmLimits): TensorMap {
  const n = runs.length
  const argBytes = runs.map((r) => te.encode(r.args.join('\0')))
  const A = Math.max(1, ...argBytes.map((b) => b.length))
  const L = Math.max(1, ...runs.map((r) => r.stdin.length))
  const args = new Uint8Array(n * A)
  const stdin = new Uint8Array(n * L)
  runs.forEach((r, i) => {
    args.set(argBytes[i], i * A)
    stdin.set(r.stdin, i * L)
  })
  const lim = new Float64Array(n * 3)
  for (let i = 0; i < n; i++) lim.set([limits.memoryBytes, limits.timeMs, limits.outputBytes], i * 3)
  return {
    args: { dtype: 'uint8', dims: [n, A], data: args },
    stdin: { dtype: 'uint8', dims: [n, L], data: stdin },
    stdinLength: i32(runs.map((r) => r.stdin.length)),
    limits: { dtype: 'float64', dims: [n, 3], data: new Uint8Array(lim.buffer) },
  }
}

/** Decode the outputs of a wasm job: each run's stdout and exit code. */
export function wasmTaskOutputs(out: TensorMap): { stdout: Uint8Array; exitCode: number }[] {
  const { stdout, stdoutLength, exitCode } = out
  const width = stdout.dims[1]
  const len = new Int32Array(copy(stdoutLength.data).buffer)
  const codes = new Int32Array(copy(exitCode.data).buffer)
  return [...len].map((l, i) => ({
    stdout: copy(stdout.data.subarray(i * width, i * width + l)),
    exitCode: codes[i],
  }))
}

/**
 * Checks that `inputs` have the wasm task shape (names, dtypes, dims) and returns the number of runs.
 * @throws InvalidWasmTaskError
 */
export function checkWasmTaskInputs(inputs: TensorMap): number {
  const { args, stdin, stdinLength, limits } = inputs
  if (!args || !stdin || !stdinLength || !limits)
    throw new InvalidWasmTaskError('needs args, stdin, stdinLength, limits')
  const n = stdin.dims[0]
  const ok =
    args.dtype === 'uint8' &&
    stdin.dtype === 'uint8' &&
    stdinLength.dtype === 'int32' &&
    limits.dtype === 'float64' &&
    args.dims.length === 2 &&
    stdin.dims.length === 2 &&
    limits.dims.join() === `${n},3` &&
    args.dims[0] === n &&
    stdinLength.dims.join() === `${n}`
  if (!ok) throw new InvalidWasmTaskError('tensors have the wrong dtypes or dims')
  return n
}

/**
 * A provider executor for wasm jobs: the job's "model" blob is the module; each row runs in the sandbox
 * with the row's limits clamped to `caps`. A sandbox failure (time, memory, output, trap) fails the task
 * with the sandbox error's name and message; the executor keeps serving.
 */
export function wasmTaskExecutor(
  exec: WasmExecutor,
  getModule: (hash: string) => Promise<Uint8Array>,
  caps: WasmLimits,
): TaskExecutor {
  return {
    async run({ modelHash, inputs, signal }) {
      const n = checkWasmTaskInputs(inputs)
      const module = await getModule(modelHash)
      const lim = new Float64Array(copy(inputs.limits.data).buffer)
      const lens = new Int32Array(copy(inputs.stdinLength.data).buffer)
      const A = inputs.args.dims[1]
      const L = inputs.stdin.dims[1]
      const outBytes = Math.min(caps.outputBytes, Math.max(0, Math.floor(lim[2])))
      const stdout = new Uint8Array(n * outBytes)
      const lengths: number[] = []
      const codes: number[] = []
      for (let i = 0; i < n; i++) {
        const raw = inputs.args.data.subarray(i * A, (i + 1) * A)
        const end = raw.lastIndexOf(0) === -1 ? raw.length : trimZeros(raw)
        const args = end === 0 ? [] : td.decode(raw.subarray(0, end)).split('\0')
        if (lens[i] < 0 || lens[i] > L) throw new InvalidWasmTaskError(`stdinLength[${i}] = ${lens[i]}`)
        const limits = {
          memoryBytes: Math.min(caps.memoryBytes, Math.floor(lim[i * 3])),
          timeMs: Math.min(caps.timeMs, Math.floor(lim[i * 3 + 1])),
          outputBytes: outBytes,
        }
        try {
          const r = await exec.run({
            module,
            args,
            stdin: copy(inputs.stdin.data.subarray(i * L, i * L + lens[i])),
            limits,
            signal,
          })
          stdout.set(r.stdout, i * outBytes)
          lengths.push(r.stdout.length)
          codes.push(r.exitCode)
        } catch (err) {
          const e = err as Error & { shortMessage?: string }
          throw Object.assign(new Error(`${e.name}: ${e.shortMessage ?? e.message} (run ${i})`), {
            name: e.name,
          })
        }
      }
      return {
        stdout: { dtype: 'uint8', dims: [n, outBytes], data: stdout },
        stdoutLength: i32(lengths),
        exitCode: i32(codes),
      }
    },
  }
}

const trimZeros = (b: Uint8Array) => {
  let end = b.length
  while (end > 0 && b[end - 1] === 0) end--
  return end
}

/** Whether a blob is a WebAssembly binary (by its magic number). */
export const isWasm = (b: Uint8Array) => WASM_MAGIC.every((x, i) => b[i] === x)
