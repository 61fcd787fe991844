import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdx, loadIdx } from '../src/io/idx.js';
import { ParseError, ValueError } from '../src/errors.js';
import { idxBytes, tempDir } from './helpers/data.js';

test('parseIdx decodes every dtype, big-endian, with its shape', () => {
  const cases: [number, string, number, number[], typeof Float64Array | typeof Int32Array | typeof Uint8Array][] = [
    [0x08, 'uint8', 1, [0, 7, 255, 128, 1, 2], Uint8Array],
    [0x09, 'int8', 1, [-128, -1, 0, 1, 127, 5], Int32Array],
    [0x0b, 'int16', 2, [-32768, -2, 0, 300, 32767, 5], Int32Array],
    [0x0c, 'int32', 4, [-2147483648, -70000, 0, 70000, 2147483647, 5], Int32Array],
    [0x0d, 'float32', 4, [-1.5, 0, 0.25, 3.5, 1e10, -0.125], Float64Array],
    [0x0e, 'float64', 8, [-1e-300, Math.PI, 0, 1 / 3, 1e300, -2.5], Float64Array],
  ];
  for (const [code, dtype, bytes, values] of cases) {
    const r = parseIdx(idxBytes(code, [2, 3], values, bytes));
    assert.equal(r.dtype, dtype);
    assert.deepEqual(r.shape, [2, 3]);
    const expected = dtype === 'float32' ? values.map((v) => Math.fround(v)) : values;
    assert.deepEqual(Array.from(r.data), expected, dtype);
  }
});

test('parseIdx copies: the result does not alias the input bytes', () => {
  const bytes = idxBytes(0x08, [3], [1, 2, 3], 1);
  const r = parseIdx(bytes);
  bytes[bytes.length - 1] = 99;
  assert.deepEqual(Array.from(r.data), [1, 2, 3]);
});

test('parseIdx rejects a wrong magic, an unknown dtype, a short header and a wrong body length', () => {
  const good = idxBytes(0x08, [2, 2], [1, 2, 3, 4], 1);
  const wrongMagic = good.slice();
  wrongMagic[0] = 0x50; // 'P', as in a PNG or text file
  assert.throws(
    () => parseIdx(wrongMagic),
    (e: unknown) => e instanceof ParseError && /magic number 0x50000802/.test(e.message),
  );
  const badCode = good.slice();
  badCode[2] = 0x0a;
  assert.throws(
    () => parseIdx(badCode),
    (e: unknown) => e instanceof ParseError && /dtype code 0x0a/.test(e.message),
  );
  assert.throws(
    () => parseIdx(good.slice(0, 2)),
    (e: unknown) => e instanceof ParseError && /too short/.test(e.message),
  );
  assert.throws(
    () => parseIdx(good.slice(0, 9)),
    (e: unknown) => e instanceof ParseError && /truncated header/.test(e.message),
  );
  assert.throws(
    () => parseIdx(good.slice(0, good.length - 1)),
    (e: unknown) => e instanceof ParseError && /truncated: header says uint8 \[2, 2\] = 4 data bytes, the file has 3/.test(e.message),
  );
  const long = new Uint8Array(good.length + 2);
  long.set(good);
  assert.throws(
    () => parseIdx(long),
    (e: unknown) => e instanceof ParseError && /too long/.test(e.message),
  );
  const zeroDims = new Uint8Array([0, 0, 8, 0]);
  assert.throws(() => parseIdx(zeroDims), ParseError);
  assert.throws(() => parseIdx(gzipSync(good)), ValueError, 'gzip bytes need readIdx');
});

test('readIdx reads plain and gzip files by path; detects gzip by magic, not name', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const raw = idxBytes(0x08, [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7], 1);
    writeFileSync(join(dir, 'a-idx3-ubyte'), raw);
    writeFileSync(join(dir, 'a-idx3-ubyte.gz'), gzipSync(raw));
    writeFileSync(join(dir, 'misnamed'), gzipSync(raw));
    for (const f of ['a-idx3-ubyte', 'a-idx3-ubyte.gz', 'misnamed']) {
      const r = await readIdx(join(dir, f));
      assert.deepEqual(r.shape, [2, 2, 2], f);
      assert.deepEqual(Array.from(r.data), [0, 1, 2, 3, 4, 5, 6, 7], f);
    }
    const fromBytes = await readIdx(gzipSync(raw));
    assert.deepEqual(Array.from(fromBytes.data), [0, 1, 2, 3, 4, 5, 6, 7]);
    await assert.rejects(readIdx(join(dir, 'missing')), /no such file/);
  } finally {
    cleanup();
  }
});

test('readIdx: truncated gzip, corrupt gzip and a truncated body inside good gzip all fail; nothing partial', async () => {
  const raw = idxBytes(
    0x08,
    [100, 10],
    Array.from({ length: 1000 }, (_, i) => (i * 37) % 256),
    1,
  );
  const gz = gzipSync(raw);
  for (const cut of [gz.length - 1, gz.length - 4, gz.length - 9, Math.floor(gz.length / 2), 12]) {
    await assert.rejects(readIdx(gz.subarray(0, cut)), (e: unknown) => e instanceof ParseError && /gzip data is truncated or corrupt/.test(e.message), `cut at ${cut}`);
  }
  const corrupt = gz.slice();
  corrupt[gz.length - 6] ^= 0xff; // CRC-32 field
  await assert.rejects(readIdx(corrupt), ParseError);
  await assert.rejects(readIdx(gzipSync(raw.subarray(0, raw.length - 10))), (e: unknown) => e instanceof ParseError && /truncated: header says/.test(e.message));
});

test('loadIdx gives int32 tensors for integers, float32 with a scale', async () => {
  const raw = idxBytes(0x08, [2, 2], [0, 51, 102, 255], 1);
  const t = await loadIdx(raw);
  assert.equal(t.dtype, 'int32');
  assert.deepEqual(t.shape, [2, 2]);
  const s = await loadIdx(raw, { scale: 1 / 255 });
  assert.equal(s.dtype, 'float32');
  assert.ok(Math.abs(s.data[3] - 1) < 1e-7 && Math.abs(s.data[1] - 0.2) < 1e-7);
  const f = await loadIdx(idxBytes(0x0e, [2], [0.5, -1], 8));
  assert.equal(f.dtype, 'float64');
});
