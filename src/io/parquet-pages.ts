/**
 * Checks a Parquet file's page headers against the bytes there before the
 * decoder (hyparquet) trusts them: a page that claims more values than its
 * column chunk, more uncompressed bytes than its codec can produce from its
 * compressed size, or bytes beyond the file, is refused. Without this a
 * few altered bytes make the decoder allocate or loop for billions of
 * values. Page headers are Thrift compact-protocol structs; this reads only
 * what it checks and skips the rest, with every loop bounded by the bytes.
 */
import { ParseError } from '../errors.js';

/** Field id -> value of a Thrift struct: numbers for integers, nested structs as maps (other fields are skipped). */
type ThriftStruct = Map<number, number | ThriftStruct>;

const MAX_DEPTH = 16;

/** A bounded reader of the Thrift compact protocol. */
class CompactReader {
  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
    private readonly end: number,
    private readonly where: string,
  ) {}

  fail(what: string): never {
    throw new ParseError(`${this.where}: ${what} (byte ${this.offset})`);
  }

  byte(): number {
    if (this.offset >= this.end) this.fail('a page header runs past the end of the file');
    return this.bytes[this.offset++];
  }

  /** An unsigned varint as a number (exact up to 2^53; longer than 10 bytes is malformed). */
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
    return this.fail('a varint longer than 10 bytes');
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  skip(n: number): void {
    if (n < 0 || this.offset + n > this.end) this.fail('a page header field runs past the end of the file');
    this.offset += n;
  }

  /** A value of compact type `type`: integers as numbers, structs as maps, anything else skipped (undefined). */
  value(type: number, depth: number): number | ThriftStruct | undefined {
    switch (type) {
      case 1: // true
      case 2: // false
        return undefined;
      case 3:
        this.skip(1);
        return undefined;
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.skip(8);
        return undefined;
      case 8:
        this.skip(this.varint());
        return undefined;
      case 9:
      case 10: {
        const head = this.byte();
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        if (size > this.end - this.offset) this.fail(`a list of ${size} elements in fewer bytes`);
        for (let i = 0; i < size; i++) this.element(head & 0x0f, depth);
        return undefined;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return undefined;
        if (size > this.end - this.offset) this.fail(`a map of ${size} entries in fewer bytes`);
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.element(kinds >> 4, depth);
          this.element(kinds & 0x0f, depth);
        }
        return undefined;
      }
      case 12:
        return this.struct(depth + 1);
      default:
        return this.fail(`unknown Thrift type ${type}`);
    }
  }

  /** A list element: booleans take one byte there. */
  private element(type: number, depth: number): void {
    if (type === 1 || type === 2) this.skip(1);
    else this.value(type, depth);
  }

  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) this.fail('Thrift structs nested too deep');
    const fields: ThriftStruct = new Map();
    let id = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return fields;
      const delta = head >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      const v = this.value(head & 0x0f, depth);
      if (v !== undefined) fields.set(id, v);
    }
  }
}

/** Page types (PageHeader field 1). */
const DATA_PAGE = 0,
  DICTIONARY_PAGE = 2,
  DATA_PAGE_V2 = 3;

/** How many times larger than its compressed size a page of this codec can be (snappy: ~21×; others unchecked). */
function maxInflation(codec: string): number {
  if (codec === 'UNCOMPRESSED') return 1;
  if (codec === 'SNAPPY') return 32;
  return Infinity;
}

interface ColumnChunkMeta {
  path_in_schema: string[];
  codec: string;
  num_values: bigint;
  total_compressed_size: bigint;
  data_page_offset: bigint;
  dictionary_page_offset?: bigint;
}

/**
 * Walks the pages of every column chunk of `columns` and checks each page
 * header against its chunk and the file size; throws a ParseError naming
 * the column at the first lie.
 */
export function checkPages(bytes: Uint8Array, rowGroups: readonly { columns: readonly { meta_data?: ColumnChunkMeta }[] }[], columns: readonly string[], name: string): void {
  for (const [g, group] of rowGroups.entries()) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta || !columns.includes(meta.path_in_schema[0])) continue;
      const where = `readParquet: ${name}, row group ${g + 1}, column '${meta.path_in_schema.join('.')}'`;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      const chunkValues = Number(meta.num_values);
      if (!(start >= 0 && end >= start && end <= bytes.length)) {
        throw new ParseError(`${where}: the column chunk spans bytes ${start} to ${end}, the file has ${bytes.length}`);
      }
      const inflation = maxInflation(meta.codec);
      // Pages are read up to the chunk's end; a header may only be cut by the file's end
      // (some writers' chunk sizes are loose, and the decoder copes with that).
      const reader = new CompactReader(bytes, start, bytes.length, where);
      while (reader.offset < end) {
        const header = reader.struct();
        const type = header.get(1),
          uncompressed = header.get(2),
          compressed = header.get(3);
        if (typeof type !== 'number' || typeof uncompressed !== 'number' || typeof compressed !== 'number' || uncompressed < 0 || compressed < 0) {
          return reader.fail('a page header lacks its type or sizes');
        }
        if (reader.offset + compressed > bytes.length) reader.fail(`a page of ${compressed} bytes runs past the end of the file`);
        if (uncompressed > compressed * inflation + 64) reader.fail(`a page claims ${uncompressed} bytes uncompressed from ${compressed} ${meta.codec} bytes`);
        const sub = header.get(type === DATA_PAGE ? 5 : type === DICTIONARY_PAGE ? 7 : type === DATA_PAGE_V2 ? 8 : -1);
        if (sub !== undefined) {
          const values = typeof sub === 'object' ? sub.get(1) : undefined;
          if (typeof values !== 'number' || values < 0 || values > chunkValues) {
            reader.fail(`a page claims ${String(values)} values, its column chunk holds ${chunkValues}`);
          }
          if (type === DATA_PAGE_V2 && typeof sub === 'object') {
            const levels = Number(sub.get(5) ?? 0) + Number(sub.get(6) ?? 0);
            if (!(levels >= 0 && levels <= compressed)) reader.fail(`a page's levels claim ${levels} bytes of ${compressed}`);
          }
        }
        reader.skip(compressed);
      }
    }
  }
}
