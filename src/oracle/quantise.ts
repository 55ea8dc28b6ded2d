import { decodeAbiParameters, encodeAbiParameters, type Hex } from 'viem'
import { InvalidInputError } from '../errors.js'
import type { TensorMap } from '../exec/tensor.js'
import { tensorToValues } from '../exec/tensor-values.js'

/** Largest number of output values an oracle answer carries (the contract takes 2,048 bytes: 62 words). */
export const MAX_ANSWER_VALUES = 60

const INT256_MAX = (1n << 255n) - 1n

/**
 * One value as the integer round(v × 10^decimals), rounding half away from zero on the value's exact binary
 * expansion (`Number.prototype.toFixed`), so every honest machine that computed the same float gets the same
 * integer. @throws InvalidInputError for NaN, ±Infinity and values too large to write out (≥ 1e21).
 */
export function quantiseValue(v: number | bigint | boolean, decimals: number): bigint {
  if (typeof v === 'boolean') return v ? 10n ** BigInt(decimals) : 0n
  if (typeof v === 'bigint') return v * 10n ** BigInt(decimals)
  if (!Number.isFinite(v) || Math.abs(v) >= 1e21)
    throw new InvalidInputError(`model output ${v} cannot be quantised`, {
      metaMessages: ['Oracle answers carry finite values below 1e21.'],
    })
  const text = v.toFixed(decimals)
  const q = BigInt(text.replace('.', ''))
  // -0.0000001 → "-0.000000" → 0n: the sign of a zero does not survive, as it should not
  if (q > INT256_MAX || q < -INT256_MAX) throw new InvalidInputError(`model output ${v} overflows int256`)
  return q
}

/**
 * The answer to an oracle request: every output tensor, by name in code-point order, flattened, each value
 * quantised with {@link quantiseValue}, as `abi.encode(int256[])` (what the consumer's callback decodes).
 */
export function quantiseOutputs(outputs: TensorMap, decimals: number): { values: bigint[]; encoded: Hex } {
  const names = Object.keys(outputs).sort()
  const values: bigint[] = []
  for (const name of names)
    for (const v of tensorToValues(outputs[name])) values.push(quantiseValue(v, decimals))
  if (values.length === 0 || values.length > MAX_ANSWER_VALUES)
    throw new InvalidInputError(
      `the model gives ${values.length} output values; an oracle answer carries 1–${MAX_ANSWER_VALUES}`,
      {
        metaMessages: ['Oracle models must produce a small answer (a score, a few class probabilities).'],
      },
    )
  return { values, encoded: encodeAbiParameters([{ type: 'int256[]' }], [values]) }
}

/** The values of an encoded answer. */
export const decodeAnswer = (encoded: Hex): readonly bigint[] =>
  decodeAbiParameters([{ type: 'int256[]' }], encoded)[0]
