/** ONNX export and import (see docs/onnx.md). */
export { exportOnnx, exportOnnxBytes, ONNX_OPSET, ONNX_ML_OPSET, type ExportOnnxOptions } from './export.js';
export { importOnnx, importOnnxBytes, OnnxModule } from './import.js';
export { ONNX_LIMITS } from './proto.js';
