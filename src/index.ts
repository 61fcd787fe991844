/**
 * frugal-ml: machine learning and deep learning when compute and data are
 * scarce. One numeric core (Tensor + autograd on WebAssembly SIMD kernels)
 * under classical estimators and neural networks.
 */
export * from './tensor/index.js';
export { noGrad, withGradMode, isGradEnabled, grad, type GradOptions } from './autograd/graph.js';
export { FrugalError, ShapeError, DTypeError, AxisError, ValueError, NotFittedError, ParseError } from './errors.js';
export { getBackend, setBackend, setNumThreads, getNumThreads } from './backend/index.js';
export * as linalg from './tensor/linalg.js';

// Data in and out.
export { TensorDataset, ArrayDataset, Subset, IterableDataset, type Dataset, type BatchDataset, type Sample, type SampleSource, type ArrayInput, type ArrayDatasetOptions } from './data/dataset.js';
export { DataLoader, collate, type DataLoaderOptions } from './data/dataloader.js';
export { loadIris, loadDigits, loadFashionMnist, loadMnist, FASHION_MNIST_CLASSES, type LoadedDataset, type MnistOptions } from './data/datasets.js';
export { readCsv, parseCsv, streamCsv, csvStreamDataset, CsvTable, DEFAULT_MISSING, type CsvOptions, type StreamCsvOptions, type CsvColumn, type ColumnKind, type ColumnSpec } from './io/csv.js';
export { readIdx, parseIdx, loadIdx, idxToTensor, type IdxData, type IdxDType, type IdxArray } from './io/idx.js';
export { loadImageFolder, decodeImage, ImageFolder, type ImageOptions, type ImageFolderOptions, type LabelledImages } from './io/images.js';
export { readParquet, type ParquetOptions } from './io/parquet.js';
