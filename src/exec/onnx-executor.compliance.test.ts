import { describeOnnxExecutor } from '../../test/helpers/executor-compliance.js'
import { dispatchByKind } from '../provider/kind-executor.js'
import { createOnnxExecutor } from './onnx-executor.js'

// the node's CPU executor (worker threads), alone and behind the provider's dispatch by job kind
describeOnnxExecutor('onnxruntime-node on the CPU (worker threads)', async (getModel) => {
  const executor = createOnnxExecutor({ threads: 2, getModel })
  return { executor, close: () => executor.stop() }
})

describeOnnxExecutor('dispatch by job kind to the CPU executor', async (getModel) => {
  const onnx = createOnnxExecutor({ threads: 1, getModel })
  return { executor: dispatchByKind({ 'onnx-inference': onnx }), close: () => onnx.stop() }
})
