import './polyfill.js'

export * from './errors.js'
export type { DType, Tensor, TensorMap } from './exec/tensor.js'
export { DTYPE_BYTES, DTYPES } from './exec/tensor.js'
