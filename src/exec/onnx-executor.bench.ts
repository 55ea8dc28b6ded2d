/**
 * Overhead of the worker pool over a direct session run, on test/fixtures/models/tiny.onnx ([1,4] → [1,2]).
 *   npx tsx src/exec/onnx-executor.bench.ts [iterations]
 */
import '../polyfill.js'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createOnnxExecutor } from './onnx-executor.js'
import { createOnnxSession, runSession } from './onnx-session.js'
import { tensorFromValues } from './tensor-values.js'

const n = Number(process.argv[2] ?? 5000)
const model = new Uint8Array(readFileSync(new URL('../../test/fixtures/models/tiny.onnx', import.meta.url)))
const hash = createHash('sha256').update(model).digest('hex')
const inputs = { x: tensorFromValues('float32', [1, 4], [1, 2, 3, 4]) }
const out = (s: string) => process.stdout.write(`${s}\n`)

const session = await createOnnxSession(model)
for (let i = 0; i < 500; i++) await runSession(session, inputs)
let t0 = performance.now()
for (let i = 0; i < n; i++) await runSession(session, inputs)
const local = (performance.now() - t0) / n
await session.release()

const exec = createOnnxExecutor({ threads: 1, getModel: async () => model })
for (let i = 0; i < 500; i++) await exec.run({ modelHash: hash, inputs })
const before = exec.stats().sessionMs
t0 = performance.now()
for (let i = 0; i < n; i++) await exec.run({ modelHash: hash, inputs })
const pooled = (performance.now() - t0) / n
const inWorker = (exec.stats().sessionMs - before) / n

const threads = 2
const par = createOnnxExecutor({ threads, getModel: async () => model })
await Promise.all(Array.from({ length: 200 }, () => par.run({ modelHash: hash, inputs })))
t0 = performance.now()
await Promise.all(Array.from({ length: n }, () => par.run({ modelHash: hash, inputs })))
const throughput = n / ((performance.now() - t0) / 1000)
await Promise.all([exec.stop(), par.stop()])

out(`tiny.onnx, ${n} sequential runs, batch 1`)
out(`  direct session.run (same thread):   ${(local * 1000).toFixed(1)} µs/run`)
out(`  pooled executor, 1 worker:          ${(pooled * 1000).toFixed(1)} µs/run`)
out(`  session.run measured in the worker: ${(inWorker * 1000).toFixed(1)} µs/run`)
out(`  pool overhead vs direct:            ${((pooled - local) * 1000).toFixed(1)} µs/run`)
out(`  pool overhead vs in-worker run:     ${((pooled - inWorker) * 1000).toFixed(1)} µs/run`)
out(`  throughput, ${threads} workers, ${n} concurrent: ${throughput.toFixed(0)} runs/s`)
