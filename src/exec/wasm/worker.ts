import '../../polyfill.js'
import { parentPort } from 'node:worker_threads'
import type { WorkerRequest } from './protocol.js'
import { runWasmRequest } from './run-request.js'

const port = parentPort
if (!port) throw new Error('wasm worker must run in a worker thread')
port.on('message', (req: WorkerRequest) => {
  runWasmRequest(req).then(
    (res) => {
      const transfer = res.ok ? [res.stdout.buffer, res.stderr.buffer] : [res.stderr.buffer]
      port.postMessage(res, transfer as ArrayBuffer[])
    },
    (e) =>
      port.postMessage({
        id: req.id,
        ok: false,
        kind: 'trap',
        message: String(e),
        stderr: new Uint8Array(0),
        memoryPages: 0,
      }),
  )
})
