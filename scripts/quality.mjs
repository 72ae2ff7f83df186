/**
 * `npm run quality`: the edge-quality harness. In real Chromium it feeds every
 * still and sequence of ../shared/media that has a ground-truth mask through
 * the public BlurProcessor (tier 1), one frame at a time, reads each output
 * back by timestamp, and reports per variant (naive, seed, refined, weighted):
 * mask IoU, boundary IoU (band of 2% of the diagonal), halo error at sigma
 * 4/8/16 (mean |output − ideal| within 12 px of the true edge, ideal =
 * A·I + (1−A)·B with B the harness's own Gaussian), flicker (mean frame-to-
 * frame change in that band over 60 noisy frames of a still, beside the same
 * measure on the ideal) and lag (frames the mask trails a moving sequence).
 * Prints a table; writes quality-results/latest.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDevServer } from '@web/dev-server';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import puppeteer from 'puppeteer-core';
import config, { chromiumArgs } from '../web-test-runner.config.mjs';

const args = process.argv.slice(2);
const variants = (args[args.indexOf('--variants') + 1] && args.includes('--variants') ? args[args.indexOf('--variants') + 1] : 'naive,seed,refined,weighted').split(',');
const quick = args.includes('--quick');
// `gpu` (default): tier 1's WebGPU compositor, where the edge variants differ; `auto`: what this machine runs by default (the CPU renderer on a software GPU, whose edge is the seed's).
const renderer = args.includes('--renderer') ? args[args.indexOf('--renderer') + 1] : 'gpu';
const media = resolve('..', 'shared', 'media');

const stills = [
  { name: 'portrait', image: '/media/stills/portrait.jpg', mask: '/media/stills/portrait-mask.png' },
  { name: 'three-people', image: '/media/stills/three-people.jpg', mask: '/media/stills/three-people-mask.png' },
];
for (const file of readdirSync(resolve(media, 'stills', 'portraits-p3m')).filter((f) => f.endsWith('.jpg')).sort()) {
  const base = file.replace(/\.jpg$/, '');
  stills.push({ name: `p3m/${base}`, image: `/media/stills/portraits-p3m/${file}`, mask: `/media/stills/portraits-p3m/${base}-alpha.png` });
}
const danceFrames = readdirSync(resolve(media, 'sequences', 'dance-twirl', 'frames')).filter((f) => f.endsWith('.jpg')).sort();
const sequences = [{
  name: 'dance-twirl',
  frames: danceFrames.map((f) => `/media/sequences/dance-twirl/frames/${f}`),
  masks: danceFrames.map((f) => `/media/sequences/dance-twirl/masks/${f.replace(/\.jpg$/, '.png')}`),
}];
if (quick) {
  stills.splice(3);
  sequences[0].frames = sequences[0].frames.slice(0, 30);
  sequences[0].masks = sequences[0].masks.slice(0, 30);
}

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
    const [result] = await page.evaluate(
      (v, s, q, r) => window.runQuality([v], s, q, (line) => console.log(`quality: ${line}`), r),
      variant, stills, sequences, renderer,
    );
    results.push(result);
  }
} finally {
  await browser.close();
  await server.stop();
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const f = (v, d = 3) => v.toFixed(d);
const lines = [
  '| variant | mask IoU | boundary IoU | halo σ4 | halo σ8 | halo σ16 | replacement halo, wrap off / on | flicker (ideal) | lag frames (IoU at lag 0…3) |',
  '|---|---|---|---|---|---|---|---|---|',
];
for (const r of results) {
  const lag = r.lag ? `${r.lag.lagFrames} (${r.lag.iouByLag.map((x) => f(x)).join(', ')})` : '–';
  lines.push(`| ${r.variant} | ${f(mean(r.stills.map((s) => s.iou)))} | ${f(mean(r.stills.map((s) => s.boundaryIou)))} | ${f(mean(r.stills.map((s) => s.halo[4])), 2)} | ${f(mean(r.stills.map((s) => s.halo[8])), 2)} | ${f(mean(r.stills.map((s) => s.halo[16])), 2)} | ${f(mean(r.stills.map((s) => s.replacementHalo.wrapOff)), 2)} / ${f(mean(r.stills.map((s) => s.replacementHalo.wrapOn)), 2)} | ${f(r.flicker.output, 2)} (${f(r.flicker.noiseOnlyIdeal, 2)}) | ${lag} |`);
}
lines.push('', `Renderer: ${renderer}. Means over ${results[0].stills.length} stills (${results[0].stills.map((s) => s.name).join(', ')}); halo and flicker in 0–255 units; flicker on ${stills[0].name} with σ=2/255 noise.`);
const table = lines.join('\n');
console.log(table);
mkdirSync('quality-results', { recursive: true });
writeFileSync('quality-results/latest.json', JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
writeFileSync('quality-results/latest.md', `${table}\n`);
console.log('\nJSON: quality-results/latest.json');
