import { parentPort } from 'node:worker_threads'
import { droppedMaskCorrection } from './dropped-masks.js'
import type { MaskRequest, MaskResponse } from './mask-pool.js'

// One thread of MaskPool: computes the correction of each request's share of the dropped holders.
parentPort?.on('message', (req: MaskRequest) => {
  let res: MaskResponse
  try {
    const correction = droppedMaskCorrection(req.dropped, req.session, req.length)
    res = { id: req.id, correction }
    parentPort?.postMessage(res, [correction.buffer as ArrayBuffer])
  } catch (err) {
    res = { id: req.id, error: (err as Error).message }
    parentPort?.postMessage(res)
  }
})
