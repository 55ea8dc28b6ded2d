import './polyfill.js'

export * from './errors.js'
export { checkInputs, inspectModel } from './exec/model-info.js'
export { readNpy, writeNpy } from './exec/npy.js'
export { runOnnxLocally } from './exec/onnx-executor.js'
export type { DType, Tensor, TensorMap } from './exec/tensor.js'
export { DTYPE_BYTES, DTYPES } from './exec/tensor.js'
export { decodeTensors, encodeTensors } from './exec/tensor-codec.js'
export { tensorFromValues, tensorToValues } from './exec/tensor-values.js'
export { createWasmExecutor, type WasmLimits } from './exec/wasm/index.js'
export type { MutiraoNode, StartNodeOptions } from './node/start-node.js'
export { startNode } from './node/start-node.js'
export type { JobProgress, JobSpecInput, ProviderWork } from './requester/job-spec.js'
export type { ConnectOptions, MutiraoClient, SubmitOptions, WaitOptions, WasmJob } from './sdk/client.js'
export { ApiError, connect } from './sdk/client.js'
export { JobFileSchema, loadJobFile, parseJobFile } from './sdk/job-file.js'
export { submitJobFile } from './sdk/submit-job-file.js'
export type { WasmRunOutput, WasmRunSpec } from './sdk/wasm-job.js'
export { wasmJobInputs, wasmJobOutputs } from './sdk/wasm-job.js'
export { WasmJobFileSchema } from './sdk/wasm-job-file.js'
export { openLocalSession, type SessionOptions, type StreamSession } from './stream/local-session.js'
export { openStream, type StreamOptions, type StreamWhere } from './stream/open-stream.js'
export {
  openRemoteSession,
  type RemoteSessionOptions,
  type RemoteStreamSession,
  StreamFailedError,
} from './stream/remote-session.js'
export {
  type LedgerPayerOptions,
  ledgerPayer,
  type SessionPayer,
  type SessionSpend,
} from './stream/session-payer.js'
export { type SpotCheckReport, spotCheck } from './stream/spot-check.js'
