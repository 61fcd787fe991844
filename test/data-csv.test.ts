import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCsv, readCsv, streamCsv, type CsvTable } from '../src/io/csv.js';
import { csvStreamDataset } from '../src/datasets/csv-stream.js';
import { TensorDataset } from '../src/datasets/dataset.js';
import { DataLoader } from '../src/datasets/dataloader.js';
import { ParseError, ValueError } from '../src/errors.js';
import { isParseError, sharedFile, skipNoShared, tempDir } from './helpers/data.js';

test('parseCsv: RFC 4180 quoting (delimiters, doubled quotes, line breaks inside quotes)', () => {
  const t = parseCsv('id,text,score\n1,"a, b",2.5\n2,"say ""hi""",3\n3,"two\nlines",4\r\n');
  assert.deepEqual(t.columnNames, ['id', 'text', 'score']);
  assert.equal(t.nRows, 3);
  assert.deepEqual(t.column('text').categories, ['a, b', 'say "hi"', 'two\nlines']);
  assert.deepEqual(Array.from(t.column('score').values), [2.5, 3, 4]);
  assert.deepEqual(Array.from(t.lines), [2, 3, 5]);
});

test('parseCsv: kinds are inferred; missing values (empty, NA, NaN, ?) stay NaN', () => {
  const t = parseCsv('x,color,ok,y\n1.5,red,true,0\nNA,blue,FALSE,1\n-2e3,,?,1\n ,red,true,NaN\n');
  assert.deepEqual(
    t.columns.map((c) => c.kind),
    ['number', 'category', 'boolean', 'number'],
  );
  assert.deepEqual(Array.from(t.column('x').values), [1.5, NaN, -2000, NaN]);
  assert.deepEqual(t.column('color').categories, ['blue', 'red']);
  assert.deepEqual(Array.from(t.column('color').values), [1, 0, NaN, 1]);
  assert.deepEqual(Array.from(t.column('ok').values), [1, 0, NaN, 1]);
  assert.equal(t.column('x').missingCount, 2);
  assert.deepEqual(t.categories, { color: ['blue', 'red'] });
  const m = t.toMatrix();
  assert.equal(m.dtype, 'float64');
  assert.deepEqual(m.shape, [4, 4]);
  assert.ok(Number.isNaN(m.data[4]) && m.data[1] === 1);
  // A custom missing list replaces the default one: '?' becomes a category value.
  const t2 = parseCsv('a,b\n1,?\n2,x\n', { missing: ['-'] });
  assert.equal(t2.column('b').kind, 'category');
  assert.deepEqual(t2.column('b').categories, ['?', 'x']);
});

test('parseCsv: target column, class names, toTarget and TensorDataset.fromTable', () => {
  const text = 'f1,f2,label\n1,2,cat\n3,4,dog\n5,6,cat\n';
  const t = parseCsv(text, { target: 'label' });
  assert.deepEqual(t.featureNames, ['f1', 'f2']);
  assert.equal(t.targetName, 'label');
  assert.deepEqual(t.classNames, ['cat', 'dog']);
  const y = t.toTarget();
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.data), [0, 1, 0]);
  assert.deepEqual(Array.from(t.toMatrix({ dtype: 'float32' }).data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(parseCsv(text, { target: -1 }).targetName, 'label');
  assert.deepEqual(parseCsv(text, { target: 0 }).classNames, null, 'a numeric target has no classes');
  assert.equal(parseCsv(text, { target: 0 }).toTarget().dtype, 'float64');
  const ds = TensorDataset.fromTable(t);
  assert.equal(ds.length, 3);
  assert.deepEqual(Array.from(ds.get(1)[0].data), [3, 4]);
  assert.throws(
    () => parseCsv(text, { target: 'nope' }),
    (e: unknown) => e instanceof ValueError && /'nope' is not a column/.test(e.message),
  );
  assert.throws(() => parseCsv(text, { target: 3 }), ValueError);
  assert.throws(() => parseCsv('a,y\n1,x\n2,NA\n', { target: 'y' }).toTarget(), /missing on line 3/);
  assert.throws(() => parseCsv(text).toTarget(), /no target column/);
});

test('parseCsv: header detection and header option', () => {
  assert.deepEqual(parseCsv('a,b\n1,2\n').columnNames, ['a', 'b']);
  assert.deepEqual(parseCsv('1,2\n3,4\n').columnNames, ['0', '1']);
  assert.equal(parseCsv('1,2\n3,4\n').nRows, 2);
  assert.deepEqual(parseCsv('name,city\nbob,paris\nann,rome\n').columnNames, ['name', 'city']);
  assert.deepEqual(parseCsv('red,1\nblue,2\nred,3\n').columnNames, ['0', '1'], 'values like the rows below are data');
  assert.deepEqual(parseCsv('true,1\nfalse,2\n').columnNames, ['0', '1']);
  const forced = parseCsv('a,b\n1,2\n', { header: false });
  assert.deepEqual(forced.columnNames, ['0', '1']);
  assert.equal(forced.column('0').kind, 'category');
  assert.deepEqual(parseCsv('1,2\n3,4\n', { header: true }).columnNames, ['1', '2']);
  assert.throws(
    () => parseCsv('a,a\n1,2\n'),
    (e: unknown) => e instanceof ParseError && /appears twice/.test(e.message),
  );
});

test('parseCsv: delimiter option, BOM, blank lines, column kind overrides', () => {
  const t = parseCsv('\uFEFFa;b;c\n1,5;x;2\n\n2,5;y;3\n', { delimiter: ';' });
  assert.deepEqual(t.columnNames, ['a', 'b', 'c']);
  assert.equal(t.column('a').kind, 'category', "'1,5' is not a number");
  assert.deepEqual(Array.from(parseCsv('a\tb\n1\t2\n', { delimiter: '\t' }).column('b').values), [2]);
  const o = parseCsv('zip,n\n10,1\n9,2\n10,3\n', { columns: { zip: 'category' } });
  assert.equal(o.column('zip').kind, 'category');
  assert.deepEqual(o.column('zip').categories, ['9', '10'], 'numeric-looking categories sort as numbers');
  const fixed = parseCsv('c\nb\na\n', { columns: { c: { kind: 'category', categories: ['b', 'a', 'z'] } } });
  assert.deepEqual(Array.from(fixed.column('c').values), [0, 1]);
  assert.throws(() => parseCsv('c\nb\nq\n', { columns: { c: { kind: 'category', categories: ['b'] } } }), isParseError(3, 1, /not one of the given categories/));
  assert.throws(() => parseCsv('a,b\n1,x\n', { columns: { b: 'number' } }), isParseError(2, 2, /"x" is not a number/));
  assert.throws(() => parseCsv('a\n1\n', { columns: { zz: 'number' } }), /'zz', which is not a column/);
  assert.throws(() => parseCsv('a\n1\n', { delimiter: ',,' }), ValueError);
});

test('parseCsv: malformed input raises ParseError naming line and column', () => {
  // Ragged rows: too few and too many fields.
  assert.throws(() => parseCsv('a,b,c\n1,2,3\n4,5,6\n7,8\n'), isParseError(4, 3, /2 fields, expected 3/));
  assert.throws(() => parseCsv('a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12,13\n'), isParseError(7, 3, /3 fields, expected 2/));
  // Unterminated quote: reported where the record starts.
  assert.throws(() => parseCsv('a,b\n1,2\n3,"4\n5,6\n'), isParseError(3, 2, /unterminated quoted field/));
  // Characters after a closing quote, and a quote inside an unquoted field.
  assert.throws(() => parseCsv('a,b\n1,"2"x\n'), isParseError(2, 2, /after a closing quote/));
  assert.throws(() => parseCsv('a,b\n1,2\n3,ab"c\n'), isParseError(3, 2, /quote inside an unquoted field/));
  assert.throws(() => parseCsv(''), ParseError);
});

test('readCsv reads a path (plain and gzip), bytes, or text', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const text = 'a,b\n1,x\n2,y\n';
    writeFileSync(join(dir, 't.csv'), text);
    writeFileSync(join(dir, 't.csv.gz'), gzipSync(text));
    for (const src of [join(dir, 't.csv'), join(dir, 't.csv.gz'), text, new TextEncoder().encode(text), new Uint8Array(gzipSync(text))]) {
      const t = await readCsv(src, { target: 'b' });
      assert.deepEqual(t.classNames, ['x', 'y']);
      assert.deepEqual(Array.from(t.toMatrix().data), [1, 2]);
    }
    await assert.rejects(readCsv(join(dir, 'none.csv')), /no such file/);
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n3\n');
    await assert.rejects(readCsv(join(dir, 'bad.csv')), isParseError(3, 2));
  } finally {
    cleanup();
  }
});

async function collect(it: AsyncIterable<CsvTable>): Promise<CsvTable[]> {
  const out: CsvTable[] = [];
  for await (const t of it) out.push(t);
  return out;
}

test('streamCsv yields batches with stable codes, the same values as readCsv', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const rows = ['x,c,y'];
    const colors = ['red', 'green', 'blue', 'teal'];
    for (let i = 0; i < 2500; i++) rows.push(`${i % 7 === 0 ? 'NA' : i / 2},${i < 1000 ? colors[i % 3] : colors[i % 4]},${i % 2}`);
    const text = `${rows.join('\n')}\n`;
    writeFileSync(join(dir, 's.csv'), text);
    writeFileSync(join(dir, 's.csv.gz'), gzipSync(text));
    const whole = parseCsv(text, { target: 'y' });
    for (const f of ['s.csv', 's.csv.gz']) {
      const batches = await collect(streamCsv(join(dir, f), { target: 'y', batchSize: 1000 }));
      assert.deepEqual(
        batches.map((b) => b.nRows),
        [1000, 1000, 500],
        f,
      );
      assert.deepEqual(batches[0].column('c').categories, ['blue', 'green', 'red'], 'first batch sorted');
      assert.deepEqual(batches[2].column('c').categories, ['blue', 'green', 'red', 'teal'], 'later categories appended');
      assert.equal(batches[1].lines[0], 1002);
      // Same numbers and same category names row by row.
      let r = 0;
      for (const b of batches) {
        for (let i = 0; i < b.nRows; i++, r++) {
          assert.ok(Object.is(b.column('x').values[i], whole.column('x').values[r]));
          const name = b.column('c').categories![b.column('c').values[i]];
          assert.equal(name, whole.column('c').categories![whole.column('c').values[r]]);
        }
      }
      assert.equal(r, 2500);
    }
    // Chunks cut mid-record and mid-quote, from an async iterable.
    const quoted = 'a,b\n1,"x,\ny"\n2,"z"\n3,w\n';
    async function* chunks(): AsyncGenerator<string> {
      for (let i = 0; i < quoted.length; i += 3) yield quoted.slice(i, i + 3);
    }
    const got = await collect(streamCsv(chunks(), { batchSize: 2 }));
    assert.deepEqual(
      got.map((b) => b.nRows),
      [2, 1],
    );
    assert.deepEqual(got[0].column('b').categories, ['x,\ny', 'z']);
    // Header false: exact batch sizes too.
    const nh = await collect(streamCsv('1,2\n3,4\n5,6\n', { header: false, batchSize: 2 }));
    assert.deepEqual(
      nh.map((b) => b.nRows),
      [2, 1],
    );
  } finally {
    cleanup();
  }
});

test('streamCsv: errors name the line and column; a kind broken after the first batch says how to fix it', async () => {
  const bad = `a,b\n${Array.from({ length: 20 }, (_, i) => `${i},${i}`).join('\n')}\n21\n`;
  await assert.rejects(collect(streamCsv(bad, { batchSize: 5 })), isParseError(22, 2, /1 field, expected 2/));
  await assert.rejects(collect(streamCsv('a,b\n1,2\n3,"4\n5,6\n', { batchSize: 5 })), isParseError(3, 2, /unterminated/));
  const drift = 'a,b\n1,2\n3,4\n5,oops\n';
  await assert.rejects(collect(streamCsv(drift, { batchSize: 2 })), isParseError(4, 2, /"oops" is not a number.*first 2 rows.*columns/s));
  const okDrift = await collect(streamCsv(drift, { batchSize: 2, columns: { b: 'category' } }));
  assert.equal(okDrift.length, 2);
  const { dir, cleanup } = tempDir();
  try {
    const gz = gzipSync(`a,b\n${'1,2\n'.repeat(5000)}`);
    writeFileSync(join(dir, 'trunc.csv.gz'), gz.subarray(0, gz.length - 20));
    await assert.rejects(collect(streamCsv(join(dir, 'trunc.csv.gz'))), (e: unknown) => e instanceof ParseError && /truncated or corrupt/.test(e.message));
    await assert.rejects(collect(streamCsv(join(dir, 'nope.csv'))), /no such file/);
  } finally {
    cleanup();
  }
});

test('streamCsv: stopping early closes the file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'big.csv'), `a,b\n${'1,2\n'.repeat(200_000)}`);
    let n = 0;
    for await (const b of streamCsv(join(dir, 'big.csv'), { batchSize: 100 })) {
      n += b.nRows;
      if (n >= 300) break;
    }
    assert.equal(n, 300);
  } finally {
    cleanup();
  }
});

test('csvStreamDataset feeds a DataLoader from a streaming file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const lines = ['u,v,label'];
    for (let i = 0; i < 103; i++) lines.push(`${i},${-i},${i % 3 === 0 ? 'a' : 'b'}`);
    writeFileSync(join(dir, 'train.csv'), lines.join('\n'));
    const loader = new DataLoader(csvStreamDataset(join(dir, 'train.csv'), { target: 'label', batchSize: 40 }), { batchSize: 10 });
    for (let epoch = 0; epoch < 2; epoch++) {
      let n = 0;
      let sum = 0;
      for await (const [x, y] of loader) {
        assert.equal(x.shape[1], 2);
        assert.equal(y.dtype, 'int32');
        n += x.shape[0];
        for (let i = 0; i < x.shape[0]; i++) sum += x.data[2 * i];
      }
      assert.equal(n, 103);
      assert.equal(sum, (102 * 103) / 2);
    }
  } finally {
    cleanup();
  }
});

test('readCsv on ../shared/data/iris.csv and digits.csv', { skip: skipNoShared('iris.csv') || skipNoShared('digits.csv') }, async () => {
  const iris = await readCsv(sharedFile('iris.csv')!, { target: 'species' });
  assert.equal(iris.nRows, 150);
  assert.deepEqual(iris.featureNames, ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
  assert.deepEqual(iris.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(Array.from(iris.toMatrix().data.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2]);
  const digits = await readCsv(sharedFile('digits.csv')!, { target: 'digit' });
  assert.deepEqual(digits.toMatrix().shape, [1797, 64]);
  assert.equal(digits.toTarget().dtype, 'float64', 'digit labels are numbers unless declared a category');
  const asClass = await readCsv(readFileSync(sharedFile('digits.csv')!), { target: 'digit', columns: { digit: 'category' } });
  assert.deepEqual(asClass.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});
