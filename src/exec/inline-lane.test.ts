import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { INLINE_POLICY, InlinePace, InlineSessions } from './inline-lane.js'
import { createOnnxExecutor, runOnnxLocally } from './onnx-executor.js'
import { totalBytes } from './tensor.js'
import { maxAbsDiffMap } from './tensor-batch.js'
import { tensorFromValues } from './tensor-values.js'

describe('InlinePace', () => {
  it('runs a model here only after enough quick runs, and only for small inputs', () => {
    const pace = new InlinePace()
    expect(pace.inline('m', 16, 1000)).toBe(false)
    for (let i = 1; i < INLINE_POLICY.provenRuns; i++) pace.observe('m', 0.05)
    expect(pace.inline('m', 16, 1000)).toBe(false)
    pace.observe('m', 0.05)
    expect(pace.inline('m', 16, 1000)).toBe(true)
    expect(pace.inline('m', INLINE_POLICY.maxInputBytes, 1000)).toBe(true)
    expect(pace.inline('m', INLINE_POLICY.maxInputBytes + 1, 1000)).toBe(false)
    expect(pace.inline('other', 16, 1000)).toBe(false)
    // a large model is not held twice (here and in the worker), however quick
    expect(pace.inline('m', 16, INLINE_POLICY.maxModelBytes)).toBe(true)
    expect(pace.inline('m', 16, INLINE_POLICY.maxModelBytes + 1)).toBe(false)
  })

  it('sends a model that turns slow back to the pool, and takes it again once it is quick', () => {
    const pace = new InlinePace()
    for (let i = 0; i < 20; i++) pace.observe('m', 0.05)
    pace.observe('m', 5)
    expect(pace.inline('m', 16, 1000)).toBe(false)
    for (let i = 0; i < 20; i++) pace.observe('m', 0.05)
    expect(pace.inline('m', 16, 1000)).toBe(true)
  })

  it('never runs a model here whose runs are slow, and forgets the oldest of too many models', () => {
    const pace = new InlinePace(INLINE_POLICY, 2)
    for (let i = 0; i < 20; i++) pace.observe('slow', 3)
    expect(pace.inline('slow', 16, 1000)).toBe(false)
    for (const m of ['a', 'b', 'c']) for (let i = 0; i < 8; i++) pace.observe(m, 0.05)
    expect(pace.inline('a', 16, 1000)).toBe(false)
    expect(pace.inline('c', 16, 1000)).toBe(true)
  })

  it('counts the bytes of every input', () => {
    const t = tensorFromValues('float32', [2, 3], [1, 2, 3, 4, 5, 6])
    expect(totalBytes({ a: t, b: t })).toBe(48)
  })
})

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../test/fixtures/models/${name}`, import.meta.url)))
const tiny = fixture('tiny.onnx')
const tinyHash = createHash('sha256').update(tiny).digest('hex')
const x = (i: number) => ({ x: tensorFromValues('float32', [1, 4], [i, -i, i / 2, 3]) })

describe('onnx executor inline lane', () => {
  it('runs a quick model in the calling thread after its proven runs, with the same outputs', async () => {
    const exec = createOnnxExecutor({ threads: 1, getModel: async () => tiny })
    try {
      for (let i = 0; i < 60; i++) {
        const out = await exec.run({ modelHash: tinyHash, inputs: x(i) })
        expect(maxAbsDiffMap(out, await runOnnxLocally(tiny, x(i)))).toBe(0)
      }
      const s = exec.stats()
      expect(s.completed).toBe(60)
      // the first runs (a session's warm-up is slower) keep the average above the limit a little longer
      expect(s.inline).toBeGreaterThan(0)
      expect(s.inline).toBeLessThanOrEqual(60 - INLINE_POLICY.provenRuns)
      // a batch over the size limit goes to a worker
      const rows = INLINE_POLICY.maxInputBytes / 16 + 1
      const big = { x: tensorFromValues('float32', [rows, 4], new Array(rows * 4).fill(1)) }
      await exec.run({ modelHash: tinyHash, inputs: big })
      expect(exec.stats().inline).toBe(s.inline)
    } finally {
      await exec.stop()
    }
  })

  it('keeps every task in the workers when told to', async () => {
    const exec = createOnnxExecutor({ threads: 1, getModel: async () => tiny, inline: false })
    try {
      for (let i = 0; i < 20; i++) await exec.run({ modelHash: tinyHash, inputs: x(i) })
      expect(exec.stats()).toMatchObject({ completed: 20, inline: 0 })
    } finally {
      await exec.stop()
    }
  })

  it('refuses a task already aborted or past its deadline, inline as in a worker', async () => {
    const exec = createOnnxExecutor({ threads: 1, getModel: async () => tiny })
    try {
      for (let i = 0; i < 10; i++) await exec.run({ modelHash: tinyHash, inputs: x(i) })
      await expect(exec.run({ modelHash: tinyHash, inputs: x(1), deadline: Date.now() - 1 })).rejects.toThrow(
        /deadline/,
      )
      await expect(
        exec.run({ modelHash: tinyHash, inputs: x(1), signal: AbortSignal.abort() }),
      ).rejects.toThrow(/aborted/)
      const wrong = { x: tensorFromValues('float32', [1, 3], [1, 2, 3]) }
      await expect(exec.run({ modelHash: tinyHash, inputs: wrong })).rejects.toThrow()
    } finally {
      await exec.stop()
    }
  })
})

describe('InlineSessions', () => {
  it('keeps at most maxSessions, and a session evicted mid-run finishes that run', async () => {
    const models = [fixture('tiny.onnx'), fixture('mlp.onnx')]
    const sessions = new InlineSessions(1)
    const tinyRun = sessions.run('tiny', models[0], x(1), 1 << 20)
    // the second model evicts the first while its run is still pending
    const mlpIn = { x: tensorFromValues('float32', [1, 30], new Array(30).fill(0.5)) }
    const mlpRun = sessions.run('mlp', models[1], mlpIn, 1 << 20)
    const [a, b] = await Promise.all([tinyRun, mlpRun])
    expect(maxAbsDiffMap(a.outputs, await runOnnxLocally(models[0], x(1)))).toBe(0)
    expect(maxAbsDiffMap(b.outputs, await runOnnxLocally(models[1], mlpIn))).toBe(0)
    expect(a.runMs).toBeGreaterThanOrEqual(0)
    await sessions.close()
  })

  it('forgets a model whose session could not be created, so the next task tries again', async () => {
    const sessions = new InlineSessions(2)
    await expect(sessions.run('tiny', new Uint8Array([1, 2, 3]), x(1), 1 << 20)).rejects.toThrow(
      /could not load the model/,
    )
    const ok = await sessions.run('tiny', tiny, x(2), 1 << 20)
    expect(maxAbsDiffMap(ok.outputs, await runOnnxLocally(tiny, x(2)))).toBe(0)
    await sessions.close()
  })
})
