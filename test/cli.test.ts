/**
 * The `frugal` command, run as a subprocess the way a user runs it: help on
 * every command, exit codes (0 success, 1 user error as one line without a
 * stack trace, 2 internal error), train → evaluate / predict / info on
 * small CSV files (the numbers in --json checked against what predict
 * writes), hostile model folders, and the demo's summary and report.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSvg } from './helpers/svg.js';
import { errorReport, exitCodeOf, runCli } from '../src/cli/run.js';
import { StepProgress, formatTable } from '../src/cli/output.js';
import { ParseError, ValueError } from '../src/errors.js';

// dist/test/cli.test.js → the repository root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'dist', 'src', 'cli', 'main.js');
const FIXTURES = join(root, 'test', 'fixtures', 'cli');
const work = mkdtempSync(join(tmpdir(), 'frugal-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `frugal ...args` in the work folder. */
export function frugal(...args: string[]): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: work, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same command line run in this process (for help and option checks: no process start, same code path). */
async function frugalHere(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), interactive: false });
  return { code, stdout, stderr };
}

const fixture = (name: string): string => join(FIXTURES, name);

/** A user error: exit code 1, one line on stderr naming `what`, no stack trace. */
function assertUserError(r: Run, what: RegExp): void {
  assert.equal(r.code, 1, `exit code ${r.code}; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0], what);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace');
}

describe('frugal --help', () => {
  it('lists the commands, and exits 1 when no command is given', async () => {
    const help = frugal('--help');
    assert.equal(help.code, 0);
    for (const command of ['train', 'evaluate', 'predict', 'info', 'demo', 'bench']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.equal((await frugalHere()).code, 1);
  });

  for (const command of ['train', 'evaluate', 'predict', 'info', 'demo', 'bench']) {
    it(`frugal ${command} --help: usage and examples`, async () => {
      const r = await frugalHere(command, '--help');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: frugal ${command}`));
      assert.match(r.stdout, /Examples?:\n {2}(frugal|npm) /);
    });
  }

  it('prints the package version', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
    assert.equal(frugal('--version').stdout.trim(), manifest.version);
    assert.equal(manifest.bin.frugal, './dist/src/cli/main.js');
    assert.match(readFileSync(MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});

describe('user errors exit 1 with one line', () => {
  it('an unknown command or option', async () => {
    assertUserError(frugal('trian'), /unknown command 'trian'/);
    assertUserError(frugal('train', fixture('prices.csv'), '--target', 'price', '--lr', '3'), /Unknown option '--lr'/);
    assertUserError(await frugalHere('train', fixture('prices.csv'), '--target', 'price', '--test-size', '1.5'), /--test-size must be a number from 0\.01 to 0\.9, got '1\.5'/);
    assertUserError(await frugalHere('train', fixture('prices.csv'), '--target', 'price', '--cv', '2.5'), /--cv must be an integer from 2 to 20/);
    assertUserError(await frugalHere('train', fixture('prices.csv'), '--target', 'price', '--model', 'boosted-forest'), /unknown --model 'boosted-forest'/);
    assertUserError(await frugalHere('train', fixture('prices.csv')), /--target COLUMN is required/);
    assertUserError(await frugalHere('predict', 'dir-only'), /missing DATA\.csv/);
    assertUserError(await frugalHere('info', 'a', 'b'), /unexpected argument 'b'/);
  });

  it('a missing file, and an unknown target column named with the real ones', () => {
    assertUserError(frugal('train', 'missing.csv', '--target', 'y'), /no such file or folder 'missing\.csv'/);
    assertUserError(frugal('train', fixture('customers.csv'), '--target', 'price'), /target 'price' is not a column; columns are "age", "income", "city", "bought"/);
  });

  it('a CSV that cannot be parsed: what and where', () => {
    assertUserError(frugal('train', fixture('broken-columns.csv'), '--target', 'y'), /line 4: 4 fields, expected 3/);
    assertUserError(frugal('train', fixture('broken-quote.csv'), '--target', 'y'), /unterminated quoted field/);
  });

  it('a target that is missing on a row, has a single class, or is text for --task regression', async () => {
    const missing = join(work, 'missing-target.csv');
    writeFileSync(missing, 'a,b,y\n1,2,0\n3,4,\n5,6,1\n7,8,0\n');
    assertUserError(await frugalHere('train', missing, '--target', 'y'), /target 'y' is missing on line 3/);
    const single = join(work, 'single-class.csv');
    writeFileSync(single, 'a,y\n1,yes\n2,yes\n3,yes\n4,yes\n');
    assertUserError(await frugalHere('train', single, '--target', 'y'), /single class \(yes\)/);
    assertUserError(await frugalHere('train', fixture('customers.csv'), '--target', 'bought', '--task', 'regression'), /regression needs numbers/);
    assertUserError(await frugalHere('train', fixture('customers.csv'), '--target', ''), /--target must name a column/);
  });

  it('a model that does not do the task, before any work', async () => {
    assertUserError(await frugalHere('train', fixture('prices.csv'), '--target', 'price', '--model', 'logistic'), /'logistic' does not do regression/);
  });

  it('a folder that is not a model folder', async () => {
    assertUserError(await frugalHere('info', work), /is not a model folder \(no model\.json\)/);
    assertUserError(await frugalHere('predict', join(work, 'nothing'), fixture('prices.csv')), /is not a model folder/);
  });
});

describe('frugal demo', () => {
  it('--quick: every part, a summary table and a report whose figures are valid SVG', () => {
    const out = join(work, 'demo');
    const r = frugal('demo', '--quick', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const table = r.stdout.split('\n');
    for (const model of ['LinearRegression', 'LogisticRegression', 'SVC', 'CNN', 'LSTM', 'Conditional GAN', 'LabelSpreading', 'CNN in int8'])
      assert.ok(
        table.some((l) => l.startsWith(model)),
        `no ${model} row in\n${r.stdout}`,
      );
    // The linear-regression example reaches the noise floor (σ² = 0.01); the classical digits models are well above chance.
    const value = (model: string): number =>
      Number(
        table
          .find((l) => l.startsWith(model))!
          .trim()
          .split(/\s+/)
          .at(-2),
      );
    assert.ok(value('LinearRegression') < 0.02, `MSE ${value('LinearRegression')}`);
    assert.ok(value('LogisticRegression') > 0.9 && value('SVC') > 0.9);
    // 50 labels and the unlabelled rest: label spreading stays well above chance even in --quick.
    assert.ok(value('LabelSpreading') > 0.8, `LabelSpreading ${value('LabelSpreading')}`);
    // Piped stderr: plain progress lines, no carriage returns.
    assert.match(r.stderr, /^demo 1\/8: linear regression/m);
    assert.match(r.stderr, /^demo 6\/8: conditional GAN/m);
    assert.match(r.stderr, /^demo 8\/8: int8 quantisation/m);
    // The GAN row's value is a share of generated digits (a fraction in [0, 1]).
    const agreement = value('Conditional GAN');
    assert.ok(agreement >= 0 && agreement <= 1, `CNN reads label ${agreement}`);
    assert.doesNotMatch(r.stderr, /\r/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const figures = readdirSync(join(out, 'figures')).filter((f) => f.endsWith('.svg'));
    for (const name of ['linear-residuals', 'svc-confusion-matrix', 'cnn-loss', 'cnn-accuracy', 'cnn-samples', 'lstm-loss', 'lstm-accuracy', 'cgan-samples']) {
      assert.ok(figures.includes(`${name}.svg`), `no ${name}.svg`);
      checkSvg(readFileSync(join(out, 'figures', `${name}.svg`), 'utf8'), name);
      assert.ok(html.includes(`<figure id="${name}">`), `${name} not inlined`);
    }
  });
});

interface TrainJson {
  task: string;
  model: string;
  metrics: Record<string, number>;
  cv?: { folds: number; scoring: string; best: string; candidates: { model: string; mean: number; std: number; skipped?: string }[] };
  out: string;
  report: string;
}

function trainJson(...args: string[]): TrainJson {
  const r = frugal('train', ...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'one JSON line on stdout');
  return JSON.parse(r.stdout) as TrainJson;
}

/** The CSV text as rows of fields (the fixtures and predictions have no quoted commas). */
function csvRows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
}

describe('frugal train → evaluate, predict, info', () => {
  const customers = join(work, 'customers-model');

  it('classification with categories and missing values: --json metrics, model folder, report', () => {
    const json = trainJson(fixture('customers.csv'), '--target', 'bought', '--model', 'logistic', '--out', customers);
    assert.equal(json.task, 'classification');
    assert.equal(json.model, 'logistic');
    assert.deepEqual(Object.keys(json.metrics).sort(), ['accuracy', 'f1', 'precision', 'recall', 'rocAuc']);
    for (const v of Object.values(json.metrics)) assert.ok(v >= 0 && v <= 1);
    assert.ok(json.metrics.accuracy >= 0.75, `accuracy ${json.metrics.accuracy}`);
    assert.equal(json.cv, undefined, 'no cross-validation unless asked');
    const info = JSON.parse(readFileSync(join(customers, 'model.json'), 'utf8'));
    assert.deepEqual(info.classes, ['no', 'yes']);
    assert.deepEqual(info.features, [
      { name: 'age', kind: 'number' },
      { name: 'income', kind: 'number' },
      { name: 'city', kind: 'category', categories: ['east', 'north', 'south'] },
    ]);
    assert.deepEqual(info.metrics, json.metrics);
    assert.equal(info.trainRows + info.testRows, 80);
    assert.ok(existsSync(join(customers, 'model.safetensors')));
    const html = readFileSync(json.report, 'utf8');
    for (const name of ['confusion-matrix', 'roc', 'precision-recall']) {
      checkSvg(readFileSync(join(customers, 'figures', `${name}.svg`), 'utf8'), name);
      assert.ok(html.includes(`<figure id="${name}">`));
    }
  });

  it('evaluate --json agrees with the predictions that predict writes', () => {
    const evaluation = frugal('evaluate', customers, fixture('customers.csv'), '--json');
    assert.equal(evaluation.code, 0, evaluation.stderr);
    const { metrics, rows } = JSON.parse(evaluation.stdout) as { metrics: Record<string, number>; rows: number };
    assert.equal(rows, 80);
    const out = join(work, 'predictions.csv');
    const r = frugal('predict', customers, fixture('customers.csv'), '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const [header, ...predicted] = csvRows(readFileSync(out, 'utf8'));
    assert.deepEqual(header, ['prediction', 'p_no', 'p_yes']);
    const truth = csvRows(readFileSync(fixture('customers.csv'), 'utf8'))
      .slice(1)
      .map((r) => r[3]);
    assert.equal(predicted.length, truth.length);
    const right = predicted.filter((p, i) => p[0] === truth[i]).length;
    assert.equal(metrics.accuracy, right / truth.length);
    for (const [label, pNo, pYes] of predicted) {
      assert.ok(Math.abs(Number(pNo) + Number(pYes) - 1) < 1e-5);
      assert.equal(label, Number(pYes) > Number(pNo) ? 'yes' : 'no');
    }
  });

  it('predict reads columns in any order, ignores extra ones and a city never seen in training', () => {
    const r = frugal('predict', customers, fixture('customers-reordered.csv'));
    assert.equal(r.code, 0, r.stderr);
    const rows = csvRows(r.stdout);
    assert.equal(rows.length, 13);
    const first = csvRows(frugal('predict', customers, fixture('customers.csv')).stdout).slice(1, 13);
    // The same rows as in customers.csv give the same predictions, except row 3 whose city is now unknown.
    rows.slice(1).forEach((row, i) => {
      if (i !== 2) assert.deepEqual(row, first[i], `row ${i + 1}`);
    });
  });

  it('predict and evaluate name the columns that are missing', () => {
    assertUserError(frugal('predict', customers, fixture('prices.csv')), /missing columns 'age', 'income', 'city'/);
    const noTarget = join(work, 'no-target.csv');
    writeFileSync(noTarget, 'city,age,income\nnorth,30,50\n');
    assertUserError(frugal('evaluate', customers, noTarget), /missing the target column 'bought'/);
    const text = join(work, 'text-age.csv');
    writeFileSync(text, 'city,age,income\nnorth,thirty,50\n');
    assertUserError(frugal('predict', customers, text), /column 'age' should hold numbers.*'thirty' on line 2/);
  });

  it('info shows task, features, classes and metrics', () => {
    const r = frugal('info', customers);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /task\s+classification/);
    assert.match(r.stdout, /features\s+age, income, city \(category: 3 values\)/);
    assert.match(r.stdout, /classes\s+no, yes/);
    assert.match(r.stdout, /test accuracy\s+[01]/);
  });

  it('a target of integer codes 1/2/3 is classification; predictions are those codes', () => {
    const dir = join(work, 'codes-model');
    const json = trainJson(fixture('codes.csv'), '--target', 'grade', '--model', 'linear', '--out', dir);
    assert.equal(json.task, 'classification');
    assert.ok(json.metrics.accuracy > 0.8, `accuracy ${json.metrics.accuracy}`);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).classes, [1, 2, 3]);
    const predicted = csvRows(frugal('predict', dir, fixture('codes.csv')).stdout);
    assert.deepEqual(predicted[0], ['prediction', 'p_1', 'p_2', 'p_3']);
    assert.ok(predicted.slice(1).every((r) => ['1', '2', '3'].includes(r[0])));
  });

  it('regression: r2, mse and mae on the test split, a residual plot, numeric predictions', () => {
    const dir = join(work, 'prices-model');
    const json = trainJson(fixture('prices.csv'), '--target', 'price', '--model', 'ridge', '--test-size', '0.25', '--out', dir);
    assert.equal(json.task, 'regression');
    assert.deepEqual(Object.keys(json.metrics).sort(), ['mae', 'mse', 'r2']);
    assert.ok(json.metrics.r2 > 0.99 && json.metrics.mse < 0.05 && json.metrics.mae < json.metrics.mse ** 0.5 * 1.5, JSON.stringify(json.metrics));
    assert.equal(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).testRows, 20);
    checkSvg(readFileSync(join(dir, 'figures', 'residuals.svg'), 'utf8'), 'residuals');
    const rows = csvRows(frugal('predict', dir, fixture('prices.csv')).stdout);
    assert.deepEqual(rows[0], ['prediction']);
    const truth = csvRows(readFileSync(fixture('prices.csv'), 'utf8')).slice(1);
    rows.slice(1).forEach((r, i) => assert.ok(Math.abs(Number(r[0]) - Number(truth[i][3])) < 0.6));
  });

  it('--model auto cross-validates the candidates, keeps the best and shows the comparison', () => {
    const dir = join(work, 'auto-model');
    const json = trainJson(fixture('codes.csv'), '--target', 'grade', '--cv', '3', '--out', dir);
    const cv = json.cv!;
    assert.equal(cv.folds, 3);
    assert.equal(cv.scoring, 'accuracy');
    assert.deepEqual(
      cv.candidates.map((c) => c.model),
      ['logistic', 'naive-bayes', 'knn', 'linear-svc', 'svc', 'hgb', 'forest', 'mlp'],
    );
    const best = cv.candidates.filter((c) => !c.skipped).reduce((a, b) => (b.mean > a.mean ? b : a));
    assert.equal(cv.best, best.model);
    assert.equal(json.model, best.model);
    checkSvg(readFileSync(join(dir, 'figures', 'candidates.svg'), 'utf8'), 'candidates');
    assert.match(frugal('info', dir).stdout, /cv accuracy\s+logistic [\d.]+, naive-bayes [\d.]+, knn/);
  });

  it('--model auto stops trying candidates when its time budget is spent', () => {
    const json = trainJson(fixture('prices.csv'), '--target', 'price', '--time-budget', '0', '--cv', '2', '--out', join(work, 'budget-model'));
    assert.equal(json.cv!.candidates[0].skipped, undefined);
    assert.ok(json.cv!.candidates.slice(1).every((c) => c.skipped === 'time budget spent'));
    assert.equal(json.model, 'linear');
  });

  it('--model mlp: learning curves of loss and metric per epoch in the report', () => {
    const dir = join(work, 'mlp-model');
    const json = trainJson(fixture('codes.csv'), '--target', 'grade', '--model', 'mlp', '--out', dir);
    assert.equal(json.model, 'mlp');
    for (const name of ['learning-curve-loss', 'learning-curve-metric']) {
      const svg = checkSvg(readFileSync(join(dir, 'figures', `${name}.svg`), 'utf8'), name);
      assert.ok(svg.texts.includes('train') && svg.texts.includes('validation'));
    }
    assert.equal(frugal('evaluate', dir, fixture('codes.csv')).code, 0);
  });
});

describe('hostile model folders', () => {
  it('a model.json that is not JSON, or not a model description, is a one-line error', () => {
    const dir = join(work, 'bad-json');
    cpSync(join(work, 'customers-model'), dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), '{"format": "frugal-model", ');
    assertUserError(frugal('info', dir), /model\.json: not valid JSON/);
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({ format: 'frugal-model', version: 1, task: 'classification', model: 'x', target: 'y', features: [{ name: 'a', kind: 'vector' }], metrics: {} }),
    );
    assertUserError(frugal('predict', dir, fixture('customers.csv')), /feature \{"name":"a","kind":"vector"\} is not/);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(work, 'customers-model', 'model.json'), 'utf8')), metrics: null }));
    assertUserError(frugal('info', dir), /metrics must map names to numbers/);
  });

  it('a truncated or foreign model file is a one-line error', () => {
    const dir = join(work, 'bad-model');
    cpSync(join(work, 'customers-model'), dir, { recursive: true });
    const bytes = readFileSync(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length >> 1));
    const r = frugal('predict', dir, fixture('customers.csv'));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    writeFileSync(join(dir, 'model.safetensors'), 'not a model');
    assert.equal(frugal('evaluate', dir, fixture('customers.csv')).code, 1);
  });
});

describe('exit codes', () => {
  it('1 for a typed library error on one line, 2 with the stack for anything else', () => {
    assert.equal(exitCodeOf(new ValueError('bad')), 1);
    assert.equal(exitCodeOf(new ParseError('CSV: bad quote', 3, 2)), 1);
    assert.equal(errorReport(new ParseError('bad quote', 3, 2)), 'bad quote (line 3, column 2)');
    const bug = new TypeError('x is undefined');
    assert.equal(exitCodeOf(bug), 2);
    assert.match(errorReport(bug), /^internal error, please report it:\nTypeError: x is undefined\n\s+at /);
  });
});

describe('progress and tables', () => {
  it('a bar redrawn in place on a terminal (work under a second draws only its end), plain lines when piped', () => {
    let terminal = '';
    const bar = new StepProgress({ out: () => {}, err: (t) => void (terminal += t), interactive: true }, 'training', 2);
    bar.step('first');
    assert.equal(terminal, '', 'nothing drawn in the first second');
    bar.step('second');
    assert.match(terminal, /^\r\x1b\[2Ktraining \[=+\] 2\/2 second {2}ETA 0ms\n$/);
    let piped = '';
    const lines = new StepProgress({ out: () => {}, err: (t) => void (piped += t), interactive: false }, 'training', 2);
    lines.step('first');
    lines.step('second');
    assert.match(piped, /^training 1\/2: first \(\d+ms\)\ntraining 2\/2: second \(\d+ms\)\n$/);
  });

  it('formatTable aligns columns and right-aligns numbers', () => {
    assert.equal(
      formatTable(
        ['metric', 'value'],
        [
          ['r2', 0.98765],
          ['n', 12],
        ],
      ),
      'metric   value\n------  ------\nr2      0.9877\nn           12',
    );
  });
});
