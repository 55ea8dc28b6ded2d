import { InvalidInputError } from '../errors.js'
import type { ModelInfo } from '../exec/model-info.js'
import { DTYPE_BYTES, type TensorMap } from '../exec/tensor.js'

/** Outputs fed back into inputs on the next call of a stateful session: `{ state: 'stateOut' }`. */
export type Feedback = Record<string, string>

/** A session's carried state: the tensors fed into the state inputs on the next call. */
export type SessionState = TensorMap

/**
 * Checks that every feedback pair names an input and an output of the model with the same dtype, and that
 * the initial state (zeros when absent) fits the state inputs. Returns the first state.
 * @throws InvalidInputError naming the pair that does not fit.
 */
export function initialState(
  info: Pick<ModelInfo, 'inputs' | 'outputs'>,
  feedback: Feedback,
  initial: TensorMap = {},
): SessionState {
  const state: SessionState = {}
  for (const [input, output] of Object.entries(feedback)) {
    const i = info.inputs.find((s) => s.name === input)
    const o = info.outputs.find((s) => s.name === output)
    if (!i || !o)
      throw new InvalidInputError(
        `state feedback ${output} → ${input}: ${!i ? `no input '${input}'` : `no output '${output}'`} in the model`,
        {
          metaMessages: [
            `Inputs: ${info.inputs.map((s) => s.name).join(', ')}; outputs: ${info.outputs.map((s) => s.name).join(', ')}.`,
          ],
        },
      )
    if (i.dtype !== o.dtype)
      throw new InvalidInputError(
        `state feedback ${output} → ${input}: ${o.dtype} output into a ${i.dtype} input`,
      )
    const given = initial[input]
    if (given) {
      state[input] = given
      continue
    }
    if (i.dims.some((d) => typeof d !== 'number'))
      throw new InvalidInputError(
        `state input '${input}' has a symbolic shape [${i.dims.join(', ')}]: give its initial value`,
      )
    const dims = i.dims as number[]
    const bytes = dims.reduce((a, b) => a * b, 1) * DTYPE_BYTES[i.dtype]
    state[input] = { dtype: i.dtype, dims, data: new Uint8Array(bytes) }
  }
  return state
}

/** The inputs of one call: the caller's sample and the carried state (a sample may not set a state input). */
export function withState(sample: TensorMap, state: SessionState): TensorMap {
  for (const name of Object.keys(state))
    if (name in sample)
      throw new InvalidInputError(`input '${name}' is the session's state; the session feeds it`)
  return { ...sample, ...state }
}

/** The state after a call: each feedback output becomes the next value of its input. */
export function nextState(outputs: TensorMap, feedback: Feedback): SessionState {
  return Object.fromEntries(Object.entries(feedback).map(([input, output]) => [input, outputs[output]]))
}
