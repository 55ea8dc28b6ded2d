import { InvalidInputError } from '../errors.js'
import type { ValueSpec } from '../exec/model-info.js'
import type { TensorMap } from '../exec/tensor.js'
import { decodeTensors } from '../exec/tensor-codec.js'

/**
 * Decode a provider's result and check it against the model's declared outputs: same names, dtypes,
 * rank, fixed dims, and a batch dim (`axes`, default 0) equal to the shard's sample count. A provider that fails
 * this returned malformed output.
 */
export function checkResult(
  body: Uint8Array,
  outputs: ValueSpec[],
  samples: number,
  maxBytes: number,
  axes: Record<string, number> = {},
): TensorMap {
  const map = decodeTensors(body, { maxTotalBytes: maxBytes })
  const names = Object.keys(map).sort()
  const expected = outputs.map((o) => o.name).sort()
  if (names.join('\u0000') !== expected.join('\u0000')) {
    throw new InvalidInputError(
      `Result has outputs [${names.join(', ')}], the model declares [${expected.join(', ')}]`,
    )
  }
  for (const spec of outputs) {
    const t = map[spec.name]
    if (t.dtype !== spec.dtype)
      throw new InvalidInputError(`Output '${spec.name}' is ${t.dtype}, expected ${spec.dtype}`)
    if (t.dims.length !== spec.dims.length) {
      throw new InvalidInputError(
        `Output '${spec.name}' has rank ${t.dims.length}, expected ${spec.dims.length}`,
      )
    }
    const axis = axes[spec.name] ?? 0
    if (t.dims[axis] !== samples) {
      throw new InvalidInputError(
        `Output '${spec.name}' has ${t.dims[axis]} samples on axis ${axis} for a shard of ${samples} samples`,
      )
    }
    spec.dims.forEach((d, i) => {
      if (i !== axis && typeof d === 'number' && d > 0 && t.dims[i] !== d) {
        throw new InvalidInputError(`Output '${spec.name}' dim ${i} is ${t.dims[i]}, expected ${d}`)
      }
    })
  }
  return map
}
