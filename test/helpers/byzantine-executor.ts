import { createHash } from 'node:crypto'
import type { TaskExecutor } from '../../src/exec/task-executor.js'
import type { Tensor, TensorMap } from '../../src/exec/tensor.js'
import { encodeTensors } from '../../src/exec/tensor-codec.js'

/** How a Byzantine provider misbehaves. */
export type ByzantineMode = 'honest' | 'always-wrong' | 'wrong-10pct' | 'lazy' | 'colluder'

/** A wrong copy of `t`: floats shifted by `shift`, other dtypes with the low bit of each element flipped. */
export function corrupt(t: Tensor, shift: number): Tensor {
  const data = t.data.slice()
  if (t.dtype === 'float32') {
    const f = new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4)
    for (let i = 0; i < f.length; i++) f[i] += shift
  } else if (t.dtype === 'float64') {
    const f = new Float64Array(data.buffer, data.byteOffset, data.byteLength / 8)
    for (let i = 0; i < f.length; i++) f[i] += shift
  } else {
    const step = t.dtype === 'bool' || t.dtype.endsWith('8') ? 1 : Number(t.dtype.replace(/\D/g, '')) / 8
    for (let i = 0; i < data.length; i += step) data[i] ^= 1
  }
  return { ...t, data }
}

const corruptAll = (m: TensorMap, shift: number): TensorMap =>
  Object.fromEntries(Object.entries(m).map(([k, t]) => [k, corrupt(t, shift)]))

/**
 * Wrap an honest executor so it misbehaves: `always-wrong` corrupts every result; `wrong-10pct` one in ten
 * at random; `lazy` computes once per model (to learn output shapes) and always returns random bytes; `colluder` corrupts every result deterministically from the input hash, so two colluders
 * return the same wrong answer for the same task.
 */
export function byzantine(mode: ByzantineMode, inner: TaskExecutor): TaskExecutor {
  const shapes = new Map<string, TensorMap>()
  return {
    async run(req) {
      if (mode === 'lazy') {
        // learns the output shapes once (one real run), then never computes: random bytes every time
        if (!shapes.has(req.modelHash)) shapes.set(req.modelHash, await inner.run(req))
        const rows = Object.values(req.inputs)[0].dims[0]
        const proto = shapes.get(req.modelHash)!
        return Object.fromEntries(
          Object.entries(proto).map(([k, t]) => {
            const dims = [rows, ...t.dims.slice(1)]
            const bytes = (t.data.length / Math.max(1, t.dims[0])) * rows
            const data = new Uint8Array(bytes)
            for (let i = 0; i < bytes; i++) data[i] = Math.floor(Math.random() * 256) & 0x3f
            return [k, { dtype: t.dtype, dims, data }]
          }),
        )
      }
      const out = await inner.run(req)
      switch (mode) {
        case 'honest':
          return out
        case 'always-wrong':
          return corruptAll(out, 0.25 + Math.random())
        case 'wrong-10pct':
          return Math.random() < 0.1 ? corruptAll(out, 0.5) : out
        case 'colluder': {
          const h = createHash('sha256').update(encodeTensors(req.inputs)).digest()
          return corruptAll(out, 0.25 + h[0] / 256)
        }
      }
    },
  }
}
