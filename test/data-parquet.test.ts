import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readParquet } from '../src/io/parquet.js';
import { ParseError, ValueError } from '../src/errors.js';
import { tempDir } from './helpers/data.js';

function sample(): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'x', data: [1.5, null, -2, 4], type: 'DOUBLE' },
      { name: 'n', data: [1, 2, 3, 4], type: 'INT32' },
      { name: 'big', data: [1n, 2n, 3n, 2n ** 40n], type: 'INT64' },
      { name: 'color', data: ['red', 'blue', null, 'red'], type: 'STRING' },
      { name: 'ok', data: [true, false, true, null], type: 'BOOLEAN' },
      { name: 'label', data: ['cat', 'dog', 'dog', 'cat'], type: 'STRING' },
    ],
  });
}

test('readParquet: types map to kinds, nulls are NaN, target and classes as readCsv gives them', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 't.parquet');
    writeFileSync(path, new Uint8Array(sample()));
    for (const src of [path, new Uint8Array(sample()), sample()]) {
      const t = await readParquet(src, { target: 'label' });
      assert.deepEqual(t.columnNames, ['x', 'n', 'big', 'color', 'ok', 'label']);
      assert.deepEqual(
        t.columns.map((c) => c.kind),
        ['number', 'number', 'number', 'category', 'boolean', 'category'],
      );
      assert.deepEqual(Array.from(t.column('x').values), [1.5, NaN, -2, 4]);
      assert.deepEqual(Array.from(t.column('big').values), [1, 2, 3, 2 ** 40]);
      assert.deepEqual(t.column('color').categories, ['blue', 'red']);
      assert.deepEqual(Array.from(t.column('color').values), [1, 0, NaN, 1]);
      assert.deepEqual(Array.from(t.column('ok').values), [1, 0, 1, NaN]);
      assert.equal(t.column('x').missingCount, 1);
      assert.deepEqual(t.classNames, ['cat', 'dog']);
      assert.deepEqual(Array.from(t.toTarget().data), [0, 1, 1, 0]);
      assert.deepEqual(t.toMatrix().shape, [4, 5]);
    }
    const sel = await readParquet(sample(), { select: ['n', 'label'], target: -1, columns: { n: 'category' } });
    assert.deepEqual(sel.columnNames, ['n', 'label']);
    assert.deepEqual(sel.column('n').categories, ['1', '2', '3', '4']);
    await assert.rejects(readParquet(sample(), { select: ['nope'] }), ValueError);
    await assert.rejects(readParquet(sample(), { target: 'nope' }), /'nope' is not a column/);
    const noLabel = parquetWriteBuffer({ columnData: [{ name: 'y', data: ['a', null], type: 'STRING' }] });
    await assert.rejects(async () => (await readParquet(noLabel, { target: 'y' })).toTarget(), /missing on row 2/);
  } finally {
    cleanup();
  }
});

test('readParquet: a file that is not Parquet, or is cut short, raises ParseError', async () => {
  await assert.rejects(readParquet(new TextEncoder().encode('a,b\n1,2\n')), ParseError);
  const bytes = new Uint8Array(sample());
  await assert.rejects(readParquet(bytes.subarray(0, bytes.length - 10)), ParseError);
  await assert.rejects(readParquet(bytes.subarray(0, 40)), ParseError);
});
