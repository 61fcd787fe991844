/**
 * Images as data: a folder with one sub-folder per class (torchvision's
 * `ImageFolder` layout), decoded and resized by `sharp` (libvips).
 *
 * `sharp` is an optional peer dependency, loaded only when an image is
 * decoded: install it (`npm install sharp`) to use these functions. Folder
 * reading needs Node.js.
 */
import { FrugalError, LimitError, ParseError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { importUnbundled } from '../platform/dynamic-import.js';
import { joinPath, listDir, readFileBytes } from '../platform/fs.js';

export interface ImageOptions {
  /** Output size [height, width] in pixels. */
  size: readonly [number, number];
  /** One grey channel instead of three RGB channels. */
  grayscale?: boolean;
  /**
   * How to fit a picture of another aspect ratio: `'fill'` stretches
   * (default, as torchvision's `Resize((h, w))`), `'cover'` crops the
   * centre, `'contain'` pads with black.
   */
  fit?: 'fill' | 'cover' | 'contain';
}

export interface ImageFolderOptions extends ImageOptions {
  /** File extensions taken as images (default .png, .jpg, .jpeg; case-insensitive). */
  extensions?: readonly string[];
  /** Images decoded at once (default 4; libvips decodes on Node's thread pool). */
  concurrency?: number;
}

export interface LabelledImages {
  /** [n, channels, height, width], float32 in [0, 1]. */
  data: Tensor;
  /** [n] int32 class codes, code = position in `classNames`. */
  target: Tensor;
  /** The sub-folder names, sorted. */
  classNames: string[];
  /** The path of each image, in the order of `data`. */
  files: string[];
}

// The slice of sharp's API used here (kept local so that sharp's types are
// not part of Frugal's public types).
interface SharpPipeline {
  rotate(): SharpPipeline;
  resize(width: number, height: number, options: { fit: string; background?: unknown }): SharpPipeline;
  removeAlpha(): SharpPipeline;
  grayscale(): SharpPipeline;
  toColourspace(space: string): SharpPipeline;
  raw(): SharpPipeline;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }>;
}
type SharpFactory = (input: Uint8Array, options?: { failOn?: string }) => SharpPipeline;

let sharpModule: Promise<SharpFactory> | null = null;

function loadSharp(): Promise<SharpFactory> {
  // Imported out of bundlers' sight: a browser bundle must not pull sharp in.
  sharpModule ??= importUnbundled<{ default?: SharpFactory }>('sharp').then(
    (m: { default?: SharpFactory }) => m.default ?? (m as unknown as SharpFactory),
    (err: unknown) => {
      sharpModule = null;
      throw new FrugalError(`decoding images needs the 'sharp' package (npm install sharp): ${(err as Error)?.message ?? String(err)}`);
    },
  );
  return sharpModule;
}

/** The decoding options, checked. @internal */
export interface DecodeSpec {
  h: number;
  w: number;
  channels: number;
  fit: string;
}

const IMAGE_OPTIONS = ['size', 'grayscale', 'fit'];
/** Options of the folder readers. @internal */
export const IMAGE_FOLDER_OPTIONS = [...IMAGE_OPTIONS, 'extensions', 'concurrency'];

/** Most float32 values one decoded image may hold (a 8192×8192 RGB image). */
const MAX_IMAGE_VALUES = 3 * 8192 * 8192;

/** Most float32 values a folder is decoded into at once (4 GiB); beyond, use ImageFolder, which decodes lazily. */
const MAX_FOLDER_VALUES = 2 ** 30;

/** Checks image options (`valid`: the keys allowed). @internal */
export function checkImageOptions(options: ImageOptions, who: string, valid: readonly string[] = IMAGE_OPTIONS): DecodeSpec {
  checkOptions(who, options, valid);
  const size = options?.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ValueError(`${who}: size must be [height, width] in whole pixels >= 1, got ${JSON.stringify(size)}`);
  }
  const fit = options.fit ?? 'fill';
  if (!(options.grayscale === undefined || typeof options.grayscale === 'boolean')) throw new ValueError(`${who}: grayscale must be true or false`);
  if (!['fill', 'cover', 'contain'].includes(fit)) throw new ValueError(`${who}: fit must be 'fill', 'cover' or 'contain', got '${String(fit)}'`);
  const channels = options.grayscale ? 1 : 3;
  if (size[0] * size[1] * channels > MAX_IMAGE_VALUES) {
    throw new LimitError(`${who}: size ${size[0]}×${size[1]} gives ${size[0] * size[1] * channels} values an image, more than ${MAX_IMAGE_VALUES}`);
  }
  return { h: size[0], w: size[1], channels, fit };
}

/** Decodes, resizes and converts one image into `out` at `offset` as CHW floats in [0, 1]. @internal */
export async function decodeInto(bytes: Uint8Array, o: DecodeSpec, out: Float32Array, offset: number, name: string): Promise<void> {
  const sharp = await loadSharp();
  let raw: { data: Uint8Array; info: { width: number; height: number; channels: number } };
  try {
    let p = sharp(bytes, { failOn: 'error' })
      .rotate()
      .resize(o.w, o.h, { fit: o.fit, background: { r: 0, g: 0, b: 0 } })
      .removeAlpha();
    p = o.channels === 1 ? p.grayscale() : p.toColourspace('srgb');
    raw = await p.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ParseError(`${name}: cannot decode image: ${(err as Error)?.message ?? String(err)}`);
  }
  const { data, info } = raw;
  const plane = o.h * o.w;
  if (info.width !== o.w || info.height !== o.h) throw new FrugalError(`${name}: decoder returned ${info.width}×${info.height}, expected ${o.w}×${o.h}`);
  const src = info.channels;
  const s = 1 / 255;
  for (let c = 0; c < o.channels; c++) {
    // Grey input asked for RGB repeats its one channel; RGB asked for grey is handled by sharp.
    const sc = Math.min(c, src - 1);
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = data[i * src + sc] * s;
  }
}

/**
 * Decodes one PNG/JPEG (or any format libvips reads) into a [channels,
 * height, width] float32 tensor in [0, 1], resized to `size`.
 */
export async function decodeImage(bytes: Uint8Array, options: ImageOptions): Promise<Tensor> {
  const o = checkImageOptions(options, 'decodeImage');
  const out = new Float32Array(o.channels * o.h * o.w);
  await decodeInto(bytes, o, out, 0, 'decodeImage');
  return new Tensor(out, [o.channels, o.h, o.w]);
}

/** The image files of a class-per-folder tree and their class codes. @internal */
export async function scanFolder(dir: string, extensions: readonly string[], who: string): Promise<{ classNames: string[]; files: string[]; labels: number[] }> {
  const exts = extensions.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase());
  const entries = await listDir(dir, who);
  const classNames = entries.filter((e) => e.isDirectory && !e.name.startsWith('.')).map((e) => e.name);
  if (classNames.length === 0) throw new FrugalError(`${who}: '${dir}' has no sub-folders; expected one sub-folder of images per class`);
  const files: string[] = [];
  const labels: number[] = [];
  for (const [k, cls] of classNames.entries()) {
    const sub = joinPath(dir, cls);
    const imgs = (await listDir(sub, who)).filter((e) => e.isFile && exts.some((x) => e.name.toLowerCase().endsWith(x)));
    if (imgs.length === 0) throw new FrugalError(`${who}: class folder '${sub}' has no images (${exts.join(', ')})`);
    for (const f of imgs) {
      files.push(joinPath(sub, f.name));
      labels.push(k);
    }
  }
  return { classNames, files, labels };
}

/**
 * Loads every image of a class-per-folder tree into memory:
 *
 * ```
 * dir/cat/001.png   dir/dog/xyz.jpg   ...
 * ```
 *
 * Classes are the sub-folder names in sorted order; images are resized to
 * `size` and returned as [n, C, H, W] float32 in [0, 1] (C = 3, or 1 with
 * `grayscale`). A file that cannot be decoded raises a ParseError naming
 * it. For a tree larger than memory use `ImageFolder` (datasets/).
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions): Promise<LabelledImages> {
  const o = checkImageOptions(options, 'loadImageFolder', IMAGE_FOLDER_OPTIONS);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ValueError(`loadImageFolder: concurrency must be an integer >= 1, got ${concurrency}`);
  const { classNames, files, labels } = await scanFolder(dir, options.extensions ?? ['.png', '.jpg', '.jpeg'], 'loadImageFolder');
  await loadSharp();
  const per = o.channels * o.h * o.w;
  if (files.length * per > MAX_FOLDER_VALUES) {
    throw new LimitError(
      `loadImageFolder: ${files.length} images of ${o.channels}×${o.h}×${o.w} need ${files.length * per} floats, more than ${MAX_FOLDER_VALUES}; use ImageFolder, which decodes images as they are used`,
    );
  }
  const data = new Float32Array(files.length * per);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const bytes = await readFileBytes(files[i], 'loadImageFolder');
      await decodeInto(bytes, o, data, i * per, files[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return {
    data: new Tensor(data, [files.length, o.channels, o.h, o.w]),
    target: new Tensor(Int32Array.from(labels), [files.length]),
    classNames,
    files,
  };
}
