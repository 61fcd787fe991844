// `npm run test:browser`: builds the demo page (web/) with Vite, serves it on
// localhost with the cross-origin isolation headers, and drives Debian's
// Chromium (headless, through playwright-core) through a short training run.
// Asserts that the test accuracy rises above a threshold and that more than one
// thread ran; checks that a page served without the headers falls back to one
// thread with a console note, and that on a page's main thread it keeps to
// one thread (it may not block there); saves a screenshot under test/browser/artifacts/;
// prints one JSON line: {"browser":"chromium","threads":N,"test_acc":A,"samples_per_s":S}.
//
// Options: --epochs N (default 4), --min-acc A (default 0.8), --json-only
// (bench/browser.ts uses it). $CHROMIUM overrides /usr/bin/chromium.
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const web = join(repository, 'web');
const site = join(web, 'dist');
const artifacts = join(repository, 'test', 'browser', 'artifacts');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const epochs = option('--epochs', 4);
const minAcc = option('--min-acc', 0.8);
const jsonOnly = process.argv.includes('--json-only');
const log = (message) => jsonOnly || console.error(message);

function fail(message) {
  console.error(`test:browser FAILED: ${message}`);
  process.exitCode = 1;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.png': 'image/png' };

/** A static server for the built page; `isolated` adds COOP/COEP (which make SharedArrayBuffer available). */
function serve(isolated) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(site, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(site) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' };
    if (isolated) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    response.writeHead(200, headers);
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

log('test:browser: building web/ with Vite');
await build({ configFile: join(web, 'vite.config.mjs'), logLevel: 'warn' });

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) throw new Error(`test:browser: no Chromium at ${executablePath} (apt-get install -y chromium)`);
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
const isolatedServer = await serve(true);
const plainServer = await serve(false);
const url = (server, query = '') => `http://127.0.0.1:${server.address().port}/${query}`;

try {
  // 1. Cross-origin isolated: training on every core.
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(message.text()));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  log(`test:browser: training ${epochs} epochs in Chromium`);
  await page.goto(url(isolatedServer, `?train=${epochs}`));
  await page.waitForFunction(() => window.frugalDemoResult !== undefined, null, { timeout: 300_000 });
  const result = await page.evaluate(() => window.frugalDemoResult);
  // Draw a stroke on the pad, so that the screenshot shows a prediction too.
  const pad = await page.locator('#pad').boundingBox();
  if (pad) {
    await page.mouse.move(pad.x + 96, pad.y + 30);
    await page.mouse.down();
    await page.mouse.move(pad.x + 96, pad.y + 165, { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent?.includes('It is a'), null, { timeout: 10_000 }).catch(() => {});
  }
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'demo.png') });
  if (result.error) {
    fail(`training failed in the page: ${result.error}\n${consoleLines.join('\n')}`);
  } else {
    if (!(result.testAcc >= minAcc)) fail(`test accuracy ${result.testAcc} below ${minAcc}`);
    if (!(result.threads > 1 && result.workersReady)) fail(`expected more than one thread, got ${result.threads} (workers ready: ${result.workersReady})`);
    console.log(JSON.stringify({ browser: 'chromium', threads: result.threads, test_acc: result.testAcc, samples_per_s: Math.round(result.samplesPerS) }));
  }

  // 2. Not isolated: one thread, and a console note that names the headers.
  const plain = await browser.newPage();
  const notes = [];
  plain.on('console', (message) => notes.push(message.text()));
  await plain.goto(url(plainServer));
  await plain.waitForFunction(() => /\d/.test(document.getElementById('threads')?.textContent ?? ''), null, { timeout: 60_000 });
  const plainThreads = Number(await plain.locator('#threads').textContent());
  if (plainThreads !== 1) fail(`a page without COOP/COEP should run on one thread, got ${plainThreads}`);
  if (!notes.some((line) => line.includes('Cross-Origin-Embedder-Policy'))) fail(`no console note about the missing headers; console: ${notes.join(' | ')}`);
  log(`test:browser: without the headers: ${plainThreads} thread, console note given`);

  // 3. Isolated, but on the page's main thread (which may not block): one thread, never spinning.
  const main = await browser.newPage();
  const mainNotes = [];
  main.on('console', (message) => mainNotes.push(message.text()));
  await main.goto(url(isolatedServer, 'main-thread.html'));
  await main.waitForFunction(() => /\d/.test(document.getElementById('checksum')?.textContent ?? ''), null, { timeout: 60_000 });
  const mainThreads = Number(await main.locator('#threads').textContent());
  if (mainThreads !== 1) fail(`on a page's main thread Frugal should keep to one thread, got ${mainThreads}`);
  if (!mainNotes.some((line) => line.includes('Run Frugal in a Web Worker'))) fail(`no console note about the main thread; console: ${mainNotes.join(' | ')}`);
  log(`test:browser: on the main thread: ${mainThreads} thread, console note given`);
} finally {
  await browser.close();
  isolatedServer.close();
  plainServer.close();
}
