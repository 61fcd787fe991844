/**
 * Bytes to text for the text readers: strict decoding, so that a file that
 * is not in the expected encoding is an error that says where, never a
 * U+FFFD replacement character inside the numbers.
 */
import { ParseError, ValueError } from '../errors.js';

/** A decoder for `encoding` (any WHATWG label: 'utf-8', 'utf-16le', 'latin1', 'windows-1252', ...), failing on invalid bytes. */
export function strictDecoder(encoding: string, what: string): TextDecoder {
  if (typeof encoding !== 'string') throw new ValueError(`${what}: encoding must be a string such as 'utf-8' or 'latin1', got ${typeof encoding}`);
  try {
    return new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new ValueError(`${what}: unknown encoding ${JSON.stringify(encoding)}; use a WHATWG label such as 'utf-8', 'utf-16le' or 'latin1'`);
  }
}

/** Byte offset of the first byte that is not valid UTF-8 in `bytes` (bytes.length when all are valid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length of the sequence and the allowed range of its second byte (no overlongs, no surrogates, <= U+10FFFF).
    let len: number,
      lo = 0x80,
      hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > n) return i;
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k < len; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return n;
}

/** 1-based line and column (in bytes) of byte `offset` of `bytes`. */
function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = bytes[i];
    if (c === 10 || (c === 13 && bytes[i + 1] !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The error for bytes that `decoder` refused; `lineBase` lines were already read before `bytes`. */
export function encodingError(what: string, encoding: string, bytes: Uint8Array, lineBase = 0): ParseError {
  const isUtf8 = /^(utf-?8|unicode-1-1-utf-8)$/i.test(encoding.trim());
  const offset = isUtf8 ? firstInvalidUtf8(bytes) : -1;
  if (offset < 0 || offset >= bytes.length) {
    return new ParseError(`${what}: the text is not valid ${encoding}; pass the file's \`encoding\` (e.g. 'latin1')`, lineBase > 0 ? lineBase + 1 : undefined);
  }
  const { line, column } = lineAndColumn(bytes, offset);
  const hex = Array.from(bytes.subarray(offset, offset + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new ParseError(
    `${what}: line ${lineBase + line}: invalid UTF-8 (bytes ${hex} at byte ${column} of the line); pass the file's \`encoding\` (e.g. 'latin1') if it is not UTF-8`,
    lineBase + line,
    column,
  );
}

/** Decodes all of `bytes` strictly (see {@link strictDecoder}); invalid bytes raise a ParseError naming the line. */
export function decodeText(bytes: Uint8Array, encoding: string, what: string): string {
  const decoder = strictDecoder(encoding, what);
  try {
    return decoder.decode(bytes);
  } catch {
    throw encodingError(what, encoding, bytes);
  }
}

/** Counts line breaks (\n, \r\n, lone \r) in `text`; `prevCr` says whether the text before ended with \r. */
export function countLineBreaks(text: string, prevCr: boolean): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) count++;
  // A \r at the end of the previous chunk followed by \n here was counted twice.
  if (prevCr && text.charCodeAt(0) === 10) count--;
  return count;
}
