/** The report of a trained model: what was trained on what, the test metrics, the comparison and the figures. */
import type { ReportDocument, ReportFigure, ReportSection } from '../report/index.js';
import type { ModelInfo } from './model-dir.js';

export function modelReport(info: ModelInfo, figures: readonly ReportFigure[], average?: string): ReportDocument {
  const byName = (prefix: string): ReportFigure[] => figures.filter((f) => f.name.startsWith(prefix));
  const sections: ReportSection[] = [
    {
      heading: 'Model',
      table: {
        header: ['', ''],
        rows: [
          ['task', info.task],
          ['target', info.target],
          ['model', `${info.model} (${info.estimator})`],
          ['features', info.features.map((f) => (f.kind === 'category' ? `${f.name} (category)` : f.name)).join(', ')],
          ['rows', `${info.trainRows} train, ${info.testRows} test`],
          ['seed', info.seed],
          ['data', info.source],
          ['trained', info.trainedAt],
        ],
      },
    },
    {
      heading: 'Test metrics',
      paragraphs: average ? [`precision, recall and f1: ${average === 'binary' ? `for class '${String(info.classes?.[1])}'` : 'macro average over classes'}`] : [],
      table: { header: ['metric', 'value'], rows: Object.entries(info.metrics) },
      figures: [...byName('confusion'), ...byName('roc'), ...byName('precision'), ...byName('residuals')],
    },
  ];
  if (info.cv) {
    sections.push({
      heading: `Candidates (${info.cv.folds}-fold cross-validation on the training rows)`,
      table: {
        header: ['model', `mean ${info.cv.scoring}`, 'std', 'seconds'],
        rows: info.cv.candidates.map((c) => [c.model === info.cv!.best ? `${c.model} (kept)` : c.model, c.skipped ?? c.mean, c.skipped ? '' : c.std, c.skipped ? '' : c.seconds]),
      },
      figures: byName('candidates'),
    });
  }
  const curves = byName('learning-curve');
  if (curves.length > 0) sections.push({ heading: 'Learning curves', figures: curves });
  return { title: `frugal: ${info.model} predicting '${info.target}'`, sections };
}
