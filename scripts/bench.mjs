/**
 * `npm run bench`: runs the pipeline on Chromium's fake camera playing the
 * 1280×720 clips of ../shared/media, a fresh browser per run, and reports per
 * system: delivered fps over a 10 s window after warm-up, input-to-output
 * latency p50/p95 (matched by timestamp; also "capture-clock" latency, which
 * maps each output frame's camera timestamp to page time and so is not
 * understated when a system blocks the main thread, see bench-page.js),
 * main-thread long-task ms, CPU seconds
 * of all browser processes per delivered frame (from /proc), JS heap and
 * process memory change, and the per-stage milliseconds of a separate
 * profiling run (which waits for the GPU after each stage, so it is slower).
 *
 * Besides our tiers it runs @livekit/track-processors' BackgroundBlur (system
 * `livekit`) the same way, and prints each tier's ratios to it. LiveKit's page
 * code is bundled with esbuild into bench-results/bundle/ before the runs; all
 * of its assets (tasks-vision wasm, selfie_segmenter.tflite) are served from
 * this origin, and any request that leaves it is reported as an error. LiveKit
 * has no stages, so it gets no stage-profile run.
 *
 * Options: --rounds N (default 2), --window S (default 10), --warmup S (default 4),
 * --systems tier1,tier2,livekit (default all: tier1..tier4, livekit, element
 * (<blur-camera> mounted in a page with its own camera and preview, timed from
 * connected to trackready and to the first mask, cold and warm), and where
 * WebKitGTK is installed webkit-safari18 and webkit-safari17, which run once on
 * WebKit's mock camera instead of the clips; Safari has no Long Tasks API, so
 * there main-thread stalls are timer gaps of 50 ms or more; its output is
 * counted as the frames the processor wrote to it (the opt-in
 * webkit-safari17-presented and -safari18-presented count what an unpainted
 * <video> of it presents, and --paint also paints that <video>);
 * and where Firefox ESR is installed `firefox`, on its own fake camera;
 * tier1-mediapipe forces MediaPipe, tier1-replace replaces the background
 * with a colour),
 * --tiers 1,2 (our tiers only; kept for compatibility), --clips a.mjpeg,b.mjpeg,
 * --memory (every run also reports memory after 60 s: the browser's RSS, and in
 * Chromium the page's and each worker's JS heap).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDevServer } from '@web/dev-server';
import puppeteer from 'puppeteer-core';
import { remote } from 'webdriverio';
import { chromiumArgs, processTree } from './chromium.mjs';
import { spawnWebKitDriver, webkitAvailable, webkitCapabilities, WEBKIT_PROFILES } from './webkit.mjs';
import { firefoxLaunchOptions, firefoxPath } from './firefox.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const rounds = option('rounds', 2);
const paint = args.includes('--paint');
/**
 * --memory: memory after 1 minute of each run (issue 17): the
 * browser's RSS, and the JS heaps of the page and of each worker from
 * performance.measureUserAgentSpecificMemory(), which needs a cross-origin
 * isolated page (COOP and COEP headers, served only with this option) and
 * which only Chromium has: Firefox and WebKit report their RSS alone.
 */
const memory = args.includes('--memory');
const MEMORY_AFTER_SECONDS = 60;
const windowSeconds = option('window', 10);
const warmupSeconds = option('warmup', 4);
const mediaDir = resolve('..', 'shared', 'media', 'clips');
const clipsOption = args.indexOf('--clips');
const clips = clipsOption >= 0 ? args[clipsOption + 1].split(',') : ['keyed-person-720p.mjpeg', 'desk-worker-720p.mjpeg'];
const livekitName = '@livekit/track-processors 0.8.1 BackgroundBlur';
const allSystems = [
  // renderer 'auto' (the default): tiers 1 and 2 render on the CPU where the GPU is a software one, as here.
  ...[1, 2, 3, 4].map((tier) => ({ key: `tier${tier}`, name: `blur-camera tier ${tier}`, query: `maxTier=${tier}`, ours: true })),
  // The same tiers forced onto their GPU compositors (WebGPU, WebGL2), to show what the software GPU costs.
  ...[1, 2].map((tier) => ({ key: `tier${tier}-gpu`, name: `blur-camera tier ${tier}, GPU compositor`, query: `maxTier=${tier}&renderer=gpu`, ours: true })),
  // Tier 1 with MediaPipe segmenting (segmenter="mediapipe"): where the model runs on the CPU, as here, `auto` takes LiteRT.js.
  { key: 'tier1-mediapipe', name: 'blur-camera tier 1, MediaPipe segmenter', query: 'maxTier=1&segmenter=mediapipe', ours: true },
  // A replaced background (a colour: the same per-pixel work as a picture, nothing to fetch).
  { key: 'tier1-replace', name: 'blur-camera tier 1, background replaced', query: `maxTier=1&background=${encodeURIComponent('#2f6f4f')}`, ours: true },
  { key: 'livekit', name: livekitName, query: 'system=livekit', ours: false },
  // <blur-camera> mounted as a page mounts it (its own camera, its preview shown, .stream read): what users get.
  // Its stage figures are the pipeline's own, not a profiling run (the element has no profile option).
  { key: 'element', name: '<blur-camera> in a page, preview shown', query: 'system=element', ours: true, unprofiled: true },
  // WebKit, Safari's engine, with the feature sets that stand for Safari 18 and 17, on its mock camera (see scripts/webkit.mjs).
  // And WebKit without WebGL in workers, where LiteRT segments.
  ...[['webkit-safari18', 'safari18'], ['webkit-safari17', 'safari17'], ['webkit-none', 'none']].map(([key, profile]) => ({ key, name: `blur-camera in ${WEBKIT_PROFILES[profile].label}`, query: 'maxTier=1', ours: true, webkit: profile })),
  // Firefox ESR under Xvfb (WebGL through GLX, WebGPU on lavapipe), on its own fake camera: it cannot play the clips either.
  { key: 'firefox', name: 'blur-camera in Firefox ESR', query: 'maxTier=1', ours: true, firefox: true },
  // Opt-in: the two WebKit profiles with WebGL in workers, segmenting with MediaPipe instead of LiteRT.
  ...[['webkit-safari18-mediapipe', 'safari18'], ['webkit-safari17-mediapipe', 'safari17']].map(([key, profile]) => ({ key, name: `blur-camera in ${WEBKIT_PROFILES[profile].label}, MediaPipe segmenter`, query: 'maxTier=1&segmenter=mediapipe', ours: true, webkit: profile, optIn: true })),
  // Opt-in: the same two profiles counted as a <video> of the output presents its frames, not as the processor wrote them (see test/bench/bench-page.js).
  ...[['webkit-safari18-presented', 'safari18'], ['webkit-safari17-presented', 'safari17']].map(([key, profile]) => ({ key, name: `blur-camera in ${WEBKIT_PROFILES[profile].label}, counted by a <video>`, query: 'maxTier=1&count=presented', ours: true, webkit: profile, optIn: true })),
  // Opt-in only (--systems livekit-cpu): LiveKit with its segmenter on the CPU
  // delegate instead of its default GPU one. Not part of the ratios.
  { key: 'livekit-cpu', name: `${livekitName} (CPU delegate)`, query: 'system=livekit&delegate=CPU', ours: false, optIn: true },
];
const tiersOption = args.indexOf('--tiers');
const systemsOption = args.indexOf('--systems');
let systems = allSystems.filter((s) => !s.optIn && (!s.webkit || webkitAvailable()) && (!s.firefox || existsSync(firefoxPath)));
if (systemsOption >= 0) {
  const keys = args[systemsOption + 1].split(',');
  const unknown = keys.filter((k) => !allSystems.some((s) => s.key === k));
  if (unknown.length) throw new Error(`unknown system(s) ${unknown.join(', ')}; known: ${allSystems.map((s) => s.key).join(', ')}`);
  // In the order given, so that --systems livekit,tier1 runs LiveKit first in each round.
  systems = keys.map((k) => allSystems.find((s) => s.key === k));
} else if (tiersOption >= 0) {
  const tiers = args[tiersOption + 1].split(',');
  systems = allSystems.filter((s) => s.ours && tiers.includes(s.key.slice('tier'.length)));
}
function launchArgs(clip) {
  // ForceEagerMeasureMemory: measureUserAgentSpecificMemory() answers at once instead of at the next garbage collection.
  return [...chromiumArgs(resolve(mediaDir, clip)), '--enable-precise-memory-info', ...(memory ? ['--enable-blink-features=ForceEagerMeasureMemory'] : [])];
}

/** Headers that make the bench pages cross-origin isolated, for measureUserAgentSpecificMemory() (--memory only). */
function crossOriginIsolation() {
  return async (ctx, next) => {
    await next();
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
  };
}

/** WebKit's systems run on its mock camera (a 1280×720 pattern with a clock, no person): it cannot play the clips. */
const WEBKIT_CLIP = 'WebKit mock camera (1280×720)';
/** Firefox's systems run on its fake camera (media.navigator.streams.fake: a generated pattern, no person). */
const FIREFOX_CLIP = 'Firefox fake camera (1280×720)';

const clockTicks = 100; // USER_HZ on Linux

/** CPU seconds used by the whole machine (all processes), from /proc/stat. */
function machineCpuSeconds() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait.
  const busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
  return busy / clockTicks;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Bundles LiveKit's processor for the browser (the dev server does not resolve
 * bare imports, and livekit-client pulls in CommonJS packages). Its
 * `@mediapipe/tasks-vision` import resolves to its own nested 0.10.14 copy.
 */
async function bundleLiveKit() {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: "export { BackgroundBlur, BackgroundProcessor, supportsModernBackgroundProcessors } from '@livekit/track-processors';",
      resolveDir: resolve('.'),
      sourcefile: 'livekit-entry.js',
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    outfile: 'bench-results/bundle/livekit-track-processors.js',
  });
}

/** CPU and memory of the browser's process tree over the window, from /proc readings before and after it. */
function processFigures(result, before, after, machineCpu) {
  const cpu = after.cpu - before.cpu;
  return {
    cpuSecondsPerFrame: result.frames ? cpu / result.frames : null,
    cpuCoresBusy: cpu / result.seconds,
    // CPU that processes outside this browser used meanwhile (other work on
    // the machine competes for the same cores and skews every figure).
    otherCoresBusy: (machineCpu - cpu) / result.seconds,
    processMemoryDeltaBytes: after.rss - before.rss,
    processMemoryBytes: after.rss,
    busiestThreads: busiestThreads(before.threads, after.threads, result.seconds),
  };
}

/** The threads that used the most CPU over the window, in cores (the busiest first; those under 0.02 cores left out). */
function busiestThreads(before, after, seconds) {
  const busy = [];
  for (const [key, { label, cpu }] of after) busy.push({ thread: label, cores: (cpu - (before.get(key)?.cpu ?? 0)) / seconds });
  return busy.filter((t) => t.cores >= 0.02).sort((a, b) => b.cores - a.cores).slice(0, 8);
}

/**
 * One run in MiniBrowser through its own WebKitWebDriver (a fresh browser per
 * run), on WebKit's mock camera; CPU is that driver's process tree (the
 * browser's UI, web and network processes).
 */
async function runOnceWebKit(baseUrl, system, profile) {
  const { port, child: driver, stop: stopDriver } = await spawnWebKitDriver();
  try {
    const browser = await remote({ hostname: '127.0.0.1', port, path: '/', logLevel: 'error', capabilities: webkitCapabilities(system.webkit) });
    try {
      await browser.url(`${baseUrl}/test/bench/bench.html?${system.query}${profile ? '&profile=1' : ''}${paint ? '&paint=1' : ''}`);
      const started = Date.now();
      while ((await browser.getTitle()) !== 'ready') {
        if (Date.now() - started > 120000) throw new Error(`the bench page did not start in ${system.name}`);
        await sleep(250);
      }
      const ready = Date.now();
      await sleep(warmupSeconds * 1000);
      await browser.execute(() => window.bench.startWindow());
      const before = processTree(driver.pid);
      const machineBefore = machineCpuSeconds();
      await sleep(windowSeconds * 1000);
      const result = await browser.execute(() => window.bench.endWindow());
      const after = processTree(driver.pid);
      const machineAfter = machineCpuSeconds();
      if (memory && !profile) {
        // WebKit has no measureUserAgentSpecificMemory(): the browser's RSS only (its UI, web and network processes).
        await sleep(Math.max(0, ready + MEMORY_AFTER_SECONDS * 1000 - Date.now()));
        result.memory = { afterSeconds: (Date.now() - ready) / 1000, browserRssBytes: processTree(driver.pid).rss, ...(await browser.execute(() => window.bench.memory())) };
      }
      // The page's own resource observer is the only request watch here (WebDriver has no request events).
      const offOriginRequests = [...new Set(result.offOriginRequests)];
      if (offOriginRequests.length) process.stderr.write(`ERROR: ${system.name} requested off-origin URLs: ${offOriginRequests.join(', ')}\n`);
      return {
        ...result,
        offOriginRequests,
        errors: offOriginRequests.map((url) => `off-origin request: ${url}`),
        consoleNotes: [],
        ...processFigures(result, before, after, machineAfter - machineBefore),
      };
    } finally {
      await browser.deleteSession().catch(() => undefined);
    }
  } finally {
    stopDriver();
  }
}

async function runOnce(baseUrl, system, clip, profile) {
  if (system.webkit) return runOnceWebKit(baseUrl, system, profile);
  const browser = system.firefox
    ? await puppeteer.launch(firefoxLaunchOptions())
    : await puppeteer.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: launchArgs(clip),
      });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Every request must stay on the dev server's origin (no CDN fallbacks).
    const offOrigin = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!/^(data|blob):/.test(url) && new URL(url).origin !== baseUrl) offOrigin.push(url);
    });
    // What MediaPipe's wasm prints says which delegate it actually built.
    const consoleNotes = [];
    page.on('console', (message) => {
      const text = message.text();
      if (consoleNotes.length < 30 && /delegate|xnnpack|gpu|webgl|gl context|error/i.test(text)) consoleNotes.push(`${message.type()}: ${text.slice(0, 300)}`);
    });
    await page.goto(`${baseUrl}/test/bench/bench.html?${system.query}${profile ? '&profile=1' : ''}`);
    await page.waitForFunction(() => document.title === 'ready', { timeout: 120000 }).catch(() => {
      throw new Error(`the bench page did not start: ${errors.join('; ')}`);
    });
    await sleep(warmupSeconds * 1000);
    const pid = browser.process().pid;
    // Read /proc right after each evaluate returns: a system that blocks the
    // page's main thread (LiveKit) delays both calls, and the page stamps its
    // window when they run, so this keeps the CPU window on the frame window.
    const ready = Date.now() - warmupSeconds * 1000;
    await page.evaluate(() => window.bench.startWindow());
    const before = processTree(pid);
    const machineBefore = machineCpuSeconds();
    await sleep(windowSeconds * 1000);
    const result = await page.evaluate(() => window.bench.endWindow());
    const after = processTree(pid);
    const machineAfter = machineCpuSeconds();
    if (memory && !profile) {
      await sleep(Math.max(0, ready + MEMORY_AFTER_SECONDS * 1000 - Date.now()));
      result.memory = { afterSeconds: (Date.now() - ready) / 1000, browserRssBytes: processTree(pid).rss, ...(await page.evaluate(() => window.bench.memory())) };
    }
    const offOriginRequests = [...new Set([...offOrigin, ...result.offOriginRequests])];
    if (offOriginRequests.length) process.stderr.write(`ERROR: ${system.name} requested off-origin URLs: ${offOriginRequests.join(', ')}\n`);
    return {
      ...result,
      offOriginRequests,
      errors: [...errors, ...offOriginRequests.map((url) => `off-origin request: ${url}`)],
      consoleNotes,
      ...processFigures(result, before, after, machineAfter - machineBefore),
    };
  } finally {
    await browser.close();
  }
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
};

if (systems.some((s) => !s.ours)) await bundleLiveKit();

const server = await startDevServer({
  config: { rootDir: '.', port: 0, hostname: 'localhost', nodeResolve: false, watch: false, middleware: memory ? [crossOriginIsolation()] : [] },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const { port } = server.server.address();
const baseUrl = `http://localhost:${port}`;
const report = { date: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length }, rounds, windowSeconds, warmupSeconds, results: [] };
try {
  const runsFor = (clip) => systems.filter((s) => (clip === WEBKIT_CLIP ? s.webkit : clip === FIREFOX_CLIP ? s.firefox : !s.webkit && !s.firefox));
  for (const clip of [...clips, ...(systems.some((s) => s.webkit) ? [WEBKIT_CLIP] : []), ...(systems.some((s) => s.firefox) ? [FIREFOX_CLIP] : [])]) {
    const clipSystems = runsFor(clip);
    if (clipSystems.length === 0) continue;
    const runs = new Map(clipSystems.map((s) => [s.name, []]));
    // Alternate the systems within each round (A B A B), a fresh browser per run.
    for (let round = 0; round < rounds; round++) {
      for (const system of clipSystems) {
        process.stderr.write(`${clip} · ${system.name} · round ${round + 1}/${rounds}\n`);
        runs.get(system.name).push(await runOnce(baseUrl, system, clip, false));
      }
    }
    for (const system of clipSystems) {
      // LiveKit has no stages to profile.
      let profiled = null;
      if (system.ours && !system.unprofiled) {
        process.stderr.write(`${clip} · ${system.name} · stage profile\n`);
        profiled = await runOnce(baseUrl, system, clip, true);
      }
      const measured = runs.get(system.name);
      report.results.push({
        clip,
        system: system.name,
        key: system.key,
        ours: system.ours,
        tier: measured[0]?.tier ?? null,
        // What rendered (cpu, webgpu, …) and what the frame-budget governor shed, at the end of each run.
        compositor: measured[0]?.stats?.compositor ?? null,
        adaptation: measured.map((r) => r.stats?.adaptation).filter(Boolean),
        fps: median(measured.map((r) => r.fps)),
        // How the output's frames were counted (read from the track; or, in WebKit, written to it or presented by a <video>).
        counting: measured[0]?.counting ?? null,
        countedAs: measured[0]?.countedAs ?? null,
        latencyP50: median(measured.map((r) => r.latencyP50)),
        latencyP95: median(measured.map((r) => r.latencyP95)),
        captureLatencyP50: median(measured.map((r) => r.captureLatencyP50)),
        captureLatencyP95: median(measured.map((r) => r.captureLatencyP95)),
        unmatchedFrames: median(measured.map((r) => r.unmatchedFrames)),
        processedFrames: median(measured.map((r) => r.processedFrames)),
        longTaskMs: median(measured.map((r) => r.longTaskMs)),
        longTaskSource: measured[0]?.longTaskSource ?? null,
        cpuSecondsPerFrame: median(measured.map((r) => r.cpuSecondsPerFrame)),
        cpuCoresBusy: median(measured.map((r) => r.cpuCoresBusy)),
        otherCoresBusy: median(measured.map((r) => r.otherCoresBusy)),
        heapDeltaBytes: median(measured.map((r) => r.heapDeltaBytes)),
        processMemoryDeltaBytes: median(measured.map((r) => r.processMemoryDeltaBytes)),
        stages: measured[0]?.stats.stages ?? {},
        selfReported: measured[0]?.stats.selfReported,
        profiledStages: profiled?.stats.stages ?? (system.unprofiled ? measured[0]?.stats.stages ?? null : null),
        info: measured[0]?.info ?? {},
        // MediaPipe's wasm logs "Created TensorFlow Lite XNNPACK delegate for CPU"
        // only when inference runs on the CPU.
        inference: system.ours ? null : measured.some((r) => r.consoleNotes.some((n) => /XNNPACK delegate for CPU/.test(n))) ? 'CPU (TFLite XNNPACK)' : 'GPU (TFLite WebGL delegate; no XNNPACK log)',
        offOriginRequests: [...new Set(measured.flatMap((r) => r.offOriginRequests))],
        runs: measured,
      });
    }
  }
} finally {
  await server.stop();
}

// Each of our tiers against LiveKit, per clip (ours / LiveKit: below 1 means
// fewer fps, lower latency, less CPU per frame).
const ratio = (ours, theirs) => (typeof ours === 'number' && typeof theirs === 'number' && theirs !== 0 ? ours / theirs : null);
report.ratios = [];
for (const clip of clips) {
  const livekit = report.results.find((r) => r.clip === clip && r.key === 'livekit');
  if (!livekit) continue;
  for (const r of report.results.filter((x) => x.clip === clip && x.ours)) {
    report.ratios.push({
      clip,
      system: r.system,
      versus: livekit.system,
      fpsRatio: ratio(r.fps, livekit.fps),
      latencyP95Ratio: ratio(r.latencyP95, livekit.latencyP95),
      captureLatencyP95Ratio: ratio(r.captureLatencyP95, livekit.captureLatencyP95),
      cpuSecondsPerFrameRatio: ratio(r.cpuSecondsPerFrame, livekit.cpuSecondsPerFrame),
      longTaskMs: r.longTaskMs,
      livekitLongTaskMs: livekit.longTaskMs,
    });
  }
}

const fmt = (v, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '–');
const lines = [];
const governor = (r) => (r.adaptation?.length ? r.adaptation.map((a) => `${a.level} (${a.model}, 1/${a.segmentEvery})`).join(', ') : '–');
lines.push('| clip | system | tier | renders on | governor level per run | fps | latency p50 / p95 ms | capture-clock latency p50 / p95 ms | long tasks ms | CPU s/frame | cores busy | cores busy elsewhere | heap Δ MB | RSS Δ MB |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of report.results) {
  lines.push(`| ${r.clip} | ${r.system} | ${r.tier ?? "–"} | ${r.compositor ?? '–'} | ${governor(r)} | ${fmt(r.fps)}${r.countedAs && r.countedAs !== 'read' ? ` (${r.countedAs})` : ''} | ${fmt(r.latencyP50, 0)} / ${fmt(r.latencyP95, 0)} | ${fmt(r.captureLatencyP50, 0)} / ${fmt(r.captureLatencyP95, 0)} | ${fmt(r.longTaskMs, 0)}${r.longTaskSource && r.longTaskSource !== "longtask" ? " (timer gaps)" : ""} | ${fmt(r.cpuSecondsPerFrame, 3)} | ${fmt(r.cpuCoresBusy, 2)} | ${fmt(r.otherCoresBusy, 2)} | ${fmt(r.heapDeltaBytes / 1e6)} | ${fmt(r.processMemoryDeltaBytes / 1e6)} |`);
}
lines.push('');
lines.push('Per-stage ms, p50 / p95 (profiling run: each GPU stage waits for the GPU):');
lines.push('');
// `band`: the CPU renderer's helper thread, compositing the lower rows while the worker composites the rest (within `composite`).
const stageNames = ['upload', 'scale', 'readback', 'segment', 'refine', 'blur', 'composite', 'band', 'total'];
lines.push(`| clip | system | ${stageNames.join(' | ')} |`);
lines.push(`|---|---|${stageNames.map(() => '---').join('|')}|`);
for (const r of report.results.filter((x) => x.profiledStages)) {
  lines.push(`| ${r.clip} | ${r.system} | ${stageNames.map((s) => (r.profiledStages[s] ? `${fmt(r.profiledStages[s].p50)} / ${fmt(r.profiledStages[s].p95)}` : '–')).join(' | ')} |`);
}
const withMemory = report.results.filter((r) => r.runs.some((run) => run.memory));
if (withMemory.length) {
  const mb = (bytes) => fmt(typeof bytes === 'number' ? bytes / 1e6 : null);
  lines.push('');
  lines.push(`Memory after ${MEMORY_AFTER_SECONDS} s, MB, per run (browser RSS: every process of the browser; JS heaps from measureUserAgentSpecificMemory()):`);
  lines.push('');
  lines.push('| clip | system | tier | browser RSS | page heap | worker heaps | all JS heaps |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of withMemory) {
    for (const run of r.runs.filter((x) => x.memory)) {
      const { browserRssBytes, byScope, totalBytes } = run.memory;
      const workers = byScope ? Object.entries(byScope).filter(([scope]) => scope !== 'page').map(([scope, bytes]) => `${scope} ${mb(bytes)}`).join(', ') : '–';
      lines.push(`| ${r.clip} | ${r.system} | ${run.tier ?? '–'} | ${mb(browserRssBytes)} | ${mb(byScope?.page ?? run.memory.pageHeapBytes)} | ${workers || '–'} | ${mb(totalBytes)} |`);
    }
  }
}

// Whether the pipeline keeps up: a frame it drops had a newer one behind it; the camera's own rate bounds the output's.
const withFlow = report.results.filter((r) => r.runs.some((run) => run.flow));
if (withFlow.length) {
  lines.push('');
  lines.push('Frames in and dropped, per run (camera: frames the page\'s clone of the camera got; dropped: of the frames the pipeline took in over the window, those closed unprocessed because a newer one came first):');
  lines.push('');
  lines.push('| clip | system | camera fps | output fps | pipeline: dropped / in | cores busy |');
  lines.push('|---|---|---|---|---|---|');
  for (const r of withFlow) {
    for (const run of r.runs.filter((x) => x.flow)) {
      const { cameraFps, framesIn, framesDropped } = run.flow;
      lines.push(`| ${r.clip} | ${r.system} | ${fmt(cameraFps)} | ${fmt(run.fps)} | ${framesDropped} / ${framesIn} (${fmt(framesIn > 0 ? (100 * framesDropped) / framesIn : null)} %) | ${fmt(run.cpuCoresBusy, 2)} |`);
    }
  }
}

// Per thread: where a pipeline that drops frames with a core idle is waiting (one thread at a full core, the rest idle).
const withThreads = report.results.filter((r) => r.runs.some((run) => run.busiestThreads?.length));
if (withThreads.length) {
  lines.push('');
  lines.push('Busiest threads over the window, cores, per run (process kind: thread name; Chromium names every worker thread DedicatedWorker):');
  lines.push('');
  lines.push('| clip | system | fps | threads |');
  lines.push('|---|---|---|---|');
  for (const r of withThreads) {
    for (const run of r.runs.filter((x) => x.busiestThreads?.length)) {
      lines.push(`| ${r.clip} | ${r.system} | ${fmt(run.fps)} | ${run.busiestThreads.map((t) => `${t.thread} ${t.cores.toFixed(2)}`).join(', ')} |`);
    }
  }
}

const withStartup = report.results.filter((r) => r.runs.some((run) => run.info?.startup));
if (withStartup.length) {
  lines.push('');
  lines.push('Startup, ms from the element being connected, median of the runs (cold: the first mount in a fresh browser; warm: a second mount after stop()):');
  lines.push('');
  lines.push('| clip | system | cold: trackready / first mask | warm: trackready / first mask |');
  lines.push('|---|---|---|---|');
  for (const r of withStartup) {
    const at = (mount, key) => median(r.runs.map((run) => run.info?.startup?.[mount]?.[key]));
    lines.push(`| ${r.clip} | ${r.system} | ${fmt(at('cold', 'trackreadyMs'), 0)} / ${fmt(at('cold', 'firstMaskMs'), 0)} | ${fmt(at('warm', 'trackreadyMs'), 0)} / ${fmt(at('warm', 'firstMaskMs'), 0)} |`);
  }
}
if (report.ratios.length) {
  lines.push('');
  lines.push(`Ours vs ${livekitName} (ratio ours / LiveKit; fps above 1 and latency, CPU below 1 favour ours):`);
  lines.push('');
  lines.push('| clip | system | fps ratio | latency p95 ratio | capture-clock latency p95 ratio | CPU s/frame ratio | long tasks ms ours / LiveKit |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const q of report.ratios) {
    const sig = (v) => (typeof v === 'number' ? v.toPrecision(3) : '–');
    lines.push(`| ${q.clip} | ${q.system} | ${sig(q.fpsRatio)} | ${sig(q.latencyP95Ratio)} | ${sig(q.captureLatencyP95Ratio)} | ${sig(q.cpuSecondsPerFrameRatio)} | ${fmt(q.longTaskMs, 0)} / ${fmt(q.livekitLongTaskMs, 0)} |`);
  }
}
for (const key of new Set(report.results.filter((r) => !r.ours).map((r) => r.key))) {
  const { info, system, inference } = report.results.find((r) => r.key === key);
  lines.push('');
  lines.push(`${system}: blurRadius ${info.blurRadius}, segmenter delegate ${info.delegate}, inference ran on ${inference}, tasks-vision ${info.tasksVisionVersion}, WebGL ${info.webglRenderer}.`);
}
const offOriginAll = report.results.flatMap((r) => r.offOriginRequests.map((url) => `${r.system}: ${url}`));
if (offOriginAll.length) {
  lines.push('');
  lines.push(`ERROR: off-origin requests: ${offOriginAll.join(', ')}`);
  process.exitCode = 1;
}
const table = lines.join('\n');
console.log(table);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/latest.json', JSON.stringify(report, null, 2));
writeFileSync('bench-results/latest.md', `${table}\n`);
console.log('\nJSON: bench-results/latest.json');
