/**
 * `npm run quality`: the edge-quality harness. In real Chromium it feeds the
 * stills and clips of ../shared/media that have ground-truth masks through the
 * public BlurProcessor (tier 1), reads each output back by its timestamp, and
 * reports per variant (naive, seed, refined, guided by default; weighted, and
 * guided-unheld (the guided edge without its hold), on request) two tables.
 *
 * Stills (one frame at a time): mask IoU, boundary IoU (band of 2% of the
 * diagonal), halo error at sigma 4/8/16 (mean |output − ideal| within 12 px of
 * the true edge, ideal = A·I + (1−A)·B with B the harness's own Gaussian),
 * replacement halo (light wrap off / on), and composite flicker (mean frame-to-
 * frame change in that band over 60 noisy frames of a still, beside the same
 * measure on the ideal).
 *
 * Motion, on the keyed-person clip (MJPEG, 150 frames, 1280×720, exact masks)
 * and dance-twirl (90 frames, 854×480, masks of the dancer only), with view
 * 'mask', rows variant × mode × governor level: mask IoU and boundary IoU
 * (each delivered output against its own frame's truth), dtSSD (Robust Video
 * Matting's temporal coherence, √mean(((p_t − p_s) − (g_t − g_s))²) × 100 over
 * consecutive delivered frames s, t), lag (the lag 0…3 whose truth best matches
 * the outputs, with the IoU at each), and mask flicker (mean |mask(k+1) −
 * mask(k)| within 12 px of the true edge over 45 frames of the portrait with
 * fresh σ=2 noise each, naive's beside each variant). Two modes: one frame at
 * a time (each written when the last one's output is back; governor off), and
 * real time (pre-decoded frames written on a 30 fps clock that never waits for
 * outputs, as a camera; dropped frames are missing), run with the governor on
 * and pinned at each level by the `governorLevel` test hook (1: segment every
 * other frame; 2: also the landscape model).
 *
 * Flags: --variants naive,refined  --quick (3 stills, clips cut to 45/30
 * frames: a few minutes a variant)  --stills-only  --motion-only
 * --clips keyed-person,dance-twirl  --modes one-at-a-time,real-time
 * --levels 0,1,2  --edge-hold N (the guided variant's hold, 0–255; default 10)
 * --renderer gpu|auto (gpu, default: tier 1's WebGPU
 * compositor, where the edge variants differ; auto: what this machine runs by
 * default, the CPU renderer on a software GPU, whose edge is the seed's).
 *
 * Prints the tables; writes quality-results/latest.md and latest.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDevServer } from '@web/dev-server';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import puppeteer from 'puppeteer-core';
import config, { chromiumArgs } from '../web-test-runner.config.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) && args[args.indexOf(name) + 1] ? args[args.indexOf(name) + 1] : fallback);
const list = (name, fallback, allowed) => {
  const values = option(name, fallback).split(',').filter(Boolean);
  for (const value of values) if (!allowed.includes(value)) throw new Error(`${name}: ${value} is not one of ${allowed.join(', ')}`);
  return values;
};
const variants = list('--variants', 'naive,seed,refined,guided', ['naive', 'seed', 'refined', 'weighted', 'guided', 'guided-unheld']);
const quick = args.includes('--quick');
const stillsOnly = args.includes('--stills-only');
const motionOnly = args.includes('--motion-only');
const renderer = option('--renderer', 'gpu');
const modes = stillsOnly ? [] : list('--modes', 'one-at-a-time,real-time', ['one-at-a-time', 'real-time']);
const levels = list('--levels', '0,1,2', ['0', '1', '2']).map(Number);
const clipNames = list('--clips', 'keyed-person,dance-twirl', ['keyed-person', 'dance-twirl']);
const media = resolve('..', 'shared', 'media');

const stills = [
  { name: 'portrait', image: '/media/stills/portrait.jpg', mask: '/media/stills/portrait-mask.png' },
  { name: 'three-people', image: '/media/stills/three-people.jpg', mask: '/media/stills/three-people-mask.png' },
];
for (const file of readdirSync(resolve(media, 'stills', 'portraits-p3m')).filter((f) => f.endsWith('.jpg')).sort()) {
  const base = file.replace(/\.jpg$/, '');
  stills.push({ name: `p3m/${base}`, image: `/media/stills/portraits-p3m/${file}`, mask: `/media/stills/portraits-p3m/${base}-alpha.png` });
}
const flickerStill = stills[0];
const keyedMasks = readdirSync(resolve(media, 'clips', 'keyed-person-720p-masks')).filter((f) => f.endsWith('.png')).sort();
const danceFrames = readdirSync(resolve(media, 'sequences', 'dance-twirl', 'frames')).filter((f) => f.endsWith('.jpg')).sort();
const allClips = [
  {
    name: 'keyed-person',
    frames: { mjpeg: '/media/clips/keyed-person-720p.mjpeg' },
    masks: keyedMasks.map((f) => `/media/clips/keyed-person-720p-masks/${f}`).slice(0, quick ? 45 : undefined),
  },
  {
    name: 'dance-twirl',
    frames: danceFrames.map((f) => `/media/sequences/dance-twirl/frames/${f}`).slice(0, quick ? 30 : undefined),
    masks: danceFrames.map((f) => `/media/sequences/dance-twirl/masks/${f.replace(/\.jpg$/, '.png')}`).slice(0, quick ? 30 : undefined),
  },
];
const clips = allClips.filter((clip) => clipNames.includes(clip.name));
if (quick) stills.splice(3);
// --edge-hold N: the guided variant's hold in 0–255 units instead of the product's EDGE_HOLD (10), to tune it.
const edgeHoldOption = option('--edge-hold', null);
const plan = { renderer, stills: motionOnly ? [] : stills, flickerStill, clips: modes.length ? clips : [], modes, levels, ...(edgeHoldOption !== null ? { edgeHold: Number(edgeHoldOption) / 255 } : {}) };

const server = await startDevServer({
  config: { rootDir: '.', port: 0, hostname: 'localhost', nodeResolve: true, watch: false, middleware: config.middleware, plugins: [esbuildPlugin({ ts: true, target: 'es2022' })] },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const { port } = server.server.address();
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  // One variant takes minutes on a 2-core machine without a GPU.
  protocolTimeout: 3_600_000,
  args: chromiumArgs.filter((arg) => !arg.includes('fake-video-capture')),
});
let results;
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  page.on('console', (message) => {
    if (message.text().startsWith('quality:') || message.type() === 'error') console.error(message.text());
  });
  console.error(`quality: page http://localhost:${port}/test/quality/quality.html`);
  await page.goto(`http://localhost:${port}/test/quality/quality.html`);
  await page.waitForFunction(() => document.title === 'ready', { timeout: 120000 });
  results = [];
  for (const variant of variants) {
    const started = Date.now();
    results.push(await page.evaluate((v, p) => window.runQuality(v, p, (line) => console.log(`quality: ${line}`)), variant, plan));
    console.error(`quality: ${variant} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
} finally {
  await browser.close();
  await server.stop();
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const f = (v, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const lines = [];
if (plan.stills.length) {
  lines.push(
    '| variant | mask IoU | boundary IoU | halo σ4 | halo σ8 | halo σ16 | replacement halo, wrap off / on | flicker (ideal) |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    lines.push(`| ${r.variant} | ${f(mean(r.stills.map((s) => s.iou)))} | ${f(mean(r.stills.map((s) => s.boundaryIou)))} | ${f(mean(r.stills.map((s) => s.halo[4])), 2)} | ${f(mean(r.stills.map((s) => s.halo[8])), 2)} | ${f(mean(r.stills.map((s) => s.halo[16])), 2)} | ${f(mean(r.stills.map((s) => s.replacementHalo.wrapOff)), 2)} / ${f(mean(r.stills.map((s) => s.replacementHalo.wrapOn)), 2)} | ${f(r.flicker.output, 2)} (${f(r.flicker.noiseOnlyIdeal, 2)}) |`);
  }
  lines.push('', `Stills, one frame at a time. Renderer: ${renderer}. Means over ${plan.stills.length} stills (${plan.stills.map((s) => s.name).join(', ')}); halo and flicker in 0–255 units; flicker (composite) on ${plan.stills[0].name} with σ=2/255 noise.`, '');
}
const runName = (m) => `${m.mode}|${m.level}`;
if (results.some((r) => r.motion.length)) {
  const naive = results.find((r) => r.variant === 'naive');
  lines.push(
    '| variant | mode | level | clip | delivered | mask IoU | boundary IoU | dtSSD | lag frames (IoU at lag 0…3) | mask flicker (naive) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    for (const m of r.motion) {
      const naiveRun = naive?.motion.find((n) => runName(n) === runName(m));
      const flicker = `${f(m.maskFlicker, 2)}${naiveRun && r !== naive ? ` (${f(naiveRun.maskFlicker, 2)})` : ''}`;
      const pinned = m.adaptation.level === m.level ? '' : ` (ran at ${m.adaptation.level}!)`;
      const level = m.mode === 'one-at-a-time' ? 'off' : `${m.level}${pinned}`;
      for (const c of m.clips) {
        lines.push(`| ${r.variant} | ${m.mode} | ${level} | ${c.clip} | ${c.delivered}/${c.frames} | ${f(c.iou)} | ${f(c.boundaryIou)} | ${f(c.dtSSD, 2)} | ${c.lagFrames}${c.lagFrames === c.iouByLag.length - 1 ? '+' : ''} (${c.iouByLag.map((x) => f(x)).join(', ')}) | ${flicker} |`);
      }
    }
  }
  const late = results.flatMap((r) => r.motion.filter((m) => m.mode === 'real-time').map((m) => m.clockLateMs));
  const clock = late.length ? ` The real-time clock's writes were late by ${f(mean(late.map((l) => l.mean)), 1)} ms on average, ${f(Math.max(...late.map((l) => l.max)), 1)} ms at most.` : '';
  lines.push('', `Motion, view 'mask'. Renderer: ${renderer}. Clips: ${plan.clips.map((c) => `${c.name} (${c.masks.length} frames)`).join(', ')}; each fed after ${30} frames of its first picture. Level: the governor pinned there by the governorLevel test hook (real time), off (one at a time). IoUs are means over delivered frames at lag 0; a lag of 3+ means the IoU still rose at 3; dtSSD ×100 over consecutive delivered frames; mask flicker (0–255) over consecutive delivered masks of ${flickerStill.name} with fresh σ=2 noise, within 12 px of the true edge.${clock}`);
}
const table = lines.join('\n');
console.log(table);
mkdirSync('quality-results', { recursive: true });
writeFileSync('quality-results/latest.json', JSON.stringify({ date: new Date().toISOString(), args, plan: { ...plan, clips: plan.clips.map((c) => ({ name: c.name, frames: c.masks.length })) }, results }, null, 2));
writeFileSync('quality-results/latest.md', `${table}\n`);
console.log('\nJSON: quality-results/latest.json');
