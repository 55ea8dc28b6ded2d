/**
 * The tab's WASI sandbox worker (a Web Worker, built to `wasm-worker.js`): the same runWasmRequest as a node's
 * worker threads, so a module given the same arguments, stdin and seed writes byte-identical stdout.
 */
import type { WorkerRequest } from '../exec/wasm/protocol.js'
import { runWasmRequest } from '../exec/wasm/run-request.js'

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null
  postMessage(message: unknown, transfer: Transferable[]): void
}

scope.onmessage = (e) => {
  const req = e.data
  runWasmRequest(req).then(
    (res) => scope.postMessage(res, res.ok ? [res.stdout.buffer, res.stderr.buffer] : [res.stderr.buffer]),
    (err) =>
      scope.postMessage(
        {
          id: req.id,
          ok: false,
          kind: 'trap',
          message: String(err),
          stderr: new Uint8Array(0),
          memoryPages: 0,
        },
        [],
      ),
  )
}
