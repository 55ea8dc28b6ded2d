import { InvalidInputError } from '../errors.js'
import type { BatchAxes, BatchAxis } from './batch-axes.js'
import type { ModelInfo, ValueSpec } from './model-info.js'

/** Batch axes of a job's inputs and outputs: where samples are split, and where results are joined. */
export interface JobBatchAxes {
  inputs: BatchAxes
  /** Outputs are always batched (results are joined along these axes). */
  outputs: Record<string, number>
}

/** What a job file or the SDK says explicitly; the rest is inferred from the model. */
export interface BatchAxesOverrides {
  inputs?: BatchAxes
  outputs?: Record<string, number>
}

const symbolic = (spec: ValueSpec) =>
  spec.dims.flatMap((d, i) => (typeof d === 'string' || d <= 0 ? [i] : []))

/**
 * The batch axis of every input and output of a model. Explicit overrides win; otherwise an input is
 * batched on axis 0 when dim 0 is symbolic (the common case), on its only symbolic dim when there is one
 * (e.g. a recurrent `state` [2, N, 128] → axis 1), and broadcast when it has no symbolic dim (scalars,
 * fixed tensors, lookup tables). An output is batched on the dim that bears the inputs' batch dim name,
 * else as an input would be, else on axis 0.
 * @throws InvalidInputError naming the tensor when an override is out of range or the axis is ambiguous.
 */
export function inferBatchAxes(
  info: Pick<ModelInfo, 'inputs' | 'outputs'>,
  o: BatchAxesOverrides = {},
): JobBatchAxes {
  for (const [kind, given, specs] of [
    ['input', o.inputs, info.inputs],
    ['output', o.outputs, info.outputs],
  ] as const) {
    for (const [name, axis] of Object.entries(given ?? {})) {
      const spec = specs.find((s) => s.name === name)
      if (!spec)
        throw new InvalidInputError(`batch axis given for '${name}', which is not an ${kind} of the model`, {
          metaMessages: [`The model's ${kind}s are ${specs.map((s) => `'${s.name}'`).join(', ')}.`],
        })
      if (axis !== 'broadcast' && (!Number.isInteger(axis) || axis < 0 || axis >= spec.dims.length))
        throw new InvalidInputError(
          `${kind} '${name}' has rank ${spec.dims.length}: batch axis ${axis} is out of range`,
        )
    }
  }
  const inputs: BatchAxes = {}
  const batchDimNames = new Set<string>()
  for (const spec of info.inputs) {
    const axis: BatchAxis = o.inputs?.[spec.name] ?? guess(spec, 'input')
    inputs[spec.name] = axis
    const d = axis === 'broadcast' ? undefined : spec.dims[axis]
    if (typeof d === 'string' && d !== '?') batchDimNames.add(d)
  }
  const outputs: Record<string, number> = {}
  for (const spec of info.outputs) {
    const named = spec.dims.findIndex((d) => typeof d === 'string' && batchDimNames.has(d))
    const given = o.outputs?.[spec.name]
    if (given !== undefined) outputs[spec.name] = given
    else if (named >= 0) outputs[spec.name] = named
    else {
      const g = spec.dims.length ? guess(spec, 'output') : 'broadcast'
      if (g === 'broadcast')
        throw new InvalidInputError(`output '${spec.name}' has no batch dim to join results along`, {
          metaMessages: ['Give its batch axis in the job file: "outputs": { "name": { "batchAxis": 0 } }.'],
        })
      outputs[spec.name] = g
    }
  }
  return { inputs, outputs }
}

function guess(spec: ValueSpec, kind: 'input' | 'output'): BatchAxis {
  const sym = symbolic(spec)
  if (spec.dims.length === 0 || sym.length === 0) return kind === 'output' ? 0 : 'broadcast'
  if (sym[0] === 0 || sym.length === 1) return sym[0]
  throw new InvalidInputError(
    `${kind} '${spec.name}' [${spec.dims.join(', ')}] has several symbolic dims and none first: which is the batch?`,
    {
      metaMessages: [
        `Say it in the job file: "${kind}s": { "${spec.name}": { ..., "batchAxis": ${sym[0]} } }.`,
      ],
    },
  )
}
