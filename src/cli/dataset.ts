/**
 * From a user's CSV to what a model needs: the feature columns with their
 * kinds (kept in the model folder so that later files are read the same
 * way), the target as class labels or numbers, and the task it implies.
 */
import { ValueError } from '../errors.js';
import { readCsv, type CsvColumn, type CsvTable } from '../io/csv.js';
import { Tensor } from '../tensor/tensor.js';
import type { Label } from '../utils/validation.js';

export type Task = 'classification' | 'regression';

/** A feature column as training saw it; `categories` fixes the codes of a categorical one (code = position). */
export interface FeatureSpec {
  name: string;
  kind: 'number' | 'category';
  categories?: string[];
}

/** The most distinct integer values a numeric target may have and still be read as class codes. */
export const MAX_CLASS_CODES = 10;

/** Labeled rows ready for an estimator. */
export interface LabeledData {
  features: FeatureSpec[];
  /** float64 [nRows, nFeatures]: numbers, category codes, NaN where missing. */
  X: Tensor;
  /** Class labels (classification) or values (regression). */
  y: Label[] | Float64Array;
  task: Task;
  /** Sorted class labels (classification). */
  classes?: Label[];
  targetName: string;
}

/**
 * Classification for a categorical or boolean target, and for a numeric one
 * of a few distinct integers (0/1, 1/2/3: codes, as a user means them);
 * regression otherwise.
 */
export function inferTask(target: CsvColumn): Task {
  if (target.kind !== 'number') return 'classification';
  const distinct = new Set<number>();
  for (const v of target.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return 'regression';
    distinct.add(v);
    if (distinct.size > MAX_CLASS_CODES) return 'regression';
  }
  return 'classification';
}

function targetLabels(table: CsvTable, target: CsvColumn, task: Task): Label[] | Float64Array {
  if (task === 'regression' && target.kind !== 'number') throw new ValueError(`target '${target.name}' holds ${target.kind} values; regression needs numbers`);
  const y = table.toTarget(); // a missing categorical label is a ValueError naming its line
  if (target.kind !== 'number') {
    const names = target.categories ?? [];
    return Array.from(y.data, (code) => names[code]);
  }
  const values = Float64Array.from(y.data);
  const missing = values.findIndex((v) => Number.isNaN(v));
  if (missing >= 0) throw new ValueError(`target '${target.name}' is missing on ${table.lineWord} ${table.lines[missing]}; drop or fill those rows`);
  return task === 'regression' ? values : Array.from(values);
}

/** Reads a training file: every column but `target` is a feature. */
export async function readLabeled(path: string, target: string, task?: Task): Promise<LabeledData> {
  if (target === '') throw new ValueError(`${path}: --target must name a column`);
  const table = await readCsv(path, { target });
  if (table.nRows === 0) throw new ValueError(`${path}: no data rows`);
  const targetColumn = table.column(table.targetIndex);
  const features: FeatureSpec[] = table.columns
    .filter((_, j) => j !== table.targetIndex)
    .map((c) => (c.kind === 'category' ? { name: c.name, kind: 'category', categories: [...(c.categories ?? [])] } : { name: c.name, kind: 'number' }));
  if (features.length === 0) throw new ValueError(`${path}: no feature columns besides the target '${targetColumn.name}'`);
  const chosen = task ?? inferTask(targetColumn);
  const y = targetLabels(table, targetColumn, chosen);
  const classes = chosen === 'classification' ? sortedLabels(y as Label[]) : undefined;
  if (classes && classes.length < 2) throw new ValueError(`target '${targetColumn.name}' has a single class (${String(classes[0])}); classification needs two or more`);
  return { features, X: table.toMatrix(), y, task: chosen, classes, targetName: targetColumn.name };
}

function sortedLabels(y: readonly Label[]): Label[] {
  const set = [...new Set(y)];
  return set.every((v) => typeof v === 'number') ? (set as number[]).sort((a, b) => a - b) : set.map(String).sort();
}

/**
 * Reads a file for a trained model: its feature columns are looked up by
 * name (any order, extra columns ignored) and encoded with the training
 * codes; a category never seen in training becomes code -1 (encoded as all
 * zeros by the one-hot step). A missing column is named in the error.
 */
export async function readFeatures(path: string, features: readonly FeatureSpec[]): Promise<{ table: CsvTable; X: Tensor }> {
  const table = await readCsv(path, { header: true });
  const names = table.columnNames;
  const missing = features.filter((f) => !names.includes(f.name)).map((f) => `'${f.name}'`);
  if (missing.length > 0) {
    throw new ValueError(`${path}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the model needs ${features.map((f) => `'${f.name}'`).join(', ')})`);
  }
  const n = table.nRows;
  const p = features.length;
  const X = new Float64Array(n * p);
  features.forEach((f, j) => {
    const column = table.column(f.name);
    const values = f.kind === 'number' ? numericValues(path, table, column) : categoryCodes(column, f.categories ?? []);
    for (let i = 0; i < n; i++) X[i * p + j] = values[i];
  });
  return { table, X: new Tensor(X, [n, p]) };
}

function numericValues(path: string, table: CsvTable, column: CsvColumn): Float64Array {
  if (column.kind !== 'category') return column.values;
  const row = column.values.findIndex((v) => !Number.isNaN(v));
  const example = row >= 0 ? ` ('${column.categories?.[column.values[row]]}' on ${table.lineWord} ${table.lines[row]})` : '';
  throw new ValueError(`${path}: column '${column.name}' should hold numbers, as in training, but holds text${example}`);
}

function categoryCodes(column: CsvColumn, categories: readonly string[]): Float64Array {
  const code = new Map(categories.map((c, i) => [c, i]));
  const nameOf = (v: number): string => (column.kind === 'number' ? String(v) : (column.categories ?? [])[v]);
  return column.values.map((v) => (Number.isNaN(v) ? Number.NaN : (code.get(nameOf(v)) ?? -1)));
}
