// Hostile input for the readers: every odd file gives a typed error naming
// where the problem is, or a typed LimitError, never a silent wrong answer,
// a hang, a heap blow-up or a bare TypeError/RangeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parseCsv, readCsv, streamCsv, DEFAULT_MISSING, type CsvOptions, type CsvTable } from '../src/io/csv.js';
import { readParquet } from '../src/io/parquet.js';
import { parseIdx, readIdx } from '../src/io/idx.js';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.js';
import { gunzip } from '../src/platform/fs.js';
import { Tensor } from '../src/tensor/tensor.js';
import { FrugalError, LimitError, ParseError, ValueError } from '../src/errors.js';
import { idxBytes, isParseError } from './helpers/data.js';

async function streamAll(source: Parameters<typeof streamCsv>[0], options: Parameters<typeof streamCsv>[1] = {}): Promise<CsvTable[]> {
  const out: CsvTable[] = [];
  for await (const t of streamCsv(source, options)) out.push(t);
  return out;
}

/** Both readers on the same text: parseCsv's result, after checking streamCsv decides the same kinds. */
async function bothReaders(text: string, options: CsvOptions = {}): Promise<CsvTable> {
  const whole = parseCsv(text, options);
  const batches = await streamAll(text, options);
  assert.deepEqual(batches[0].dtypes, whole.dtypes, 'streamCsv infers the same kinds as readCsv');
  return whole;
}

test('CSV: one stray token in a numeric column is a ParseError naming line, column and token (both readers)', async () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${i},${i * 0.5}`);
  for (const token of ['"1,000"', '0x10', '1\u0000', 'abc', '12kg', 'true']) {
    const lines = [...rows];
    lines[20] = `20,${token}`; // line 22 (after the header)
    const text = `id,price\n${lines.join('\n')}\n`;
    const shown = JSON.stringify(token.replace(/^"|"$/g, ''));
    const check = isParseError(22, 2, new RegExp(`value ${shown.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} is not a number.*'price'|'price'.*value`, 's'));
    assert.throws(() => parseCsv(text), check, token);
    await assert.rejects(streamAll(text, { batchSize: 100 }), check, token);
  }
});

test("CSV: pandas' missing markers are NaN and keep a column numeric; an explicit list replaces them", async () => {
  const markers = DEFAULT_MISSING.filter((m) => m !== '');
  const text = `x,y\n${markers.map((m, i) => `${m},${i}`).join('\n')}\n1.5,99\n,100\n`;
  const t = await bothReaders(text);
  assert.equal(t.column('x').kind, 'number');
  assert.equal(t.column('x').missingCount, markers.length + 1);
  assert.equal(t.column('x').values[markers.length], 1.5);
  for (const m of ['n/a', 'NULL', '#N/A', '<NA>', 'None', '-nan', '1.#QNAN']) assert.ok(DEFAULT_MISSING.includes(m), m);
  // With `missing` given, only those are missing: 'NULL' is then a stray token.
  assert.throws(() => parseCsv('x\n1\n2\nNULL\n', { missing: [''] }), isParseError(4, 1, /"NULL"/));
});

test('CSV: a column is categorical only when mostly non-numeric or declared so; info() shows the decision', async () => {
  const text = `zip,city,n,flag\n${['10115,berlin,1,true', '75001,paris,2,false', '00501,NA,3,true', '1000,rome,n/a,TRUE'].join('\n')}\n`;
  const t = await bothReaders(text, { columns: { zip: 'category' } });
  assert.deepEqual(t.dtypes, { zip: 'category', city: 'category', n: 'number', flag: 'boolean' });
  assert.deepEqual(t.info(), [
    { name: 'zip', kind: 'category', count: 4, missingCount: 0, inferred: false },
    { name: 'city', kind: 'category', count: 3, missingCount: 1, inferred: true },
    { name: 'n', kind: 'number', count: 3, missingCount: 1, inferred: true },
    { name: 'flag', kind: 'boolean', count: 4, missingCount: 0, inferred: true },
  ]);
  assert.deepEqual(t.column('zip').categories, ['00501', '1000', '10115', '75001']);
  // Mostly words with one number: categorical, and the number is one more category.
  const words = await bothReaders('c\nred\nblue\n7\ngreen\n');
  assert.deepEqual(words.column('c').categories, ['7', 'blue', 'green', 'red']);
  // A numeric column declared so rejects a word even where it is the majority.
  assert.throws(() => parseCsv('a\nx\ny\n1\n', { columns: { a: 'number' } }), isParseError(2, 1, /set by the `columns` option/));
  assert.throws(() => parseCsv('a\n1\n', { columns: { a: 'float' as 'number' } }), ValueError);
});

test('CSV: invalid UTF-8 is a ParseError naming the line, or read with an explicit encoding', async () => {
  const head = new TextEncoder().encode('name,score\nann,1\n');
  const bad = new Uint8Array([...head, 0x62, 0x6f, 0xe9, 0x2c, 0x32, 0x0a]); // 'bo\xe9,2\n' (latin-1 é)
  await assert.rejects(readCsv(bad), isParseError(3, 3, /invalid UTF-8.*encoding/s));
  const chunks = [bad.subarray(0, 10), bad.subarray(10)];
  await assert.rejects(streamAll(chunks), (e: unknown) => e instanceof ParseError && e.line === 3 && /invalid UTF-8/.test(e.message));
  const latin = await readCsv(bad, { encoding: 'latin1' });
  assert.deepEqual(latin.column('name').categories, ['ann', 'boé']);
  const streamed = await streamAll(chunks, { encoding: 'latin1' });
  assert.deepEqual(streamed[0].column('name').categories, ['ann', 'boé']);
  await assert.rejects(readCsv(bad, { encoding: 'klingon' }), ValueError);
  // A multi-byte character cut at the end of the input.
  await assert.rejects(streamAll([new Uint8Array([...head, 0xc3])]), ParseError);
});

test('CSV: line numbers stay right after CRLF inside quoted fields', async () => {
  const text = 'a,b\r\n1,"x\r\ny"\r\n2,"p\r\nq\r\nr"\r\n3,z\r\n4,"w"q\r\n';
  const good = text.slice(0, text.indexOf('4,'));
  assert.deepEqual(Array.from(parseCsv(good).lines), [3, 6, 7]);
  assert.throws(() => parseCsv(text), isParseError(8, 2, /after a closing quote/));
  // Streamed in chunks that split the CRLFs.
  const chunks = Array.from({ length: Math.ceil(good.length / 3) }, (_, i) => good.slice(3 * i, 3 * i + 3));
  const batches = await streamAll(chunks, { batchSize: 2 });
  assert.deepEqual(
    batches.flatMap((b) => Array.from(b.lines)),
    [3, 6, 7],
  );
  await assert.rejects(streamAll([text], { batchSize: 2 }), isParseError(8, 2));
});

test('CSV: a 4 MB record of 1 M numbers is read in under 100 MB of heap', () => {
  const csvModule = new URL('../src/io/csv.js', import.meta.url).href;
  const script = `
    import { parseCsv } from ${JSON.stringify(csvModule)};
    const block = Array.from({ length: 1000 }, (_, i) => String(i / 8)).join(',');
    const line = Array(1000).fill(block).join(',') + '\\n';
    const t = parseCsv(line);
    const m = t.toMatrix();
    console.log(JSON.stringify({ length: line.length, columns: t.nColumns, rows: t.nRows, last: m.data[m.data.length - 1] }));
  `;
  const run = spawnSync(process.execPath, ['--max-old-space-size=100', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `the child ran out of memory or failed: ${run.stderr.slice(-400)}`);
  const out = JSON.parse(run.stdout);
  assert.ok(out.length > 4_000_000);
  assert.deepEqual([out.columns, out.rows, out.last], [1_000_000, 1, 999 / 8]);
});

test('CSV: maxRecordSize bounds one record (LimitError) in both readers', async () => {
  const text = `a,b\n1,2\n3,${'4'.repeat(5000)}\n`;
  assert.throws(
    () => parseCsv(text, { maxRecordSize: 1000 }),
    (e: unknown) => e instanceof LimitError && /maxRecordSize/.test(e.message),
  );
  await assert.rejects(streamAll(text, { maxRecordSize: 1000 }), LimitError);
  // An unclosed quote in a stream stops at the limit rather than buffering the file.
  const unclosed = function* (): Generator<string> {
    yield 'a,b\n1,"';
    for (let i = 0; i < 100; i++) yield 'x'.repeat(1000);
  };
  await assert.rejects(streamAll(unclosed(), { maxRecordSize: 10_000 }), LimitError);
  assert.equal(parseCsv(text, { maxRecordSize: 10_000 }).nRows, 2);
  assert.throws(() => parseCsv(text, { maxRecordSize: 0 }), ValueError);
});

test('gzip: inflation stops at the limit (LimitError), for readCsv and gunzip', async () => {
  const bomb = new Uint8Array(gzipSync(new Uint8Array(64 << 20))); // 64 MiB of zeros in ~64 KiB
  assert.ok(bomb.length < 1 << 20);
  await assert.rejects(gunzip(bomb, 'test', 1 << 20), (e: unknown) => e instanceof LimitError && /more than 1048576 bytes/.test(e.message));
  await assert.rejects(readCsv(new Uint8Array(gzipSync(`a,b\n${'1,2\n'.repeat(100_000)}`)), { maxBytes: 100_000 }), LimitError);
  assert.equal((await gunzip(new Uint8Array(gzipSync('hello')), 'test', 5)).length, 5);
});

test('IDX: a header claiming huge dims, or a gzip bomb behind a small header, is refused before allocation', async () => {
  const huge = idxBytes(0x08, [65536, 65536, 65536], [], 1);
  assert.throws(
    () => parseIdx(huge),
    (e: unknown) => e instanceof ParseError && /truncated/.test(e.message),
  );
  await assert.rejects(readIdx(new Uint8Array(gzipSync(huge))), (e: unknown) => e instanceof LimitError && /declares uint8 \[65536, 65536, 65536\]/.test(e.message));
  // A 10-byte image followed by 64 MiB of zeros: inflation stops past the declared size.
  const small = idxBytes(0x08, [10], new Uint8Array(10), 1);
  const bomb = new Uint8Array(gzipSync(Buffer.concat([small, new Uint8Array(64 << 20)])));
  await assert.rejects(readIdx(bomb), (e: unknown) => e instanceof ParseError && /too long/.test(e.message));
  await assert.rejects(readIdx(new Uint8Array(gzipSync(small)), { maxBytes: 10 }), LimitError);
  assert.deepEqual((await readIdx(new Uint8Array(gzipSync(small)))).shape, [10]);
  await assert.rejects(readIdx(small, { max_bytes: 5 } as object), /did you mean 'maxBytes'/);
});

/** A Parquet file whose footer claims `rows` rows (every row-count field rewritten). */
function parquetClaiming(rows: bigint): Uint8Array {
  const buf = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: Array.from({ length: 300 }, (_, i) => i), type: 'INT32' }] }));
  const n = buf.length;
  const footerLength = new DataView(buf.buffer).getUint32(n - 8, true);
  const footer = Array.from(buf.subarray(n - 8 - footerLength, n - 8));
  // 300 as a thrift compact i64 field (type 6, field delta 1) is 16 d8 04.
  const varint: number[] = [];
  for (let z = rows * 2n; ; z >>= 7n) {
    if (z < 128n) {
      varint.push(Number(z));
      break;
    }
    varint.push(Number(z & 127n) | 128);
  }
  const out: number[] = [];
  for (let i = 0; i < footer.length; i++) {
    if (footer[i] === 0x16 && footer[i + 1] === 0xd8 && footer[i + 2] === 0x04) {
      out.push(0x16, ...varint);
      i += 2;
    } else out.push(footer[i]);
  }
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, out.length, true);
  tail.set([0x50, 0x41, 0x52, 0x31], 4);
  return new Uint8Array([...buf.subarray(0, n - 8 - footerLength), ...out, ...tail]);
}

test('Parquet: a footer claiming 2^40 rows is refused (LimitError), not allocated', async () => {
  assert.equal((await readParquet(parquetClaiming(300n))).nRows, 300, 'the rewrite keeps a valid file');
  await assert.rejects(readParquet(parquetClaiming(2n ** 40n)), (e: unknown) => e instanceof LimitError && /claims 1099511627776 rows/.test(e.message));
  await assert.rejects(readParquet(parquetClaiming(301n)), (e: unknown) => e instanceof FrugalError && !(e instanceof LimitError));
  await assert.rejects(readParquet(parquetClaiming(300n), { maxRows: 100 }), LimitError);
  await assert.rejects(readParquet(parquetClaiming(300n), { max_rows: 1 } as object), /did you mean 'maxRows'/);
});

test('safetensors: a truncated file or a header beyond the bytes is a ParseError', () => {
  const bytes = encodeSafetensors({ w: new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2]) });
  for (const cut of [0, 4, 8, 20, bytes.length - 1]) assert.throws(() => decodeSafetensors(bytes.subarray(0, cut)), ParseError, `cut at ${cut}`);
  const lying = bytes.slice();
  new DataView(lying.buffer).setUint32(0, 2 ** 31, true);
  assert.throws(() => decodeSafetensors(lying), ParseError);
});

test('CSV options: unknown keys and wrong types are typed errors', async () => {
  assert.throws(
    () => parseCsv('a\n1\n', { na_values: ['x'] } as object),
    (e: unknown) => e instanceof ValueError && /na_values/.test(e.message),
  );
  assert.throws(() => parseCsv('a\n1\n', { max_record_size: 5 } as object), /did you mean 'maxRecordSize'/);
  await assert.rejects(streamAll('a\n1\n', { batch_size: 5 } as object), /did you mean 'batchSize'/);
  await assert.rejects(readCsv(42 as unknown as string), ValueError);
  await assert.rejects(streamAll([42 as unknown as string]), ValueError);
  assert.throws(() => parseCsv('a\n1\n', { columns: { a: null as unknown as 'number' } }), ValueError);
});

test('data sets, loaders and generators: unknown option keys and oversized requests are typed errors', async () => {
  const { loadIris, loadDigits, loadMnist } = await import('../src/datasets/loaders.js');
  const { makeRegression, makeBlobs, makeMoons } = await import('../src/datasets/generators.js');
  const { DataLoader } = await import('../src/datasets/dataloader.js');
  const { ArrayDataset, TensorDataset } = await import('../src/datasets/dataset.js');
  assert.throws(() => loadIris({ d_type: 'float64' } as object), /did you mean 'dtype'/);
  assert.throws(() => loadDigits({ float64: true } as object), ValueError);
  await assert.rejects(loadMnist('/nonexistent', { split: 'test', flat: false } as object), /unknown option 'flat'.*flatten/);
  assert.throws(() => makeRegression({ n_samples: 10 } as object), /did you mean 'nSamples'/);
  assert.throws(() => makeMoons({ nSamples: 10, factor: 0.5 } as object), ValueError);
  assert.throws(() => makeRegression({ nSamples: 1e6, nFeatures: 1e6 }), LimitError);
  assert.throws(() => makeBlobs({ nSamples: 2 ** 30, nFeatures: 2 }), LimitError);
  const ds = new TensorDataset(new Tensor(new Float32Array(4), [4, 1]));
  assert.throws(() => new DataLoader(ds, { batch_size: 2 } as object), /did you mean 'batchSize'/);
  assert.throws(() => new ArrayDataset([1, 2], undefined, { scal: 2 } as object), /did you mean 'scale'/);
  assert.throws(() => ds.get(4), /TensorDataset.get: index 4 is out of range/);
  assert.throws(() => parseCsv('a\n1\n').toMatrix({ type: 'float32' } as object), /did you mean 'dtype'/);
});

test('images: an oversized size or an unknown option is refused before anything is decoded or allocated', async () => {
  const { decodeImage, loadImageFolder } = await import('../src/io/images.js');
  const { ImageFolder } = await import('../src/datasets/image-folder.js');
  const png = new Uint8Array(8);
  await assert.rejects(decodeImage(png, { size: [100_000, 100_000] }), (e: unknown) => e instanceof LimitError && /100000×100000/.test(e.message));
  await assert.rejects(decodeImage(png, { size: [2, 2], gray_scale: true } as never), /did you mean 'grayscale'/);
  await assert.rejects(loadImageFolder('/nonexistent', { size: [2, 2], concurency: 2 } as never), /did you mean 'concurrency'/);
  await assert.rejects(ImageFolder.open('/nonexistent', { size: [2, 2], extension: ['.png'] } as never), /did you mean 'extensions'/);
});

test('Parquet: a page header claiming more values than its column chunk is refused before decoding', async () => {
  const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1.5, null, 2], type: 'DOUBLE' }] }));
  // The first page header: ... 5c (field 8, data_page_header_v2) 15 06 (num_values = 3) ...
  const at = bytes.findIndex((b, i) => b === 0x5c && bytes[i + 1] === 0x15 && bytes[i + 2] === 0x06);
  assert.ok(at > 0 && at < 40, 'found the page header');
  assert.deepEqual(Array.from((await readParquet(bytes)).column('x').values), [1.5, NaN, 2]);
  const lying = bytes.slice();
  lying[at + 2] = 0x7e; // num_values = 63
  await assert.rejects(readParquet(lying), (e: unknown) => e instanceof ParseError && /column 'x'.*claims 63 values, its column chunk holds 3/.test(e.message));
});
