import { writeFile } from 'node:fs/promises'
import { createModel } from '../../train/create-model.js'
import { exportToOnnx } from '../../train/export-onnx.js'
import { setFlatWeights } from '../../train/weights.js'
import type { FlJobSpec } from './protocol.js'
import type { FlJobState } from './store.js'

/**
 * Write a federated job's trained model as ONNX (its preprocessing and classes inside): false when the job
 * has no global weights yet.
 */
export async function writeTrainedOnnx(spec: FlJobSpec, state: FlJobState, file: string): Promise<boolean> {
  if (!state.global || !state.preprocessing) return false
  const net = createModel(
    spec.model,
    state.preprocessing.outputDim,
    spec.schema.target.classes.length,
    spec.seed,
  )
  setFlatWeights(net, state.global)
  await writeFile(file, exportToOnnx(net, state.preprocessing, { classes: spec.schema.target.classes }))
  return true
}
