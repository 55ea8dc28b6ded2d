import type * as ort from 'onnxruntime-node'
import { InvalidInputError } from '../errors.js'
import { checkInputs, inspectModel, type ModelInfo } from '../exec/model-info.js'
import { createOnnxSession, runSession } from '../exec/onnx-session.js'
import type { TensorMap } from '../exec/tensor.js'
import { type Feedback, initialState, nextState, type SessionState, withState } from './state-feedback.js'

/** Options of a streaming session. */
export interface SessionOptions {
  /** Stateful models: outputs fed back into inputs on the next call, e.g. `{ state: 'stateOut' }`. */
  feedback?: Feedback
  /** First value of each state input (default zeros), or a state handed back by another session. */
  state?: SessionState
}

/** A streaming inference session: the model stays loaded; calls run one after another, in order. */
export interface StreamSession {
  readonly model: ModelInfo
  /** Runs one sample (its state inputs come from the session). */
  infer(sample: TensorMap): Promise<TensorMap>
  /** Runs every sample of `samples` in order, yielding each sample's outputs. */
  stream(samples: AsyncIterable<TensorMap> | Iterable<TensorMap>): AsyncIterable<TensorMap>
  /** The state the next call will use (hand it to another session to continue there). */
  state(): SessionState
  close(): Promise<void>
}

/**
 * A session on this machine (the data never leaves it): onnxruntime in this thread, no copy, no hop —
 * the lowest latency Mutirão offers. Calls are serialised, so a stateful model sees its samples in order.
 * @example
 * const s = await openLocalSession(modelBytes, { feedback: { h: 'hOut' } })
 * for await (const out of s.stream(samples)) console.log(out.y)
 */
export async function openLocalSession(
  modelBytes: Uint8Array,
  options: SessionOptions = {},
): Promise<StreamSession> {
  const model = inspectModel(modelBytes)
  const feedback = options.feedback ?? {}
  let state = initialState(model, feedback, options.state)
  const session: ort.InferenceSession = await createOnnxSession(modelBytes)
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false
  const run = async (sample: TensorMap): Promise<TensorMap> => {
    if (closed) throw new InvalidInputError('the session is closed')
    const inputs = withState(sample, state)
    checkInputs(model, inputs)
    const outputs = await runSession(session, inputs)
    state = nextState(outputs, feedback)
    return outputs
  }
  const self: StreamSession = {
    model,
    infer(sample) {
      const result = queue.then(() => run(sample))
      queue = result.catch(() => undefined)
      return result
    },
    async *stream(samples) {
      for await (const sample of samples) yield await self.infer(sample)
    },
    state: () => state,
    async close() {
      if (closed) return
      closed = true
      await queue
      await session.release()
    },
  }
  return self
}
