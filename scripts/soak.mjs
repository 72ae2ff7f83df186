/**
 * `npm run soak`: holds the pipeline on Chromium's 1280×720 fake camera
 * (../shared/media/clips/keyed-person-720p.mjpeg, looped) for a long run
 * (default 10 minutes) and checks that it does not leak. Not part of `npm test`.
 *
 * Every --interval seconds (default 30) it samples: processor.stats (frames in,
 * out, dropped, masks, compositor, adaptation, gpuBytes), the frames the page
 * read from the output track, the JS heap of the page (performance.memory,
 * after gc()) and of each worker (CDP Runtime.getHeapUsage, after
 * HeapProfiler.collectGarbage), and the resident memory of the whole browser
 * process tree (from /proc).
 *
 * It collects every console message of the page and of its workers. Chromium
 * reports a leaked VideoFrame as "A VideoFrame was garbage collected without
 * being closed"; in a worker that warning arrives only on the worker's Log
 * domain (not as a console API call, so puppeteer's worker 'console' event
 * never sees it), which is why workers are also watched through Log.entryAdded.
 * Before the pipeline starts, a control leaks one frame in the page and one in
 * a worker and waits until both warnings are seen, so that "no warnings" means
 * something; those two are not counted.
 *
 * Verdict, PASS when all hold:
 *  - JS heap (page + workers, after GC) at the end − at the first sample < 8 MB;
 *  - RSS of the browser tree at the end − at the half-way sample < 32 MB: a
 *    leak grows all the way, while the browser's one-time allocations (seen:
 *    one step of about 95 MB near 3 minutes, then flat) do not; the growth
 *    from the 1-minute sample is reported beside it;
 *  - GPU memory (stats.gpuBytes, where the compositor reports it) at the end −
 *    at the first sample < 8 MB;
 *  - no unclosed-VideoFrame warnings, during the run or in the 15 s after stop;
 *  - the leak-watch control saw both of its warnings;
 *  - stats.framesOut > 0 and increasing from every sample to the next.
 * Exit code 1 on FAIL. Results: soak-results/latest.json and latest.md.
 *
 * Options: --minutes N (default 10), --renderer auto|gpu (default auto),
 * --tier 1..4 (maxTier, default 1), --interval S (default 30), --warmup S
 * (seconds after the first output frame before the first sample, default 10),
 * --clip name.mjpeg (default keyed-person-720p.mjpeg), --no-control.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { startDevServer } from '@web/dev-server';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, processTree } from './chromium.mjs';

const args = process.argv.slice(2);
const optionText = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && index + 1 < args.length ? args[index + 1] : fallback;
};
const optionNumber = (name, fallback) => {
  const value = Number(optionText(name, fallback));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
};
const minutes = optionNumber('minutes', 10);
const intervalSeconds = optionNumber('interval', 30);
const warmupSeconds = Number(optionText('warmup', 10));
const renderer = optionText('renderer', 'auto');
if (!['auto', 'gpu'].includes(renderer)) throw new Error('--renderer is auto or gpu');
const tier = Number(optionText('tier', 1));
if (![1, 2, 3, 4].includes(tier)) throw new Error('--tier is 1, 2, 3 or 4');
const clip = optionText('clip', 'keyed-person-720p.mjpeg');
const control = !args.includes('--no-control');

const MB = 1024 * 1024;
const HEAP_BOUND = 8 * MB;
const RSS_BOUND = 32 * MB;
const GPU_BOUND = 8 * MB;
const CONTROL_WAIT_MS = 30000;
const AFTER_STOP_WAIT_MS = 15000;
const FRAME_LEAK = /garbage collected without being closed|not closed/i;
const MAX_LOGGED_MESSAGES = 1000;

const mediaDir = resolve('..', 'shared', 'media', 'clips');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function launchArgs() {
  return [
    ...chromiumArgs(resolve(mediaDir, clip)),
    '--enable-precise-memory-info',
    // A headless page is never in the background, but keep timers at full rate regardless.
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  ];
}

/** Console watch over the page and every worker it creates. */
function watchConsole(page) {
  const messages = [];
  let total = 0;
  let phase = 'setup';
  const leaks = [];
  const record = (origin, channel, type, text) => {
    total++;
    const entry = { t: Date.now(), phase, origin, channel, type, text: text.slice(0, 500) };
    if (messages.length < MAX_LOGGED_MESSAGES) messages.push(entry);
    if (FRAME_LEAK.test(text)) leaks.push(entry);
  };
  const workers = new Set();
  const workersSeen = [];
  const attach = (worker) => {
    if (workers.has(worker)) return;
    workers.add(worker);
    workersSeen.push(worker.url());
    const origin = `worker ${worker.url()}`;
    // Console API calls in a worker also reach the page's console (puppeteer's
    // page 'console' event), so they are logged here but not counted twice.
    worker.on('console', (message) => {
      if (messages.length < MAX_LOGGED_MESSAGES) messages.push({ t: Date.now(), phase, origin, channel: 'worker console (also on page)', type: message.type(), text: message.text().slice(0, 500) });
    });
    // What the browser itself reports in the worker (the VideoFrame warning among it).
    worker.client.on('Log.entryAdded', ({ entry }) => record(origin, 'worker log', entry.level, entry.text ?? ''));
    worker.client.send('Log.enable').catch(() => undefined);
  };
  page.on('console', (message) => record('page', 'page console', message.type(), message.text()));
  page.on('pageerror', (error) => record('page', 'pageerror', 'error', String(error?.message ?? error)));
  page.on('workercreated', attach);
  page.on('workerdestroyed', (worker) => workers.delete(worker));
  for (const worker of page.workers()) attach(worker);
  return {
    messages,
    leaks,
    workers,
    workersSeen,
    total: () => total,
    setPhase: (p) => {
      phase = p;
    },
  };
}

/** Each worker's JS heap after a full GC, by CDP; a worker that goes away meanwhile is skipped. */
async function workerHeaps(workers) {
  const heaps = [];
  for (const worker of workers) {
    try {
      await worker.client.send('HeapProfiler.collectGarbage');
      const { usedSize, totalSize } = await worker.client.send('Runtime.getHeapUsage');
      heaps.push({ url: worker.url(), usedSize, totalSize });
    } catch {
      // Terminated between the listing and the call.
    }
  }
  return heaps;
}

const fmtMB = (bytes, digits = 1) => (typeof bytes === 'number' ? (bytes / MB).toFixed(digits) : '–');
const signedMB = (bytes) => (typeof bytes === 'number' ? `${bytes >= 0 ? '+' : ''}${(bytes / MB).toFixed(2)} MB` : 'n/a');

const server = await startDevServer({
  config: { rootDir: '.', port: 0, hostname: 'localhost', nodeResolve: false, watch: false },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const baseUrl = `http://localhost:${server.server.address().port}`;
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length },
  options: { minutes, intervalSeconds, warmupSeconds, renderer, maxTier: tier, clip, control },
  samples: [],
};
let browser;
let failedToRun = null;
const failedRequests = [];
try {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: launchArgs(),
    protocolTimeout: 300000,
  });
  report.browserVersion = await browser.version();
  const pid = browser.process().pid;
  const page = await browser.newPage();
  const watch = watchConsole(page);
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => failedRequests.push(`${request.failure()?.errorText ?? 'failed'} ${request.url()}`));
  await page.goto(`${baseUrl}/test/soak/soak.html?maxTier=${tier}&renderer=${renderer}`);
  await page.waitForFunction(() => document.title === 'ready', { timeout: 60000 });

  // Control: the watch must see a leaked frame's warning from the page and from a worker.
  if (control) {
    watch.setPhase('control');
    const started = Date.now();
    await page.evaluate(() => window.soak.startControl());
    const seen = () => ({ page: watch.leaks.some((l) => l.phase === 'control' && l.origin === 'page'), worker: watch.leaks.some((l) => l.phase === 'control' && l.origin.startsWith('worker')) });
    while (Date.now() - started < CONTROL_WAIT_MS && !(seen().page && seen().worker)) {
      await page.evaluate(() => window.soak.gc());
      await sleep(250);
    }
    await page.evaluate(() => window.soak.endControl());
    report.control = { ...seen(), ms: Date.now() - started };
    process.stderr.write(`leak-watch control: page ${report.control.page ? 'seen' : 'NOT seen'}, worker ${report.control.worker ? 'seen' : 'NOT seen'} (${report.control.ms} ms)\n`);
    // Let the control worker's target go before the pipeline's worker comes.
    await sleep(500);
  }

  watch.setPhase('run');
  process.stderr.write(`starting the pipeline (maxTier ${tier}, renderer ${renderer}, ${clip})\n`);
  const startInfo = await page.evaluate(() => window.soak.start());
  report.tier = startInfo.tier;
  report.cameraSettings = startInfo.cameraSettings;
  // Warm-up: the first output frame, then --warmup seconds (model load, first allocations).
  const firstFrameBy = Date.now() + 120000;
  while ((await page.evaluate(() => window.soak.frames())) === 0) {
    if (Date.now() > firstFrameBy) throw new Error('no output frame within 120 s of start()');
    await sleep(500);
  }
  await sleep(warmupSeconds * 1000);

  const takeSample = async (t) => {
    const pageSample = await page.evaluate(() => window.soak.sample());
    const workers = await workerHeaps(watch.workers);
    const { rss, processes } = processTree(pid);
    const workerHeap = workers.reduce((sum, w) => sum + w.usedSize, 0);
    const sample = {
      t,
      ...pageSample,
      workers,
      pageHeap: pageSample.heapUsed,
      workerHeap,
      jsHeap: (pageSample.heapUsed ?? 0) + workerHeap,
      rss,
      processes,
      gpuBytes: typeof pageSample.stats?.gpuBytes === 'number' ? pageSample.stats.gpuBytes : null,
      leakWarnings: watch.leaks.filter((l) => l.phase === 'run').length,
    };
    report.samples.push(sample);
    const s = sample.stats ?? {};
    process.stderr.write(`t=${t}s framesIn ${s.framesIn} out ${s.framesOut} dropped ${s.framesDropped} page ${sample.pageFramesOut} heap ${fmtMB(sample.pageHeap)}+${fmtMB(workerHeap)} MB rss ${fmtMB(rss, 0)} MB gpu ${sample.gpuBytes ?? 'not reported'} warnings ${sample.leakWarnings}\n`);
    return sample;
  };

  const runStart = Date.now();
  const durationS = minutes * 60;
  const times = [];
  for (let t = 0; t < durationS; t += intervalSeconds) times.push(t);
  times.push(durationS);
  for (const t of times) {
    const wait = runStart + t * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    await takeSample(Math.round((Date.now() - runStart) / 1000));
  }
  report.events = await page.evaluate(() => window.soak.events());

  // Stop, then keep collecting garbage so that a frame leaked in teardown is reported.
  watch.setPhase('after-stop');
  await page.evaluate(() => window.soak.stop());
  for (let waited = 0; waited < AFTER_STOP_WAIT_MS; waited += 250) {
    await page.evaluate(() => window.soak.gc());
    await sleep(250);
  }
  report.console = { total: watch.total(), logged: watch.messages, leaks: watch.leaks };
  report.workersSeen = watch.workersSeen;
  report.failedRequests = failedRequests;
} catch (error) {
  failedToRun = String(error?.stack ?? error);
} finally {
  await browser?.close().catch(() => undefined);
  await server.stop();
}

// Verdict.
const samples = report.samples;
const first = samples[0];
const last = samples.at(-1);
const checks = [];
const check = (name, pass, detail) => checks.push({ name, pass, detail });
if (failedToRun) check('the run completed', false, failedToRun.split('\n')[0]);
if (first && last && samples.length >= 2) {
  const heapGrowth = last.jsHeap - first.jsHeap;
  check('JS heap growth (page + workers, after GC) < 8 MB', heapGrowth < HEAP_BOUND, `${fmtMB(first.jsHeap, 2)} → ${fmtMB(last.jsHeap, 2)} MB (${signedMB(heapGrowth)}; page ${signedMB(last.pageHeap - first.pageHeap)}, workers ${signedMB(last.workerHeap - first.workerHeap)})`);
  const oneMinute = samples.find((s) => s.t >= 60 && s !== last) ?? first;
  const halfWay = samples.find((s) => s.t >= last.t / 2 && s !== last) ?? first;
  const rssGrowth = last.rss - halfWay.rss;
  check(
    'RSS growth over the second half of the run < 32 MB',
    rssGrowth < RSS_BOUND,
    `${fmtMB(halfWay.rss, 0)} MB at t=${halfWay.t}s → ${fmtMB(last.rss, 0)} MB at t=${last.t}s (${signedMB(rssGrowth)}); from t=${oneMinute.t}s: ${signedMB(last.rss - oneMinute.rss)}, max ${fmtMB(Math.max(...samples.map((s) => s.rss)), 0)} MB`,
  );
  if (typeof first.gpuBytes === 'number' && typeof last.gpuBytes === 'number') {
    const gpuGrowth = last.gpuBytes - first.gpuBytes;
    check('GPU memory growth (stats.gpuBytes) < 8 MB', gpuGrowth < GPU_BOUND, `${fmtMB(first.gpuBytes, 2)} → ${fmtMB(last.gpuBytes, 2)} MB (${signedMB(gpuGrowth)})`);
  }
  const outs = samples.map((s) => s.stats?.framesOut ?? 0);
  const increasing = outs[0] > 0 && outs.every((v, i) => i === 0 || v > outs[i - 1]);
  check('stats.framesOut > 0 and increasing at every sample', increasing, outs.join(' → '));
} else if (!failedToRun) {
  check('at least two samples', false, `${samples.length} sample(s)`);
}
const leaks = report.console?.leaks?.filter((l) => l.phase !== 'control') ?? [];
if (report.console) check('no unclosed-VideoFrame warnings (run and 15 s after stop)', leaks.length === 0, leaks.length ? leaks.slice(0, 5).map((l) => `[${l.phase}] ${l.origin}: ${l.text}`).join(' | ') : '0 warnings');
if (control && report.control) check('leak-watch control saw its page and worker warnings', report.control.page && report.control.worker, `page ${report.control.page}, worker ${report.control.worker}, ${report.control.ms} ms`);
report.checks = checks;
report.verdict = checks.length && checks.every((c) => c.pass) ? 'PASS' : 'FAIL';

// Report.
const lines = [];
const gpuText = (g) => (typeof g === 'number' ? fmtMB(g, 2) : 'not reported');
lines.push(`Soak: ${minutes} min at ${report.cameraSettings ? `${report.cameraSettings.width}×${report.cameraSettings.height}@${report.cameraSettings.frameRate}` : '?'} (${clip}), maxTier ${tier}, renderer ${renderer}; tier ${report.tier ?? '?'}, compositor ${last?.stats?.compositor ?? '?'}, output ${last?.outputSize ? `${last.outputSize.displayWidth}×${last.outputSize.displayHeight}` : '?'}; ${report.browserVersion ?? ''}`);
lines.push('');
lines.push('| t s | camera frames | frames in | frames out | dropped | masks | page frames | out fps | adaptation | page heap MB | worker heap MB | RSS MB | GPU MB | leak warnings |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
samples.forEach((s, i) => {
  const prev = samples[i - 1];
  const fps = prev ? ((s.stats?.framesOut ?? 0) - (prev.stats?.framesOut ?? 0)) / Math.max(1e-9, s.t - prev.t) : null;
  const a = s.stats?.adaptation;
  lines.push(`| ${s.t} | ${s.camera?.totalFrames ?? '–'} | ${s.stats?.framesIn ?? '–'} | ${s.stats?.framesOut ?? '–'} | ${s.stats?.framesDropped ?? '–'} | ${s.stats?.masks ?? '–'} | ${s.pageFramesOut} | ${fps === null ? '–' : fps.toFixed(1)} | ${a ? `L${a.level} every ${a.segmentEvery} ${a.model}` : '–'} | ${fmtMB(s.pageHeap, 2)} | ${fmtMB(s.workerHeap, 2)} | ${fmtMB(s.rss, 0)} | ${gpuText(s.gpuBytes)} | ${s.leakWarnings} |`);
});
lines.push('');
if (first && last) {
  lines.push(`Frames in ${last.stats?.framesIn}, out ${last.stats?.framesOut} (page read ${last.pageFramesOut}), dropped ${last.stats?.framesDropped}, without mask ${last.stats?.framesWithoutMask}.`);
  if (first.camera && last.camera) {
    const span = last.t - first.t;
    const cameraFrames = last.camera.totalFrames - first.camera.totalFrames;
    const framesIn = (last.stats?.framesIn ?? 0) - (first.stats?.framesIn ?? 0);
    const framesOut = (last.stats?.framesOut ?? 0) - (first.stats?.framesOut ?? 0);
    lines.push(`From t=${first.t}s to t=${last.t}s the camera produced ${cameraFrames} frames (${(cameraFrames / span).toFixed(1)} fps); the pipeline read ${framesIn} (${(framesIn / span).toFixed(1)} fps), so ${cameraFrames - framesIn} were never read (the input stream keeps only the newest), and wrote ${framesOut} (${(framesOut / span).toFixed(1)} fps).`);
  }
  lines.push(`JS heap start ${fmtMB(first.jsHeap, 2)} MB, end ${fmtMB(last.jsHeap, 2)} MB (page ${fmtMB(first.pageHeap, 2)} → ${fmtMB(last.pageHeap, 2)}, workers ${fmtMB(first.workerHeap, 2)} → ${fmtMB(last.workerHeap, 2)}).`);
  lines.push(`GPU memory allocated (stats.gpuBytes): start ${gpuText(first.gpuBytes)}, end ${gpuText(last.gpuBytes)}${typeof last.gpuBytes === 'number' ? ' MB' : ''}.`);
}
if (report.events?.length) lines.push(`Processor events: ${report.events.map((e) => `${e.type}@${e.t}ms ${JSON.stringify(e.detail).slice(0, 160)}`).join('; ')}`);
if (report.console) lines.push(`Console: ${report.console.total} messages (soak-results/latest.json has the first ${MAX_LOGGED_MESSAGES}).`);
lines.push('');
for (const c of checks) lines.push(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
lines.push('');
lines.push(`Verdict: ${report.verdict}`);
const text = lines.join('\n');
console.log(text);
mkdirSync('soak-results', { recursive: true });
writeFileSync('soak-results/latest.json', JSON.stringify(report, null, 2));
writeFileSync('soak-results/latest.md', `${text}\n`);
console.log('\nJSON: soak-results/latest.json');
if (report.verdict !== 'PASS') process.exitCode = 1;
