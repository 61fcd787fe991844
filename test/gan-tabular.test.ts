import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CsvTable, Generator, loadIris, NotFittedError, Tensor, ValueError, type CsvColumn } from '../src/index.js';
import { synthesize, TabularSynthesizer } from '../src/gan/index.js';
import { decodeValue, encodeValue, fitModes } from '../src/gan/mode-normalizer.js';

function irisTable(): CsvTable {
  const iris = loadIris();
  const n = iris.data.shape[0];
  const columns: CsvColumn[] = iris.featureNames!.map((name, j) => ({
    name,
    kind: 'number',
    values: Float64Array.from({ length: n }, (_, i) => iris.data.data[i * 4 + j]),
    missingCount: 0,
  }));
  columns.push({ name: 'species', kind: 'category', categories: iris.targetNames!, values: Float64Array.from(iris.target.data), missingCount: 0 });
  return new CsvTable(columns, n, new Int32Array(n), 4);
}

function meanWhere(table: CsvTable, column: string, species: number): number {
  const v = table.column(column).values,
    s = table.column('species').values;
  let sum = 0,
    count = 0;
  for (let i = 0; i < table.nRows; i++) if (s[i] === species) (sum += v[i]), count++;
  return sum / count;
}

describe('mode-specific normalisation', () => {
  it('finds the modes of a bimodal column and codes values through them', () => {
    const g = new Generator(1);
    const values = Float64Array.from({ length: 400 }, (_, i) => (i % 2 ? 10 : -10) + g.normal());
    const m = fitModes(values, 5, 'test');
    const big = [...m.weights.keys()].filter((j) => m.weights[j] > 0.1).map((j) => m.means[j]);
    assert.ok(big.some((mu) => Math.abs(mu - 10) < 1) && big.some((mu) => Math.abs(mu + 10) < 1), `modes at ${[...m.means].join(', ')}`);
    const code = new Float32Array(1 + m.means.length);
    encodeValue(m, 9.5, code, 0, g);
    assert.ok(Math.abs(code[0]) < 0.99);
    assert.ok(Math.abs(decodeValue(m, code, 0) - 9.5) < 1e-5);
    // Decoding clips to the training range; an integer column stays integer.
    code[0] = 1;
    assert.ok(decodeValue(m, code, 0) <= m.max);
    const ints = fitModes(
      Float64Array.from({ length: 50 }, (_, i) => i % 7),
      3,
      'test',
    );
    assert.equal(ints.integer, true);
    const c2 = new Float32Array(1 + ints.means.length);
    encodeValue(ints, 4, c2, 0, g);
    assert.equal(decodeValue(ints, c2, 0), 4);
    // A constant column has one mode.
    assert.equal(fitModes(new Float64Array(10).fill(3), 5, 'test').means.length, 1);
  });
});

describe('tabular synthesis', () => {
  it('gives rows with the same columns and kinds, conditioned on the target', async () => {
    const table = irisTable();
    const synthesizer = await new TabularSynthesizer({ steps: 400, hidden: [32, 32], seed: 3, lr: 2e-3 }).fit(table);
    const rows = synthesizer.sample(300, { seed: 1 });
    assert.equal(rows.nRows, 300);
    assert.deepEqual(rows.columnNames, table.columnNames);
    assert.deepEqual(rows.dtypes, table.dtypes);
    assert.deepEqual(rows.categories, table.categories);
    assert.equal(rows.targetName, 'species');
    for (const name of table.featureNames) {
      const real = table.column(name).values,
        fake = rows.column(name).values;
      const lo = Math.min(...real),
        hi = Math.max(...real);
      for (const v of fake) assert.ok(v >= lo && v <= hi, `${name}: ${v} outside [${lo}, ${hi}]`);
    }
    // Conditioning works: setosa's petals are short, virginica's long, as in the data.
    assert.ok(meanWhere(rows, 'petal length (cm)', 0) + 1.5 < meanWhere(rows, 'petal length (cm)', 2));
    // Labels follow the training frequencies (a third each), or are given.
    const counts = [0, 1, 2].map((c) => rows.column('species').values.filter((v) => v === c).length);
    for (const c of counts) assert.ok(c > 60 && c < 140, `class counts ${counts.join(' ')}`);
    const virginica = synthesizer.sample(20, { seed: 2, label: 'virginica' });
    assert.ok(virginica.column('species').values.every((v) => v === 2));
    assert.deepEqual(
      Array.from(synthesizer.sample(5, { seed: 9 }).column('sepal width (cm)').values),
      Array.from(synthesizer.sample(5, { seed: 9 }).column('sepal width (cm)').values),
    );
    assert.throws(() => synthesizer.sample(5, { label: 'rose' }), ValueError);
    // The fitted state is plain data (for the persistence layer): no Maps, closures or class instances but Tensors.
    const plain = (v: unknown, path: string): void => {
      if (v === null || ['number', 'string', 'boolean'].includes(typeof v) || ArrayBuffer.isView(v) || v instanceof Tensor) return;
      assert.ok(Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype, `${path} is not plain data`);
      for (const [k, x] of Object.entries(v as object)) plain(x, `${path}.${k}`);
    };
    plain({ ...synthesizer }, 'synthesizer');
    assert.ok(synthesizer.history.lossD.length > 0);
  });

  it('synthesize() trains unconditionally when asked and keeps category columns categorical', async () => {
    const rows = await synthesize(irisTable(), 50, { steps: 30, hidden: [8], condition: null, seed: 1 });
    assert.equal(rows.column('species').kind, 'category');
    assert.ok(rows.column('species').values.every((v) => Number.isInteger(v) && v >= 0 && v < 3));
  });

  it('refuses missing values, bad condition columns and unknown options', async () => {
    const table = irisTable();
    const holes = table.columns.map((c, j) => (j === 0 ? { ...c, values: Float64Array.from(c.values, (v, i) => (i === 3 ? NaN : v)), missingCount: 1 } : c));
    await assert.rejects(new TabularSynthesizer({ steps: 1 }).fit(new CsvTable(holes, table.nRows, new Int32Array(table.nRows), 4)), /missing values/);
    await assert.rejects(new TabularSynthesizer({ steps: 1, condition: 'colour' }).fit(table), /no column 'colour'/);
    await assert.rejects(new TabularSynthesizer({ steps: 1, condition: 'petal width (cm)' }).fit(table), /categorical/);
    assert.throws(() => new TabularSynthesizer({ max_modes: 3 } as never), /maxModes/);
    await assert.rejects(new TabularSynthesizer({ steps: 1 }).fit({} as never), /CsvTable/);
    assert.throws(() => new TabularSynthesizer().sample(3), NotFittedError);
  });
});
