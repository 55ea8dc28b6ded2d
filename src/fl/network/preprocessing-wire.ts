import type { z } from 'zod'
import type { Preprocessing } from '../../data/preprocess.js'
import { InvalidInputError } from '../../errors.js'
import type { PreprocessingWire } from './protocol.js'

/** The preprocessing as plain JSON (what the `round` message and the job store carry). */
export function preprocessingToWire(p: Preprocessing): z.infer<typeof PreprocessingWire> {
  return {
    inputDim: p.inputDim,
    outputDim: p.outputDim,
    fill: [...p.fill],
    source: [...p.source],
    category: [...p.category],
    mean: [...p.mean],
    std: [...p.std],
    names: [...p.names],
  }
}

/** Rebuilds a preprocessing from its JSON form, checking that the arrays agree with the dimensions. */
export function preprocessingFromWire(w: z.infer<typeof PreprocessingWire>): Preprocessing {
  const m = w.outputDim
  if (
    w.fill.length !== w.inputDim ||
    [w.source, w.category, w.mean, w.std, w.names].some((a) => a.length !== m)
  ) {
    throw new InvalidInputError('Preprocessing arrays do not match its input/output dimensions')
  }
  if (w.source.some((j) => j >= w.inputDim))
    throw new InvalidInputError('Preprocessing reads a column out of range')
  return {
    inputDim: w.inputDim,
    outputDim: m,
    fill: Float32Array.from(w.fill),
    source: Int32Array.from(w.source),
    category: Int32Array.from(w.category),
    mean: Float32Array.from(w.mean),
    std: Float32Array.from(w.std),
    names: [...w.names],
  }
}
