import { describeOnnxExecutor } from '../../test/helpers/executor-compliance.js'
import { createWebOnnxExecutor } from './web-executor.js'

// the browser tab's executor (onnxruntime-web, WebAssembly backend), run here in Node: the same contract
describeOnnxExecutor('onnxruntime-web, wasm backend (the browser tab’s executor)', async (getModel) => {
  const executor = createWebOnnxExecutor({ backend: 'wasm', getModel })
  return { executor, close: () => executor.close() }
})
