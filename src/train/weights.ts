import { tf } from './backend.js'

/** Number of parameters of a network. */
export function weightCount(model: tf.LayersModel): number {
  return model.getWeights().reduce((n, w) => n + w.size, 0)
}

/** A network's weights as one flat Float32Array (layer order; kernel then bias). */
export function getFlatWeights(model: tf.LayersModel): Float32Array {
  const ws = model.getWeights()
  const out = new Float32Array(ws.reduce((n, w) => n + w.size, 0))
  let o = 0
  for (const w of ws) {
    out.set(w.dataSync() as Float32Array, o)
    o += w.size
  }
  return out
}

/** Sets a network's weights from a flat Float32Array produced by {@link getFlatWeights}. */
export function setFlatWeights(model: tf.LayersModel, flat: Float32Array): void {
  const shapes = model.getWeights().map((w) => w.shape)
  const total = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0)
  if (flat.length !== total) throw new RangeError(`expected ${total} weights, got ${flat.length}`)
  let o = 0
  const tensors = shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const t = tf.tensor(flat.subarray(o, o + size), shape, 'float32')
    o += size
    return t
  })
  model.setWeights(tensors)
  tf.dispose(tensors)
}
