/**
 * The demo page: starts the training worker, draws the live loss and accuracy
 * chart, and sends what the user draws (downsampled to 8×8, as the digits
 * are) to the trained model. `?train=N` starts N epochs at once; the result
 * is then published as `window.frugalDemoResult` (the Chromium test reads it).
 */
import type { EpochReport, TrainReport } from './digits-cnn.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
const history: EpochReport[] = [];

declare global {
  interface Window {
    frugalDemoResult?: TrainReport | { error: string };
  }
}

function drawChart(): void {
  const canvas = $<HTMLCanvasElement>('chart');
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  const { width, height } = canvas;
  const pad = 28;
  g.clearRect(0, 0, width, height);
  g.strokeStyle = '#999';
  g.strokeRect(pad, 8, width - pad - 8, height - pad - 8);
  g.fillStyle = '#333';
  g.fillText('1', 12, 14);
  g.fillText('0', 12, height - pad);
  g.fillText('epoch', width / 2 - 12, height - 8);
  if (history.length === 0) return;
  const maxLoss = Math.max(...history.map((r) => r.loss), 1e-9);
  const x = (i: number) => pad + ((width - pad - 8) * i) / Math.max(history.length - 1, 1);
  const y = (v: number) => height - pad - (height - pad - 8) * v;
  const line = (color: string, value: (r: EpochReport) => number) => {
    g.strokeStyle = color;
    g.beginPath();
    history.forEach((r, i) => (i === 0 ? g.moveTo(x(i), y(value(r))) : g.lineTo(x(i), y(value(r)))));
    g.stroke();
  };
  line('#c33', (r) => r.loss / maxLoss);
  line('#27a', (r) => r.testAcc);
  g.fillStyle = '#c33';
  g.fillText(`loss (max ${maxLoss.toFixed(2)})`, pad + 6, 22);
  g.fillStyle = '#27a';
  g.fillText('test accuracy', pad + 6, 36);
}

function train(epochs: number): void {
  history.length = 0;
  drawChart();
  $<HTMLButtonElement>('train').disabled = true;
  worker.postMessage({ type: 'train', epochs });
}

worker.addEventListener('message', (event: MessageEvent) => {
  const message = event.data;
  if (message.type === 'ready') {
    $('threads').textContent = String(message.threads);
    $('isolated').textContent = message.isolated ? 'yes' : 'no (one thread)';
    $<HTMLButtonElement>('train').disabled = false;
    const auto = Number(new URLSearchParams(location.search).get('train'));
    if (auto > 0) train(auto);
  } else if (message.type === 'epoch') {
    const report = message.report as EpochReport;
    history.push(report);
    $('epoch').textContent = String(report.epoch);
    $('acc').textContent = report.testAcc.toFixed(3);
    $('speed').textContent = report.samplesPerS.toFixed(0);
    drawChart();
  } else if (message.type === 'done') {
    const report = message.report as TrainReport;
    $('threads').textContent = String(report.threads);
    $('speed').textContent = report.samplesPerS.toFixed(0);
    $<HTMLButtonElement>('train').disabled = false;
    $('prediction').textContent = 'Draw a digit.';
    window.frugalDemoResult = report;
  } else if (message.type === 'probabilities') {
    const probabilities = message.probabilities as number[];
    const best = probabilities.indexOf(Math.max(...probabilities));
    $('prediction').innerHTML =
      `<p>It is a <b>${best}</b></p>` +
      probabilities.map((p, d) => `<div class="bar">${d} <div style="width:${(p * 120).toFixed(0)}px"></div> ${(p * 100).toFixed(0)}%</div>`).join('');
  } else if (message.type === 'error') {
    $('prediction').textContent = `Error: ${message.message}`;
    window.frugalDemoResult = { error: message.message };
  }
});

$('train').addEventListener('click', () => train(Math.max(1, Math.min(50, Number($<HTMLInputElement>('epochs').value) || 1))));

// The drawing pad: white strokes on black, averaged into 8×8 cells scaled to [0, 1] like the digits (0..16 / 16).
const pad = $<HTMLCanvasElement>('pad');
const ink = pad.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
function clearPad(): void {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
}
clearPad();
let drawing = false;
function stroke(event: PointerEvent): void {
  const box = pad.getBoundingClientRect();
  ink.fillStyle = '#fff';
  ink.beginPath();
  ink.arc(event.clientX - box.left, event.clientY - box.top, 11, 0, 2 * Math.PI);
  ink.fill();
}
function classifyPad(): void {
  const cell = pad.width / 8;
  const { data } = ink.getImageData(0, 0, pad.width, pad.height);
  const pixels = new Float32Array(64);
  for (let y = 0; y < pad.height; y++) {
    for (let x = 0; x < pad.width; x++) pixels[Math.floor(y / cell) * 8 + Math.floor(x / cell)] += data[(y * pad.width + x) * 4] / 255;
  }
  for (let i = 0; i < 64; i++) pixels[i] /= cell * cell;
  worker.postMessage({ type: 'classify', pixels });
}
pad.addEventListener('pointerdown', (event) => {
  drawing = true;
  stroke(event);
});
pad.addEventListener('pointermove', (event) => drawing && stroke(event));
window.addEventListener('pointerup', () => {
  if (drawing) classifyPad();
  drawing = false;
});
$('clear').addEventListener('click', clearPad);
drawChart();
