/**
 * Built-in data sets. Iris and digits ship inside the package (no file
 * access, no network); MNIST and Fashion-MNIST are read from IDX files in a
 * folder you give.
 *
 * Every loader returns a {@link LoadedDataset} in scikit-learn's layout:
 * `data` (float32 features, one row per sample), `target` (int32 class
 * codes), the feature and target names, and a description that states the
 * source and licence.
 */
import { FrugalError, ParseError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { readIdx, type IdxData } from '../io/idx.js';
import { isFile, joinPath } from '../platform/fs.js';
import { IRIS_FEATURE_NAMES, IRIS_ROWS, IRIS_TARGET_NAMES } from './builtin/iris.js';
import { DIGITS_ROWS } from './builtin/digits.js';

export interface LoadedDataset {
  /** Features [nSamples, nFeatures] (or [n, 1, 28, 28] for MNIST with `flatten: false`). */
  data: Tensor;
  /** Class codes [nSamples], int32; the class name of code k is `targetNames[k]`. */
  target: Tensor;
  featureNames: string[];
  targetNames: string[];
  /** What the data is, where it comes from, and its licence. */
  description: string;
}

function floatArray(dtype: DType | undefined, n: number, who: string): Float32Array | Float64Array {
  const d = dtype ?? 'float32';
  if (d !== 'float32' && d !== 'float64') throw new ValueError(`${who}: dtype must be 'float32' or 'float64', got '${String(d)}'`);
  return d === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export const IRIS_DESCRIPTION: string = `Iris plants data set
150 samples, 50 of each of 3 species of iris (setosa, versicolor, virginica);
4 features: sepal length, sepal width, petal length, petal width, in cm.
Source: R. A. Fisher (1936), "The use of multiple measurements in taxonomic
problems", via the UCI Machine Learning Repository (the copy bundled with
scikit-learn). Licence: public domain.`;

/**
 * Fisher's iris data: 150 × 4 measurements (cm), 3 species.
 * Features are float32 unless `dtype: 'float64'`.
 */
export function loadIris(options: { dtype?: 'float32' | 'float64' } = {}): LoadedDataset {
  checkOptions('loadIris', options, ['dtype']);
  const n = 150;
  const data = floatArray(options.dtype, n * 4, 'loadIris');
  const target = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) data[i * 4 + j] = IRIS_ROWS[i * 5 + j];
    target[i] = IRIS_ROWS[i * 5 + 4];
  }
  return {
    data: new Tensor(data, [n, 4]),
    target: new Tensor(target, [n]),
    featureNames: [...IRIS_FEATURE_NAMES],
    targetNames: [...IRIS_TARGET_NAMES],
    description: IRIS_DESCRIPTION,
  };
}

export const DIGITS_DESCRIPTION: string = `Optical recognition of handwritten digits (8×8)
1 797 images of the digits 0-9, each 8×8 pixels with values 0..16 (counts of
on-pixels in 4×4 blocks of a 32×32 bitmap), flattened row by row to 64
features.
Source: E. Alpaydin and C. Kaynak (1998), UCI Machine Learning Repository,
"Optical Recognition of Handwritten Digits" (test set; the copy bundled with
scikit-learn). Licence: CC BY 4.0.`;

let digitsCache: { pixels: Uint8Array; labels: Int32Array } | null = null;

function decodeDigits(): { pixels: Uint8Array; labels: Int32Array } {
  if (digitsCache) return digitsCache;
  const lines = DIGITS_ROWS.split('\n').filter((l) => l.length > 0);
  const n = lines.length;
  const pixels = new Uint8Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const line = lines[i];
    labels[i] = line.charCodeAt(0) - 48;
    let k = 0;
    for (let c = 2; c < line.length; c++) {
      const ch = line.charCodeAt(c);
      if (ch === 32) continue;
      pixels[i * 64 + k++] = ch <= 57 ? ch - 48 : ch - 87; // '0'-'9' -> 0-9, 'a'-'g' -> 10-16
    }
    if (k !== 64) throw new FrugalError(`loadDigits: built-in data is corrupt at image ${i} (${k} pixels)`);
  }
  digitsCache = { pixels, labels };
  return digitsCache;
}

/**
 * Handwritten digits: 1 797 images of 8×8 pixels with values 0..16,
 * flattened to [1797, 64] (as scikit-learn's `load_digits`; divide by 16
 * for [0, 1]). Features are float32 unless `dtype: 'float64'`.
 */
export function loadDigits(options: { dtype?: 'float32' | 'float64' } = {}): LoadedDataset {
  checkOptions('loadDigits', options, ['dtype']);
  const { pixels, labels } = decodeDigits();
  const n = labels.length;
  const data = floatArray(options.dtype, n * 64, 'loadDigits');
  for (let i = 0; i < pixels.length; i++) data[i] = pixels[i];
  const featureNames: string[] = [];
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) featureNames.push(`pixel_${r}_${c}`);
  return {
    data: new Tensor(data, [n, 64]),
    target: new Tensor(Int32Array.from(labels), [n]),
    featureNames,
    targetNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    description: DIGITS_DESCRIPTION,
  };
}

export interface MnistOptions {
  /** Which half: the 60 000 training images (default) or the 10 000 test images. */
  split?: 'train' | 'test';
  /** Shape [n, 784] (default, for estimators) or [n, 1, 28, 28] (for convolutional networks). */
  flatten?: boolean;
  /** Pixels as float32 in [0, 1] (default, as torchvision's ToTensor), or raw 0..255 with `scale: false`. */
  scale?: boolean;
}

export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export const FASHION_MNIST_DESCRIPTION: string = `Fashion-MNIST
70 000 grey 28×28 images of clothing in 10 classes (60 000 train, 10 000 test),
a drop-in replacement for MNIST.
Source: Zalando Research; H. Xiao, K. Rasul and R. Vollgraf (2017),
"Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
Algorithms", arXiv:1708.07747. Licence: MIT.`;

export const MNIST_DESCRIPTION: string = `MNIST handwritten digits
70 000 grey 28×28 images of the digits 0-9 (60 000 train, 10 000 test).
Source: Y. LeCun, C. Cortes and C. J. C. Burges, "The MNIST database of
handwritten digits" (NIST Special Databases 1 and 3). Licence: CC BY-SA 3.0.`;

async function findFile(dir: string, stems: string[], who: string): Promise<string> {
  const tried: string[] = [];
  for (const stem of stems) {
    for (const name of [`${stem}.gz`, stem]) {
      const p = joinPath(dir, name);
      tried.push(name);
      if (await isFile(p)) return p;
    }
  }
  throw new FrugalError(`${who}: no ${stems[0]} file in '${dir}' (looked for ${tried.join(', ')})`);
}

async function loadMnistLike(dir: string, options: MnistOptions, who: string, classes: readonly string[], description: string): Promise<LoadedDataset> {
  checkOptions(who, options, ['split', 'flatten', 'scale']);
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new ValueError(`${who}: split must be 'train' or 'test', got '${String(split)}'`);
  if (typeof dir !== 'string') throw new ValueError(`${who}: dir must be a folder path`);
  const prefix = split === 'train' ? 'train' : 't10k';
  // One after the other: with both missing, the error always names the images file (a race would name either).
  const imgPath = await findFile(dir, [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`], who);
  const lblPath = await findFile(dir, [`${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`], who);
  // Read both at once, but report a failure of the images file first whichever fails first.
  const [imagesRead, labelsRead] = await Promise.allSettled([readIdx(imgPath), readIdx(lblPath)]);
  if (imagesRead.status === 'rejected') throw imagesRead.reason;
  if (labelsRead.status === 'rejected') throw labelsRead.reason;
  const images: IdxData = imagesRead.value,
    labels: IdxData = labelsRead.value;
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new ParseError(`${who}: '${imgPath}' holds ${images.dtype} [${images.shape.join(', ')}], expected uint8 [n, rows, cols]`);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new ParseError(`${who}: '${lblPath}' holds ${labels.dtype} [${labels.shape.join(', ')}], expected uint8 [n]`);
  }
  const [n, h, w] = images.shape;
  if (labels.shape[0] !== n) throw new ParseError(`${who}: ${n} images but ${labels.shape[0]} labels`);
  const target = new Int32Array(n);
  const lab = labels.data;
  for (let i = 0; i < n; i++) {
    if (lab[i] >= classes.length) throw new ParseError(`${who}: label ${lab[i]} of sample ${i} is not a class (0..${classes.length - 1})`);
    target[i] = lab[i];
  }
  const px = images.data;
  const data = new Float32Array(px.length);
  if (options.scale ?? true) {
    const s = 1 / 255;
    for (let i = 0; i < px.length; i++) data[i] = px[i] * s;
  } else {
    for (let i = 0; i < px.length; i++) data[i] = px[i];
  }
  const featureNames: string[] = [];
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) featureNames.push(`pixel_${r}_${c}`);
  return {
    data: new Tensor(data, (options.flatten ?? true) ? [n, h * w] : [n, 1, h, w]),
    target: new Tensor(target, [n]),
    featureNames,
    targetNames: [...classes],
    description,
  };
}

/**
 * Fashion-MNIST from a folder with the four IDX files as published
 * (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
 * `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`; gzip'd or not).
 * Nothing is downloaded.
 *
 * ```ts
 * const { data, target } = await loadFashionMnist('data/fashion-mnist'); // [60000, 784] in [0, 1]
 * ```
 */
export function loadFashionMnist(dir: string, options: MnistOptions = {}): Promise<LoadedDataset> {
  return loadMnistLike(dir, options, 'loadFashionMnist', FASHION_MNIST_CLASSES, FASHION_MNIST_DESCRIPTION);
}

/** MNIST digits from a folder with its four IDX files (same layout and options as {@link loadFashionMnist}). */
export function loadMnist(dir: string, options: MnistOptions = {}): Promise<LoadedDataset> {
  return loadMnistLike(dir, options, 'loadMnist', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], MNIST_DESCRIPTION);
}
