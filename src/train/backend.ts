import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { logger } from '../log.js'

const log = logger('train')
let ready: Promise<string> | undefined

/**
 * Selects the tfjs backend once per process: `wasm` (from `@tensorflow/tfjs-backend-wasm`, its `.wasm`
 * files loaded from node_modules by file path), falling back to the pure-JS `cpu` backend, with a warning,
 * if wasm fails to initialise. Returns the backend's name. Safe to call many times.
 */
export function initTraining(): Promise<string> {
  ready ??= (async () => {
    try {
      const require = createRequire(import.meta.url)
      const wasm = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')
      setWasmPaths(`${path.dirname(wasm)}${path.sep}`)
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false')
    } catch (err) {
      log.warn({ err }, 'tfjs wasm backend unavailable; falling back to the cpu backend')
      await tf.setBackend('cpu')
    }
    await tf.ready()
    return tf.getBackend()
  })()
  return ready
}

export { tf }
