/**
 * The report: every figure builder gives a Vega-Lite spec that vega renders
 * headless to a well-formed SVG showing its data (labels, marks), the HTML
 * file inlines them and escapes hostile text, and PNGs come through sharp.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSvg, PNG_SIGNATURE } from './helpers/svg.js';
import {
  comparisonSpec,
  confusionMatrixSpec,
  imageGridSpec,
  learningCurveSpec,
  precisionRecallSpec,
  renderSvg,
  residualSpec,
  rocSpec,
  svgToPng,
  writeReport,
} from '../src/report/index.js';
import { ValueError } from '../src/errors.js';

describe('report figures render to SVG', () => {
  it('learning curve: one line per series, the axis titles', async () => {
    const s = checkSvg(
      await renderSvg(
        learningCurveSpec('Loss', 'loss', [
          { name: 'train', values: [1, 0.5, 0.3] },
          { name: 'validation', values: [1.1, 0.7, 0.6] },
        ]),
      ),
    );
    assert.ok(s.texts.includes('epoch') && s.texts.includes('loss'), s.texts.join('|'));
    assert.ok(s.texts.includes('train') && s.texts.includes('validation'));
  });

  it('confusion matrix: a cell per pair with its count', async () => {
    const s = checkSvg(
      await renderSvg(
        confusionMatrixSpec(
          ['cat', 'dog'],
          [
            [5, 1],
            [2, 7],
          ],
        ),
      ),
    );
    for (const t of ['cat', 'dog', '5', '1', '2', '7', 'predicted', 'actual']) assert.ok(s.texts.includes(t), `missing '${t}' in ${s.texts.join('|')}`);
  });

  it('ROC and precision-recall curves carry their AUC / AP in the title', async () => {
    const roc = checkSvg(await renderSvg(rocSpec([0, 0, 0.5, 1], [0, 0.5, 1, 1], 0.875)));
    assert.ok(roc.texts.some((t) => t.includes('AUC 0.875')));
    const pr = checkSvg(await renderSvg(precisionRecallSpec([1, 0.5, 0], [0.5, 1, 1], 0.75)));
    assert.ok(pr.texts.some((t) => t.includes('AP 0.750')));
  });

  it('residuals, candidates comparison and an image grid', async () => {
    checkSvg(await renderSvg(residualSpec([1, 2, 3], [1.1, 1.9, 3.2])));
    const c = checkSvg(
      await renderSvg(
        comparisonSpec('accuracy', [
          { model: 'svc', mean: 0.9, std: 0.02 },
          { model: 'mlp', mean: 0.8, std: 0.05 },
        ]),
      ),
    );
    assert.ok(c.texts.includes('svc') && c.texts.includes('mlp'));
    const grid = checkSvg(await renderSvg(imageGridSpec('digits', [new Float64Array(4).fill(1), Float64Array.from([0, 1, 1, 0])], 2, 2, ['7', '3'])));
    assert.ok(grid.texts.includes('1: 7') && grid.texts.includes('2: 3'), grid.texts.join('|'));
    assert.ok((grid.elements.path ?? 0) >= 1);
  });

  it('PNG through sharp', async () => {
    const png = await svgToPng(await renderSvg(residualSpec([1, 2], [1, 2])));
    if (png === null) return; // sharp is optional; the writer then says so (see below)
    assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
  });
});

describe('writeReport', () => {
  it('writes one self-contained HTML file with the figures inlined, and each figure as SVG (and PNG)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-report-'));
    try {
      const written = await writeReport(dir, {
        title: 'A <b>title</b> & "quotes"',
        sections: [
          {
            heading: 'Numbers',
            paragraphs: ['<script>alert(1)</script>'],
            table: {
              header: ['metric', 'value'],
              rows: [
                ['r2', 0.98765],
                ['n', 12],
              ],
            },
          },
          { heading: 'Figures', figures: [{ name: 'loss', spec: learningCurveSpec('Loss', 'loss', [{ name: 'train', values: [2, 1] }]) }] },
        ],
      });
      const html = readFileSync(written.html, 'utf8');
      assert.match(html, /^<!DOCTYPE html>/);
      assert.ok(html.includes('A &lt;b&gt;title&lt;/b&gt; &amp; &quot;quotes&quot;'));
      assert.ok(!html.includes('<script>'), 'hostile text is escaped');
      assert.ok(html.includes('0.9877') && html.includes('>12<'));
      assert.doesNotMatch(html, /<link|src="http|href="http/, 'nothing loaded from elsewhere');
      const inline = /<figure id="loss">(<svg[\s\S]*?<\/svg>)/.exec(html);
      assert.ok(inline, 'the SVG is inlined');
      checkSvg(inline![1], 'inlined');
      checkSvg(readFileSync(join(dir, 'figures', 'loss.svg'), 'utf8'), 'loss.svg');
      if (written.note) assert.match(written.note, /sharp/);
      else assert.deepEqual([...readFileSync(join(dir, 'figures', 'loss.png')).subarray(0, 8)], PNG_SIGNATURE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a figure name that would leave the figures folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-report-'));
    try {
      await assert.rejects(writeReport(dir, { title: 't', sections: [{ heading: 'h', figures: [{ name: '../escape', spec: residualSpec([1], [1]) }] }] }), ValueError);
      assert.ok(!existsSync(join(dir, 'escape.svg')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
