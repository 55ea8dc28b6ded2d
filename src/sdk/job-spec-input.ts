import { InvalidInputError } from '../errors.js'
import { parsePrice } from '../market/price.js'
import type { JobSpecInput } from '../requester/job-spec.js'
import type { InferenceJob, SubmitOptions } from './client-options.js'

/**
 * The job's max price in base units per work unit, from `maxPricePerUnit` or `maxPrice` (MUT per 1,000 units).
 * @throws InvalidInputError when both are given or `maxPrice` is not a price.
 */
export function maxPricePerUnitOf(
  o: Pick<SubmitOptions, 'maxPrice' | 'maxPricePerUnit'>,
): string | undefined {
  if (o.maxPrice !== undefined && o.maxPricePerUnit !== undefined)
    throw new InvalidInputError(
      'Give maxPrice (MUT per 1,000 units) or maxPricePerUnit (base units), not both',
    )
  return o.maxPrice !== undefined ? parsePrice(o.maxPrice).toString() : o.maxPricePerUnit
}

/** The spec of an ONNX job whose model and input set are on the node under these content addresses. */
export function onnxJobSpec(
  job: Omit<InferenceJob, 'model' | 'inputs'>,
  modelHash: string,
  inputsHash: string,
): JobSpecInput {
  const { name, shardSize, timeoutSeconds, providers, verification, batchAxes } = job
  return {
    verification,
    batchAxes,
    kind: 'onnx-inference',
    modelHash,
    inputsHash,
    name,
    shardSize,
    maxPricePerUnit: maxPricePerUnitOf(job),
    timeoutSeconds,
    providers: providers as never,
  }
}
