/**
 * The report's figures as Vega-Lite specifications: plain data in, a spec
 * out, nothing drawn here (render.ts turns a spec into SVG and PNG).
 */

/** A Vega-Lite specification (the subset these builders produce is plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SIZE = { width: 360, height: 260 };

function spec(title: string, body: VegaLiteSpec): VegaLiteSpec {
  return { $schema: SCHEMA, title, ...SIZE, ...body };
}

/** One named series of values per epoch. */
export interface Series {
  name: string;
  values: readonly number[];
}

/**
 * Values per epoch (train and validation loss, or metric), one line per
 * series; `y` names the axis.
 */
export function learningCurveSpec(title: string, y: string, series: readonly Series[]): VegaLiteSpec {
  const values = series.flatMap((s) => s.values.map((v, i) => ({ epoch: i + 1, value: v, series: s.name })));
  return spec(title, {
    data: { values },
    mark: { type: 'line', point: values.length <= 60 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: y, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
}

/** Counts of true (rows) against predicted (columns) classes, with the count in each cell. */
export function confusionMatrixSpec(labels: readonly string[], matrix: readonly (readonly number[])[]): VegaLiteSpec {
  const values = matrix.flatMap((row, i) => row.map((count, j) => ({ actual: labels[i], predicted: labels[j], count })));
  const max = Math.max(1, ...values.map((v) => v.count));
  const axis = { type: 'nominal', sort: [...labels] };
  return spec('Confusion matrix (test split)', {
    data: { values },
    encoding: {
      x: { field: 'predicted', ...axis, title: 'predicted' },
      y: { field: 'actual', ...axis, title: 'actual' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, legend: null } } },
      {
        mark: { type: 'text' },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  });
}

/** A curve through (x, y) points with a reference diagonal: ROC (with its AUC in the title). */
export function rocSpec(fpr: ArrayLike<number>, tpr: ArrayLike<number>, auc: number): VegaLiteSpec {
  const values = Array.from(fpr, (x, i) => ({ fpr: x, tpr: tpr[i] }));
  return spec(`ROC curve (AUC ${auc.toFixed(3)})`, {
    layer: [
      {
        data: {
          values: [
            { fpr: 0, tpr: 0 },
            { fpr: 1, tpr: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
        },
      },
    ],
  });
}

/** Precision against recall, with the average precision in the title. */
export function precisionRecallSpec(recall: ArrayLike<number>, precision: ArrayLike<number>, averagePrecision: number): VegaLiteSpec {
  const values = Array.from(recall, (r, i) => ({ recall: r, precision: precision[i], order: i }));
  return spec(`Precision-recall curve (AP ${averagePrecision.toFixed(3)})`, {
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'recall', type: 'quantitative', scale: { domain: [0, 1] } },
      y: { field: 'precision', type: 'quantitative', scale: { domain: [0, 1] } },
      order: { field: 'order', type: 'quantitative' },
    },
  });
}

/** Residuals (actual − predicted) against predicted values, with the zero line. */
export function residualSpec(predicted: ArrayLike<number>, actual: ArrayLike<number>): VegaLiteSpec {
  const values = Array.from(predicted, (p, i) => ({ predicted: p, residual: actual[i] - p }));
  return spec('Residuals (test split)', {
    layer: [
      {
        data: { values },
        mark: { type: 'point', filled: true, opacity: 0.6 },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative', title: 'actual − predicted' },
        },
      },
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
    ],
  });
}

/** Mean cross-validated score per model with ±1 standard deviation bars. */
export function comparisonSpec(scoring: string, candidates: readonly { model: string; mean: number; std: number }[]): VegaLiteSpec {
  const values = candidates.map((c) => ({ model: c.model, mean: c.mean, low: c.mean - c.std, high: c.mean + c.std }));
  return spec(`Candidates (cross-validated ${scoring})`, {
    data: { values },
    encoding: { y: { field: 'model', type: 'nominal', sort: null, title: null } },
    layer: [
      { mark: 'bar', encoding: { x: { field: 'mean', type: 'quantitative', title: `mean ${scoring}` } } },
      { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
    ],
  });
}

/** A grid of grey images (each `height × width`, values in [0, 1] or any range: scaled per grid), a caption under each. */
export function imageGridSpec(title: string, images: readonly ArrayLike<number>[], height: number, width: number, captions: readonly string[], columns = 8): VegaLiteSpec {
  let lo = Infinity;
  let hi = -Infinity;
  for (const img of images) for (let k = 0; k < img.length; k++) (lo = Math.min(lo, img[k])), (hi = Math.max(hi, img[k]));
  const range = hi > lo ? hi - lo : 1;
  const values = images.flatMap((img, n) =>
    Array.from({ length: height * width }, (_, k) => ({
      image: n,
      caption: `${n + 1}: ${captions[n] ?? ''}`,
      row: Math.floor(k / width),
      col: k % width,
      ink: (img[k] - lo) / range,
    })),
  );
  const cell = 6;
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { field: 'caption', type: 'nominal', sort: { field: 'image', op: 'min' }, header: { title: null } },
    columns,
    spec: {
      width: width * cell,
      height: height * cell,
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'col', type: 'ordinal', axis: null },
            y: { field: 'row', type: 'ordinal', axis: null },
            color: { field: 'ink', type: 'quantitative', scale: { domain: [0, 1], range: ['white', 'black'] }, legend: null },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}
