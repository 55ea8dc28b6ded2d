/**
 * Worker-thread entry of the ONNX executor: keeps one InferenceSession per model hash (LRU-bounded), on the
 * preferred execution provider or, when that cannot run the model, on the CPU; runs one task at a time and sends outputs back as a transferred buffer.
 */
import '../polyfill.js'
import { parentPort, workerData } from 'node:worker_threads'
import type * as ort from 'onnxruntime-node'
import { InferenceError } from './errors.js'
import { createOnnxSession, runSession } from './onnx-session.js'
import type { Placement, WorkerInit, WorkerReply, WorkerRunRequest } from './onnx-worker-protocol.js'
import { decodeTensors, encodeTensors } from './tensor-codec.js'

const port = parentPort
if (!port) throw new Error('onnx-worker must run in a worker thread')
const { maxSessions, executionProvider = 'cpu' } = workerData as WorkerInit
const sessions = new Map<string, ort.InferenceSession>()
/** Where each loaded model runs (a model the preferred provider cannot run falls back to the CPU). */
const placements = new Map<string, Placement>()

/** A session on the preferred provider, or on the CPU when that provider cannot run the model (said why). */
async function load(model: Uint8Array): Promise<{ session: ort.InferenceSession; placement: Placement }> {
  if (executionProvider === 'cpu')
    return { session: await createOnnxSession(model), placement: { ep: 'cpu' } }
  try {
    return {
      session: await createOnnxSession(model, executionProvider),
      placement: { ep: executionProvider },
    }
  } catch (e) {
    const err = e as InferenceError
    const fallback = `${executionProvider} cannot run this model (${(err.details ?? err.message).split('\n')[0].slice(0, 200)})`
    return { session: await createOnnxSession(model), placement: { ep: 'cpu', fallback } }
  }
}

async function session(req: WorkerRunRequest): Promise<ort.InferenceSession> {
  const cached = sessions.get(req.hash)
  if (cached) {
    sessions.delete(req.hash)
    sessions.set(req.hash, cached) // most recently used last
    return cached
  }
  if (!req.model)
    throw new InferenceError(`worker has no session for model ${req.hash} and was not sent its bytes`)
  const { session: created, placement } = await load(req.model)
  sessions.set(req.hash, created)
  placements.set(req.hash, placement)
  while (sessions.size > maxSessions) {
    const [oldest, s] = sessions.entries().next().value as [string, ort.InferenceSession]
    sessions.delete(oldest)
    placements.delete(oldest)
    await s.release()
  }
  return created
}

port.on('message', async (req: WorkerRunRequest) => {
  let reply: WorkerReply
  let transfer: ArrayBuffer[] = []
  try {
    const s = await session(req)
    const inputs = decodeTensors(req.inputs, { maxTotalBytes: Number.MAX_SAFE_INTEGER })
    const t0 = performance.now()
    const outputs = await runSession(s, inputs, req.maxOutputBytes)
    const runMs = performance.now() - t0
    const encoded = encodeTensors(outputs)
    reply = {
      type: 'done',
      id: req.id,
      outputs: encoded,
      runMs,
      cached: [...sessions.keys()],
      placement: placements.get(req.hash) ?? { ep: 'cpu' },
    }
    transfer = [encoded.buffer as ArrayBuffer]
  } catch (e) {
    const err = e as Error & { shortMessage?: string; details?: string }
    reply = {
      type: 'failed',
      id: req.id,
      error: { name: err.name, message: err.shortMessage ?? err.message, details: err.details },
      cached: [...sessions.keys()],
    }
  }
  port.postMessage(reply, transfer)
})
