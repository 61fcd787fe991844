/**
 * The IDX file format (MNIST, Fashion-MNIST, EMNIST, ...): a big-endian
 * header — two zero bytes, a dtype code, the number of dimensions, one
 * 32-bit size per dimension — then the elements, row-major, big-endian.
 */
import { LimitError, ParseError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { concatBytes, gunzipChunks, isGzip, readFileBytes } from '../platform/fs.js';

/** Element types an IDX file can hold, by name. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: elements in host byte order, row-major, and the sizes. */
export interface IdxData {
  data: IdxArray;
  shape: number[];
  dtype: IdxDType;
}

const CODES: Record<number, { dtype: IdxDType; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

const ARRAYS = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Fills `out` from big-endian `bytes` (exactly out.byteLength of them), swapping bytes on a little-endian host. */
function fromBigEndian<T extends Int16Array | Int32Array | Float32Array | Float64Array>(out: T, bytes: Uint8Array): T {
  const raw = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  raw.set(bytes);
  const size = out.BYTES_PER_ELEMENT;
  if (littleEndianHost) {
    for (let i = 0; i < raw.length; i += size) {
      for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
        const t = raw[lo];
        raw[lo] = raw[hi];
        raw[hi] = t;
      }
    }
  }
  return out;
}

const hex = (n: number, width = 2): string => `0x${n.toString(16).padStart(width, '0')}`;

/**
 * Decodes an uncompressed IDX file held in memory. Validates the magic
 * number (0x000008XX), the dtype code, the dimension count and that the
 * body has exactly the length the header promises; any mismatch raises a
 * `ParseError` and nothing partial is returned. For gzip'd bytes use
 * {@link readIdx}, which decompresses first.
 *
 * The result never shares memory with `bytes` (single-byte data is copied).
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxData {
  return decode(bytes, name, false);
}

interface IdxHeader {
  code: { dtype: IdxDType; bytes: number };
  shape: number[];
  count: number;
  headerLen: number;
  /** Header plus data bytes, as the header declares them. */
  fileBytes: number;
}

/**
 * Reads and checks the header at the start of `bytes`; null when `bytes`
 * is too short to hold the whole header yet (and `partial`).
 */
function readHeader(bytes: Uint8Array, name: string, partial: boolean): IdxHeader | null {
  if (bytes.length < 4) {
    if (partial) return null;
    throw new ParseError(`${name}: ${bytes.length} bytes is too short for an IDX header (at least 4 bytes)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    throw new ParseError(`${name}: not an IDX file: magic number ${hex(magic, 8)}, expected 0x000008XX (first two bytes zero)`);
  }
  const code = CODES[bytes[2]];
  if (!code) {
    throw new ParseError(`${name}: unknown IDX dtype code ${hex(bytes[2])}; expected 0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32) or 0x0e (float64)`);
  }
  const ndim = bytes[3];
  if (ndim === 0) throw new ParseError(`${name}: IDX header declares 0 dimensions`);
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    if (partial) return null;
    throw new ParseError(`${name}: truncated header: ${ndim} dimensions need ${headerLen} header bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
  }
  return { code, shape, count, headerLen, fileBytes: headerLen + count * code.bytes };
}

function decode(bytes: Uint8Array, name: string, owned: boolean): IdxData {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`parseIdx: expected a Uint8Array, got ${typeof bytes}`);
  if (isGzip(bytes)) throw new ValueError(`parseIdx: ${name} is gzip'd; use readIdx (async), which decompresses it`);
  const { code, shape, count, headerLen } = readHeader(bytes, name, false)!;
  const _view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Checked against the bytes there before anything is allocated.
  const expected = count * code.bytes;
  const body = bytes.length - headerLen;
  if (body !== expected) {
    const what = body < expected ? 'truncated' : 'too long';
    throw new ParseError(`${name}: ${what}: header says ${code.dtype} [${shape.join(', ')}] = ${expected} data bytes, the file has ${body} after the ${headerLen}-byte header`);
  }
  const offset = headerLen;
  let data: IdxArray;
  if (code.dtype === 'uint8') data = owned ? bytes.subarray(offset) : bytes.slice(offset);
  else if (code.dtype === 'int8') data = new Int8Array(bytes.slice(offset).buffer);
  else data = fromBigEndian(new ARRAYS[code.dtype](count), bytes.subarray(offset, offset + count * code.bytes));
  return { data, shape, dtype: code.dtype };
}

/** Default {@link IdxOptions.maxBytes}: 2^31 - 1 bytes. */
export const DEFAULT_MAX_IDX_BYTES = 2 ** 31 - 1;

export interface IdxOptions {
  /**
   * Largest decompressed file accepted (default {@link DEFAULT_MAX_IDX_BYTES});
   * a header that declares more raises a LimitError before the rest is inflated.
   */
  maxBytes?: number;
}

/**
 * Inflates gzip'd IDX data, stopping at the size its header declares (a
 * gzip bomb is cut off there, and a header declaring more than `maxBytes`
 * is refused before the data is inflated).
 */
async function gunzipIdx(bytes: Uint8Array, name: string, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  let declared = -1;
  for await (const chunk of gunzipChunks(bytes, `readIdx: ${name}`)) {
    parts.push(chunk);
    total += chunk.length;
    if (declared < 0) {
      const header = readHeader(parts.length === 1 ? chunk : concatBytes(parts, total), name, true);
      if (header) {
        declared = header.fileBytes;
        if (declared > maxBytes) {
          throw new LimitError(`${name}: header declares ${header.code.dtype} [${header.shape.join(', ')}] = ${declared} bytes, more than maxBytes (${maxBytes})`);
        }
      }
    }
    if (declared >= 0 && total > declared) {
      throw new ParseError(`${name}: too long: the header declares ${declared} bytes, the gzip data inflates to more`);
    }
  }
  return concatBytes(parts, total);
}

/**
 * Reads an IDX file from a path (Node.js) or from bytes, gzip'd or not
 * (detected by the gzip magic bytes, not the file name). A truncated or
 * corrupt gzip stream, a wrong magic number or a body whose length does not
 * match the header raises a `ParseError`; a header declaring more than
 * `maxBytes` a `LimitError`.
 *
 * ```ts
 * const { data, shape } = await readIdx('train-images-idx3-ubyte.gz'); // Uint8Array, [60000, 28, 28]
 * ```
 */
export async function readIdx(source: string | Uint8Array, options: IdxOptions = {}): Promise<IdxData> {
  checkOptions('readIdx', options, ['maxBytes']);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_IDX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new ValueError(`readIdx: maxBytes must be an integer >= 1, got ${String(maxBytes)}`);
  if (!(typeof source === 'string' || source instanceof Uint8Array)) throw new ValueError(`readIdx: expected a path or bytes, got ${typeof source}`);
  const name = typeof source === 'string' ? `'${source}'` : 'IDX data';
  let bytes = typeof source === 'string' ? await readFileBytes(source, 'readIdx') : source;
  let owned = typeof source === 'string';
  if (isGzip(bytes)) {
    bytes = await gunzipIdx(bytes, name, maxBytes);
    owned = true;
  } else if (bytes.length > maxBytes) {
    throw new LimitError(`${name}: ${bytes.length} bytes is more than maxBytes (${maxBytes})`);
  }
  return decode(bytes, name, owned);
}

/**
 * Reads an IDX file as a Tensor: integer types become int32, float32 stays
 * float32, float64 stays float64. `scale` multiplies the values and gives a
 * float32 tensor (e.g. `1 / 255` for pixels in [0, 1]).
 */
export async function loadIdx(source: string | Uint8Array, options: IdxOptions & { scale?: number } = {}): Promise<Tensor> {
  checkOptions('loadIdx', options, ['scale', 'maxBytes']);
  const { data, shape } = await readIdx(source, { maxBytes: options.maxBytes });
  return idxToTensor(data, shape, options.scale);
}

/** Converts decoded IDX elements to a Tensor (see {@link loadIdx}). */
export function idxToTensor(data: IdxArray, shape: number[], scale?: number): Tensor {
  if (!ArrayBuffer.isView(data)) throw new ValueError(`idxToTensor: data must be the typed array readIdx returns, got ${data === null ? 'null' : typeof data}`);
  if (scale !== undefined) {
    if (!Number.isFinite(scale)) throw new ValueError(`loadIdx: scale must be a finite number, got ${scale}`);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] * scale;
    return new Tensor(out, shape);
  }
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array) return new Tensor(data, shape);
  return new Tensor(Int32Array.from(data), shape);
}
