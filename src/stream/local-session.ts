import type * as ort from 'onnxruntime-node'
import { InvalidInputError } from '../errors.js'
import { checkInputs, inspectModel, type ModelInfo } from '../exec/model-info.js'
import { createOnnxSession, runSession } from '../exec/onnx-session.js'
import type { TensorMap } from '../exec/tensor.js'
import { batchSize, concatBatch, sliceBatch } from '../exec/tensor-batch.js'
import { MicroBatcher, type MicroBatchOptions } from './micro-batcher.js'
import { pipelined } from './pipeline.js'
import { type Feedback, initialState, nextState, type SessionState, withState } from './state-feedback.js'

/** Options of a streaming session. */
export interface SessionOptions {
  /** Stateful models: outputs fed back into inputs on the next call, e.g. `{ state: 'stateOut' }`. */
  feedback?: Feedback
  /** First value of each state input (default zeros), or a state handed back by another session. */
  state?: SessionState
  /**
   * Micro-batching (stateless models only): calls arriving within `maxDelayMs` of each other, up to
   * `maxSamples`, run as one batch — more throughput for up to `maxDelayMs` more latency.
   */
  batch?: MicroBatchOptions
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
  if (options.batch && Object.keys(feedback).length)
    throw new InvalidInputError(
      'micro-batching needs a stateless session: a stateful model sees its samples one by one',
    )
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false
  const batcher =
    options.batch &&
    new MicroBatcher<TensorMap, TensorMap>(async (samples) => {
      for (const sample of samples) checkInputs(model, sample)
      const outputs = await runSession(session, concatBatch(samples))
      let at = 0
      return samples.map((sample) => {
        const n = batchSize(sample)
        at += n
        return sliceBatch(outputs, at - n, at)
      })
    }, options.batch)
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
      if (batcher)
        return closed
          ? Promise.reject(new InvalidInputError('the session is closed'))
          : batcher.submit(sample)
      const result = queue.then(() => run(sample))
      queue = result.catch(() => undefined)
      return result
    },
    stream(samples) {
      // keep a batch's worth in flight so that the batcher can fill batches
      return pipelined(samples, (sample) => self.infer(sample), options.batch?.maxSamples ?? 1)
    },
    state: () => state,
    async close() {
      if (closed) return
      closed = true
      await batcher?.flush()
      await queue
      await session.release()
    },
  }
  return self
}
