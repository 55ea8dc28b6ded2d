/**
 * Worker-thread entry of the ONNX executor: keeps one InferenceSession per model hash (LRU-bounded),
 * runs one task at a time and sends outputs back as a transferred buffer.
 */
import '../polyfill.js'
import { parentPort, workerData } from 'node:worker_threads'
import type * as ort from 'onnxruntime-node'
import { InferenceError } from './errors.js'
import { createOnnxSession, runSession } from './onnx-session.js'
import type { WorkerInit, WorkerReply, WorkerRunRequest } from './onnx-worker-protocol.js'
import { decodeTensors, encodeTensors } from './tensor-codec.js'

const port = parentPort
if (!port) throw new Error('onnx-worker must run in a worker thread')
const { maxSessions } = workerData as WorkerInit
const sessions = new Map<string, ort.InferenceSession>()

async function session(req: WorkerRunRequest): Promise<ort.InferenceSession> {
  const cached = sessions.get(req.hash)
  if (cached) {
    sessions.delete(req.hash)
    sessions.set(req.hash, cached) // most recently used last
    return cached
  }
  if (!req.model)
    throw new InferenceError(`worker has no session for model ${req.hash} and was not sent its bytes`)
  const created = await createOnnxSession(req.model)
  sessions.set(req.hash, created)
  while (sessions.size > maxSessions) {
    const [oldest, s] = sessions.entries().next().value as [string, ort.InferenceSession]
    sessions.delete(oldest)
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
    reply = { type: 'done', id: req.id, outputs: encoded, runMs, cached: [...sessions.keys()] }
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
