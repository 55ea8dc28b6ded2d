/**
 * The ONNX protobuf classes. onnx-proto is CommonJS; this re-exports its `onnx` namespace for ESM code,
 * so that other modules neither repeat the interop nor deep-import the package.
 */
import onnxProto from 'onnx-proto'

/** The `onnx` protobuf namespace (runtime value): ModelProto, GraphProto, TensorProto, ... */
export const onnx = onnxProto.onnx

/** The `onnx` protobuf namespace (types): `OnnxProto.IModelProto`, `OnnxProto.INodeProto`, ... */
export type { onnx as OnnxProto } from 'onnx-proto'
