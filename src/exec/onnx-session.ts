import * as ort from 'onnxruntime-node'
import { InferenceError, OutputTooLargeError } from './errors.js'
import { checkInputs, inspectModel } from './model-info.js'
import { fromOrtResults, toOrtFeeds } from './ort-tensor.js'
import { type TensorMap, totalBytes } from './tensor.js'

/** Session options of every Mutirão CPU session: one thread per session, the pool gives the parallelism. */
export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
}

/**
 * The onnxruntime execution providers a node runs models on: `cpu`, or `webgpu` (Dawn over Vulkan, Metal or
 * D3D12: NVIDIA, AMD, Intel and Apple GPUs, or SwiftShader's software Vulkan for tests).
 */
export type ExecutionProvider = 'cpu' | 'webgpu'

/**
 * Session options on `webgpu`: every node of the graph must run there — onnxruntime's silent per-node fallback
 * to the CPU is disabled, so a model the GPU cannot run fails to load and the caller falls back visibly.
 */
const WEBGPU_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['webgpu'],
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
  extra: { session: { disable_cpu_ep_fallback: '1' } },
}

/**
 * Load a model into an onnxruntime session on `ep` (default the CPU).
 * @throws InferenceError when onnxruntime rejects the model (on `webgpu`: also when any of its operators or
 *   dtypes has no GPU kernel, or no adapter is found).
 */
export async function createOnnxSession(
  modelBytes: Uint8Array,
  ep: ExecutionProvider = 'cpu',
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelBytes, ep === 'webgpu' ? WEBGPU_OPTIONS : SESSION_OPTIONS)
  } catch (e) {
    throw new InferenceError(`onnxruntime could not load the model${ep === 'cpu' ? '' : ` on ${ep}`}`, {
      details: (e as Error).message,
      cause: e,
      metaMessages: ['Check that the model uses opsets and operators this onnxruntime supports.'],
    })
  }
}

/**
 * Run a loaded session on inputs and return all outputs, refusing results over `maxOutputBytes`.
 * @throws InferenceError when the run fails; OutputTooLargeError when the outputs are too large.
 */
export async function runSession(
  session: ort.InferenceSession,
  inputs: TensorMap,
  maxOutputBytes = Number.POSITIVE_INFINITY,
): Promise<TensorMap> {
  let results: ort.InferenceSession.ReturnType
  try {
    results = await session.run(toOrtFeeds(inputs))
  } catch (e) {
    throw new InferenceError('onnxruntime failed to run the model', {
      details: (e as Error).message,
      cause: e,
    })
  }
  const outputs = fromOrtResults(results)
  const total = totalBytes(outputs)
  if (total > maxOutputBytes) {
    throw new OutputTooLargeError(`outputs of ${total} bytes exceed the limit of ${maxOutputBytes}`, {
      metaMessages: ['Send a smaller batch, or raise maxOutputBytes.'],
    })
  }
  return outputs
}

/**
 * Run a model once in this thread (a fresh session, released afterwards): the baseline that pooled
 * execution must match.
 * @throws InvalidModelError, InputMismatchError, InferenceError, OutputTooLargeError.
 */
export async function runOnnxLocally(
  modelBytes: Uint8Array,
  inputs: TensorMap,
  options: { maxOutputBytes?: number } = {},
): Promise<TensorMap> {
  checkInputs(inspectModel(modelBytes), inputs)
  const session = await createOnnxSession(modelBytes)
  try {
    return await runSession(session, inputs, options.maxOutputBytes)
  } finally {
    await session.release()
  }
}
