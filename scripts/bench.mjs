/**
 * `npm run bench`: runs the pipeline on Chromium's fake camera playing the
 * 1280×720 clips of ../shared/media, a fresh browser per run, and reports per
 * system: delivered fps over a 10 s window after warm-up, input-to-output
 * latency p50/p95 (matched by timestamp), main-thread long-task ms, CPU seconds
 * of all browser processes per delivered frame (from /proc), JS heap and
 * process memory change, and the per-stage milliseconds of a separate
 * profiling run (which waits for the GPU after each stage, so it is slower).
 *
 * Options: --rounds N (default 2), --window S (default 10), --warmup S (default 4),
 * --tiers 1,2 (default all), --clips a.mjpeg,b.mjpeg.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDevServer } from '@web/dev-server';
import puppeteer from 'puppeteer-core';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const rounds = option('rounds', 2);
const windowSeconds = option('window', 10);
const warmupSeconds = option('warmup', 4);
const mediaDir = resolve('..', 'shared', 'media', 'clips');
const clipsOption = args.indexOf('--clips');
const clips = clipsOption >= 0 ? args[clipsOption + 1].split(',') : ['keyed-person-720p.mjpeg', 'desk-worker-720p.mjpeg'];
const allSystems = [1, 2, 3, 4].map((tier) => ({ name: `blur-camera tier ${tier}`, query: `maxTier=${tier}` }));
const tiersOption = args.indexOf('--tiers');
const systems = tiersOption >= 0
  ? allSystems.filter((s) => args[tiersOption + 1].split(',').includes(s.query.slice('maxTier='.length)))
  : allSystems;
const clockTicks = 100; // USER_HZ on Linux

function chromiumArgs(clip) {
  return [
    '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${resolve(mediaDir, clip)}`,
    '--enable-precise-memory-info',
  ];
}

/** CPU seconds and resident memory of a process and all its descendants. */
function processTree(rootPid) {
  const children = new Map();
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      const cpu = (Number(fields[11]) + Number(fields[12])) / clockTicks;
      const rssPages = Number(fields[21]);
      stats.set(pid, { cpu, rss: rssPages * 4096 });
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(pid);
    } catch {
      // The process ended while we read it.
    }
  }
  let cpu = 0;
  let rss = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    const s = stats.get(pid);
    if (s) {
      cpu += s.cpu;
      rss += s.rss;
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return { cpu, rss };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function runOnce(baseUrl, system, clip, profile) {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs(clip),
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${baseUrl}/test/bench/bench.html?${system.query}${profile ? '&profile=1' : ''}`);
    await page.waitForFunction(() => document.title === 'ready', { timeout: 120000 }).catch(() => {
      throw new Error(`the bench page did not start: ${errors.join('; ')}`);
    });
    await sleep(warmupSeconds * 1000);
    const pid = browser.process().pid;
    const before = processTree(pid);
    await page.evaluate(() => window.bench.startWindow());
    await sleep(windowSeconds * 1000);
    const result = await page.evaluate(() => window.bench.endWindow());
    const after = processTree(pid);
    return {
      ...result,
      cpuSecondsPerFrame: result.frames ? (after.cpu - before.cpu) / result.frames : null,
      cpuCoresBusy: (after.cpu - before.cpu) / result.seconds,
      processMemoryDeltaBytes: after.rss - before.rss,
      processMemoryBytes: after.rss,
    };
  } finally {
    await browser.close();
  }
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
};

const server = await startDevServer({
  config: { rootDir: '.', port: 0, hostname: 'localhost', nodeResolve: false, watch: false },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const { port } = server.server.address();
const baseUrl = `http://localhost:${port}`;
const report = { date: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length }, rounds, windowSeconds, warmupSeconds, results: [] };
try {
  for (const clip of clips) {
    const runs = new Map(systems.map((s) => [s.name, []]));
    // Alternate the systems within each round (A B A B), a fresh browser per run.
    for (let round = 0; round < rounds; round++) {
      for (const system of systems) {
        process.stderr.write(`${clip} · ${system.name} · round ${round + 1}/${rounds}\n`);
        runs.get(system.name).push(await runOnce(baseUrl, system, clip, false));
      }
    }
    for (const system of systems) {
      process.stderr.write(`${clip} · ${system.name} · stage profile\n`);
      const profiled = await runOnce(baseUrl, system, clip, true);
      const measured = runs.get(system.name);
      report.results.push({
        clip,
        system: system.name,
        tier: measured[0]?.tier ?? null,
        fps: median(measured.map((r) => r.fps)),
        latencyP50: median(measured.map((r) => r.latencyP50)),
        latencyP95: median(measured.map((r) => r.latencyP95)),
        longTaskMs: median(measured.map((r) => r.longTaskMs)),
        cpuSecondsPerFrame: median(measured.map((r) => r.cpuSecondsPerFrame)),
        cpuCoresBusy: median(measured.map((r) => r.cpuCoresBusy)),
        heapDeltaBytes: median(measured.map((r) => r.heapDeltaBytes)),
        processMemoryDeltaBytes: median(measured.map((r) => r.processMemoryDeltaBytes)),
        stages: measured[0]?.stats.stages ?? {},
        profiledStages: profiled.stats.stages,
        runs: measured,
      });
    }
  }
} finally {
  await server.stop();
}

const fmt = (v, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '–');
const lines = [];
lines.push('| clip | system | tier | fps | latency p50 / p95 ms | long tasks ms | CPU s/frame | cores busy | heap Δ MB | RSS Δ MB |');
lines.push('|---|---|---|---|---|---|---|---|---|---|');
for (const r of report.results) {
  lines.push(`| ${r.clip} | ${r.system} | ${r.tier} | ${fmt(r.fps)} | ${fmt(r.latencyP50, 0)} / ${fmt(r.latencyP95, 0)} | ${fmt(r.longTaskMs, 0)} | ${fmt(r.cpuSecondsPerFrame, 3)} | ${fmt(r.cpuCoresBusy, 2)} | ${fmt(r.heapDeltaBytes / 1e6)} | ${fmt(r.processMemoryDeltaBytes / 1e6)} |`);
}
lines.push('');
lines.push('Per-stage ms, p50 / p95 (profiling run: each GPU stage waits for the GPU):');
lines.push('');
const stageNames = ['upload', 'scale', 'readback', 'segment', 'refine', 'blur', 'composite', 'total'];
lines.push(`| clip | system | ${stageNames.join(' | ')} |`);
lines.push(`|---|---|${stageNames.map(() => '---').join('|')}|`);
for (const r of report.results) {
  lines.push(`| ${r.clip} | ${r.system} | ${stageNames.map((s) => (r.profiledStages[s] ? `${fmt(r.profiledStages[s].p50)} / ${fmt(r.profiledStages[s].p95)}` : '–')).join(' | ')} |`);
}
const table = lines.join('\n');
console.log(table);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/latest.json', JSON.stringify(report, null, 2));
writeFileSync('bench-results/latest.md', `${table}\n`);
console.log('\nJSON: bench-results/latest.json');
