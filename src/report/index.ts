/** Reports: Vega-Lite figures rendered headless to SVG/PNG, assembled into one HTML file. */
export * from './figures.js';
export { renderSvg, svgToPng } from './render.js';
export { writeReport, escapeHtml, type ReportDocument, type ReportSection, type ReportFigure, type WrittenReport } from './html.js';
