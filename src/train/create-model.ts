import { tf } from './backend.js'
import { ModelSpec } from './model-spec.js'

/**
 * Builds a tfjs layers network for `spec` mapping `[N, inputDim]` to `[N, classes]` logits, with
 * Glorot-uniform kernels seeded from `seed` (so that every holder of a federated job starts from the same
 * weights) and zero biases. Call `initTraining()` first.
 */
export function createModel(spec: ModelSpec, inputDim: number, classes: number, seed: number): tf.Sequential {
  const s = ModelSpec.parse(spec)
  const model = tf.sequential()
  const hidden = s.kind === 'mlp' ? s.hidden : []
  const widths = [...hidden, classes]
  widths.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        inputShape: i === 0 ? [inputDim] : undefined,
        activation: i < hidden.length && s.kind === 'mlp' ? s.activation : 'linear',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
        biasInitializer: 'zeros',
      }),
    )
  })
  return model
}
