import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { trainDemoModel } from './demo-model.js'

describe('trainDemoModel', () => {
  it('trains the WDBC demo classifier fast and its ONNX model reproduces the accuracy', async () => {
    const t0 = performance.now()
    const demo = await trainDemoModel(new URL('../../data/wdbc-breast-cancer.csv', import.meta.url).pathname)
    const seconds = (performance.now() - t0) / 1000
    expect(seconds).toBeLessThan(10)
    expect(demo.accuracy).toBeGreaterThan(0.9)
    expect(demo.classes).toEqual(['benign', 'malignant'])
    const session = await ort.InferenceSession.create(demo.onnx)
    const out = await session.run({
      features: new ort.Tensor('float32', demo.testInputs, [demo.testCount, demo.inputDim]),
    })
    const labels = out.label.data as BigInt64Array
    let correct = 0
    for (let r = 0; r < demo.testCount; r++) if (Number(labels[r]) === demo.testLabels[r]) correct++
    expect(correct / demo.testCount).toBeCloseTo(demo.accuracy, 10)
    await session.release()
  })
})
