import { describe, expect, it } from 'vitest'
import { initTraining } from './backend.js'
import { createModel } from './create-model.js'
import { fitArrays } from './fit.js'
import { getFlatWeights, setFlatWeights, weightCount } from './weights.js'

describe('weights and FedProx', () => {
  it('flat weights round-trip; same seed gives the same initial weights', async () => {
    expect(['wasm', 'cpu']).toContain(await initTraining())
    const a = createModel({ kind: 'mlp', hidden: [4] }, 3, 2, 7)
    const b = createModel({ kind: 'mlp', hidden: [4] }, 3, 2, 7)
    expect(weightCount(a)).toBe(3 * 4 + 4 + 4 * 2 + 2)
    expect(getFlatWeights(a)).toEqual(getFlatWeights(b))
    const w = Float32Array.from({ length: weightCount(a) }, (_, i) => i / 10)
    setFlatWeights(a, w)
    expect(getFlatWeights(a)).toEqual(w)
    expect(() => setFlatWeights(a, new Float32Array(3))).toThrow(RangeError)
  })
  it('the FedProx term keeps local weights closer to the anchor', async () => {
    await initTraining()
    const n = 64
    const x = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.7))
    const y = Int32Array.from({ length: n }, (_, r) => (x[r * 3] + x[r * 3 + 1] > 0 ? 1 : 0))
    const dist = (mu: number) => {
      const m = createModel({ kind: 'logreg' }, 3, 2, 1)
      const anchor = getFlatWeights(m)
      fitArrays(m, x, y, { epochs: 20, batchSize: 16, learningRate: 0.1, seed: 1, fedProxMu: mu, anchor })
      return getFlatWeights(m).reduce((s, v, i) => s + (v - anchor[i]) ** 2, 0)
    }
    expect(dist(1)).toBeLessThan(dist(0) * 0.7)
  })
})
