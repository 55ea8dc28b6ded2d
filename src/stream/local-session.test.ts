import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { recurrentModel } from '../../test/helpers/stream-models.js'
import { fromOrtResults } from '../exec/ort-tensor.js'
import type { TensorMap } from '../exec/tensor.js'
import { tensorFromValues } from '../exec/tensor-values.js'
import { openLocalSession } from './local-session.js'

const MLP = new Uint8Array(readFileSync(new URL('../../test/fixtures/models/mlp.onnx', import.meta.url)))
const sample = (i: number, d: number): TensorMap => ({
  x: tensorFromValues(
    'float32',
    [1, d],
    Array.from({ length: d }, (_, j) => Math.sin(i * 0.37 + j) * 2),
  ),
})
const same = (a: TensorMap, b: TensorMap) => {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort())
  for (const k of Object.keys(a)) expect(Buffer.from(a[k].data).equals(Buffer.from(b[k].data)), k).toBe(true)
}

describe('local streaming session', () => {
  const sessions: ort.InferenceSession[] = []
  afterAll(async () => Promise.all(sessions.map((s) => s.release())))

  it('10,000 samples through a session return exactly what onnxruntime returns call by call', async () => {
    const direct = await ort.InferenceSession.create(MLP)
    sessions.push(direct)
    const s = await openLocalSession(MLP)
    let i = 0
    async function* samples() {
      for (let k = 0; k < 10_000; k++) yield sample(k, 30)
    }
    for await (const out of s.stream(samples())) {
      const x = sample(i++, 30).x
      const ref = fromOrtResults(
        await direct.run({ x: new ort.Tensor('float32', new Float32Array(x.data.buffer.slice(0)), x.dims) }),
      )
      same(out, ref)
    }
    expect(i).toBe(10_000)
    await s.close()
  }, 60_000)

  it('a stateful stream equals running the model call by call with the state fed back', async () => {
    const model = recurrentModel()
    const direct = await ort.InferenceSession.create(model)
    sessions.push(direct)
    const s = await openLocalSession(model, { feedback: { h: 'hOut' } })
    let h: ort.Tensor = new ort.Tensor('float32', new Float32Array(8), [1, 8])
    const ys: number[] = []
    for (let i = 0; i < 500; i++) {
      const x = sample(i, 4).x
      const out = await s.infer({ x })
      const ref = await direct.run({
        x: new ort.Tensor('float32', new Float32Array(x.data.buffer.slice(0)), [1, 4]),
        h,
      })
      h = ref.hOut
      same(out, fromOrtResults(ref))
      ys.push(new Float32Array(out.y.data.buffer.slice(0))[0])
    }
    // the state matters: the same sample gives different answers as the state moves on
    expect(new Set(ys.map((y) => y.toFixed(5))).size).toBeGreaterThan(100)
    // the state can be handed to another session, which continues the stream exactly
    const t = await openLocalSession(model, { feedback: { h: 'hOut' }, state: s.state() })
    const next = sample(500, 4)
    same(await t.infer(next), await s.infer(next))
    await Promise.all([s.close(), t.close()])
  })

  it('refuses a feedback that does not fit the model, and a sample that sets the state', async () => {
    const model = recurrentModel()
    await expect(openLocalSession(model, { feedback: { h: 'nope' } })).rejects.toThrow(/no output 'nope'/)
    await expect(openLocalSession(model, { feedback: { z: 'hOut' } })).rejects.toThrow(/no input 'z'/)
    const s = await openLocalSession(model, { feedback: { h: 'hOut' } })
    await expect(s.infer({ ...sample(0, 4), h: s.state().h })).rejects.toThrow(/the session feeds it/)
    await expect(s.infer({})).rejects.toThrow(/input 'x' is missing/)
    // a refused call does not block the ones after it
    expect((await s.infer(sample(1, 4))).y.dims).toEqual([1, 1])
    await s.close()
    await expect(s.infer(sample(2, 4))).rejects.toThrow(/closed/)
  })
})

describe('local session with micro-batching', () => {
  const close = (a: TensorMap, b: TensorMap) => {
    for (const k of Object.keys(b)) {
      if (a[k].dtype !== 'float32') {
        expect(Buffer.from(a[k].data).equals(Buffer.from(b[k].data))).toBe(true)
        continue
      }
      const x = new Float32Array(a[k].data.slice().buffer)
      const y = new Float32Array(b[k].data.slice().buffer)
      expect(x.length).toBe(y.length)
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-5)
    }
  }
  it('concurrent calls and a stream give each sample its own answer, as unbatched (within float rounding)', async () => {
    const plain = await openLocalSession(MLP)
    const batched = await openLocalSession(MLP, { batch: { maxSamples: 32, maxDelayMs: 2 } })
    const samples = Array.from({ length: 200 }, (_, i) => sample(i, 30))
    const want: TensorMap[] = []
    for (const s of samples) want.push(await plain.infer(s))
    const got = await Promise.all(samples.map((s) => batched.infer(s)))
    for (let j = 0; j < got.length; j++) close(got[j], want[j])
    let i = 0
    for await (const out of batched.stream(samples)) close(out, want[i++])
    expect(i).toBe(200)
    await Promise.all([plain.close(), batched.close()])
  })
  it('is refused for a stateful session', async () => {
    await expect(
      openLocalSession(recurrentModel(), {
        feedback: { h: 'hOut' },
        batch: { maxSamples: 8, maxDelayMs: 1 },
      }),
    ).rejects.toThrow(/stateless/)
  })
})
