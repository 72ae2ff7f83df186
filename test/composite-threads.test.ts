import { expect } from '@open-wc/testing';
import { RgbaCompositePass, type PersonMask } from '../gpu/cpu/rgba-composite.js';
import { CpuCompositor } from '../gpu/cpu/cpu-compositor.js';
import type { CpuRendererOptions } from '../gpu/backend-descriptor.js';
import { COMPOSITE_BAND_WORKER_NAME } from '../gpu/cpu/composite-band-helper.js';
import type { CompositorTimings, ConfidenceMask } from '../gpu/compositor.js';
import type { RgbImage } from '../gpu/cpu/rgb-image.js';
import { deepRegion, laplacianVariance, loadGroundTruth } from './helpers/image-metrics.js';
import { runStill, type StillRun } from './helpers/settled.js';
import { waitFor } from './helpers/resource-spy.js';
import { readConsole, startConsoleWatch } from './helpers/console-watch.js';
import type { Pixels } from './helpers/frames.js';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';

const WIDTH = 320;
const HEIGHT = 240;
const DOWNSAMPLE = 4;
/** Where the second thread's band starts in these tests: any row but the first works the same. */
const SPLIT = 97;

/** A frame with detail everywhere (so that the guided weight's tent reads real colour differences). */
function testFrame(seed: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
  for (let i = 0; i < WIDTH * HEIGHT; i++) {
    const x = i % WIDTH;
    const y = Math.floor(i / WIDTH);
    rgba[i * 4] = (x * 7 + y * 3 + seed * 11) % 256;
    rgba[i * 4 + 1] = (x * 13 + y * 5 + seed * 3) % 256;
    rgba[i * 4 + 2] = ((x ^ y) * 9 + seed) % 256;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

function blurredCopy(): RgbImage {
  const width = Math.ceil(WIDTH / DOWNSAMPLE);
  const height = Math.ceil(HEIGHT / DOWNSAMPLE);
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  return { width, height, data };
}

/** A guided mask whose coefficients vary, so that edge pixels read the frame's colours; seed moves them a little. */
function guidedMask(seed: number): PersonMask {
  const width = 40;
  const height = 30;
  const data = new Float32Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (y * width + x) * 4;
      const edge = Math.abs(x - 20 - seed) < 4;
      data[t] = edge ? 0.9 : 0;
      data[t + 1] = edge ? -0.4 : 0;
      data[t + 2] = edge ? 0.3 : 0;
      data[t + 3] = x < 20 + seed ? 0.95 : edge ? 0.3 : 0.02;
    }
  }
  return { kind: 'guided', width, height, data };
}

function confidenceMask(): PersonMask {
  const width = 40;
  const height = 30;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = ((i % width) / width) ** 2;
  return { kind: 'confidence', width, height, data };
}

/** Composites on "two threads" as the CPU renderer does: the band below SPLIT in a copy of its own, by a pass of its own. */
function compositeInBands(top: RgbaCompositePass, bottom: RgbaCompositePass, rgba: Uint8ClampedArray, blurred: RgbImage, mask: PersonMask | null): void {
  const rowBytes = WIDTH * 4;
  const band = rgba.slice((SPLIT - 1) * rowBytes);
  top.composite(rgba, WIDTH, HEIGHT, blurred, DOWNSAMPLE, mask, { first: 0, last: SPLIT, origin: 0 });
  bottom.composite(band, WIDTH, HEIGHT, blurred, DOWNSAMPLE, mask, { first: SPLIT, last: HEIGHT, origin: SPLIT - 1 });
  rgba.set(band.subarray(rowBytes), SPLIT * rowBytes);
}

/** The helper failed: its band is composited on this thread after the top, from the row above as it was. */
function compositeTopThenFallback(pass: RgbaCompositePass, rgba: Uint8ClampedArray, blurred: RgbImage, mask: PersonMask | null): void {
  const rowBytes = WIDTH * 4;
  const above = rgba.slice((SPLIT - 1) * rowBytes, SPLIT * rowBytes);
  pass.composite(rgba, WIDTH, HEIGHT, blurred, DOWNSAMPLE, mask, { first: 0, last: SPLIT, origin: 0 });
  pass.composite(rgba, WIDTH, HEIGHT, blurred, DOWNSAMPLE, mask, { first: SPLIT, last: HEIGHT, origin: 0, above });
}

function differingBytes(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
  return differing;
}

describe('the CPU renderer\'s composite in two bands', () => {
  const masks: Array<[string, (seed: number) => PersonMask | null]> = [
    ['no mask (blurred whole)', () => null],
    ['a confidence mask', () => confidenceMask()],
    ['a guided mask, with the edge\'s hold over three frames', (seed) => guidedMask(seed)],
  ];
  for (const [name, maskFor] of masks) {
    it(`${name}: two bands, or the top then the fallback, give the bytes of one pass`, () => {
      const whole = new RgbaCompositePass();
      const top = new RgbaCompositePass();
      const bottom = new RgbaCompositePass();
      const fallback = new RgbaCompositePass();
      for (const pass of [whole, top, bottom, fallback]) {
        pass.forgetShownWeights();
        pass.edgeHold = 10 / 255;
      }
      const blurred = blurredCopy();
      for (let seed = 0; seed < 3; seed++) {
        const mask = maskFor(seed);
        const expected = testFrame(seed);
        const banded = expected.slice();
        const fellBack = expected.slice();
        const original = expected.slice();
        whole.composite(expected, WIDTH, HEIGHT, blurred, DOWNSAMPLE, mask);
        compositeInBands(top, bottom, banded, blurred, mask);
        compositeTopThenFallback(fallback, fellBack, blurred, mask);
        // The pass changed the frame (so the comparison means something), and both ways agree byte for byte.
        expect(differingBytes(expected, original), `frame ${seed}: composited`).to.be.above(WIDTH * HEIGHT);
        expect(differingBytes(banded, expected), `frame ${seed}: two bands`).to.equal(0);
        expect(differingBytes(fellBack, expected), `frame ${seed}: the fallback`).to.equal(0);
      }
    });
  }
});

const FRAME_WIDTH = 640;
const FRAME_HEIGHT = 360;
const MASK_WIDTH = 256;
const MASK_HEIGHT = 144;

/** A textured room with a bright oval "person" that moves 6 px a frame, so that edges and the edge's hold both matter. */
function movingPersonFrame(index: number): VideoFrame {
  const rgba = new Uint8ClampedArray(FRAME_WIDTH * FRAME_HEIGHT * 4);
  const cx = FRAME_WIDTH / 2 + index * 6;
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    for (let x = 0; x < FRAME_WIDTH; x++) {
      const i = (y * FRAME_WIDTH + x) * 4;
      const inside = ((x - cx) / 140) ** 2 + ((y - 220) / 170) ** 2 < 1;
      rgba[i] = inside ? 220 - (y % 7) * 3 : ((x >> 3) + (y >> 3)) % 2 === 0 ? 40 : 170;
      rgba[i + 1] = inside ? 180 + (x % 5) * 4 : (x * 3 + y) % 200;
      rgba[i + 2] = inside ? 150 : (x ^ y) % 256;
      rgba[i + 3] = 255;
    }
  }
  return new VideoFrame(rgba, { format: 'RGBA', codedWidth: FRAME_WIDTH, codedHeight: FRAME_HEIGHT, timestamp: index * 33333 });
}

/** The model's mask for that frame: the oval, soft over a few texels. */
function movingPersonMask(index: number): ConfidenceMask {
  const data = new Float32Array(MASK_WIDTH * MASK_HEIGHT);
  const cx = (FRAME_WIDTH / 2 + index * 6) * (MASK_WIDTH / FRAME_WIDTH);
  const scale = MASK_WIDTH / FRAME_WIDTH;
  for (let y = 0; y < MASK_HEIGHT; y++) {
    for (let x = 0; x < MASK_WIDTH; x++) {
      const r = Math.sqrt(((x - cx) / (140 * scale)) ** 2 + ((y - 220 * scale) / (170 * scale)) ** 2);
      data[y * MASK_WIDTH + x] = Math.min(1, Math.max(0, (1.08 - r) / 0.16));
    }
  }
  return { width: MASK_WIDTH, height: MASK_HEIGHT, data };
}

interface RenderedSequence {
  readonly outputs: Uint8ClampedArray[];
  /** The helper's milliseconds for each frame (undefined: no band was composited there). */
  readonly bandMs: Array<number | undefined>;
}

/** Segments (with the frame's known mask) and renders `count` frames through a real CpuCompositor, guided refinement, the hold on. */
async function renderSequence(compositor: CpuCompositor, count: number): Promise<RenderedSequence> {
  const outputs: Uint8ClampedArray[] = [];
  const bandMs: Array<number | undefined> = [];
  for (let index = 0; index < count; index++) {
    const frame = movingPersonFrame(index);
    const timings: CompositorTimings = {};
    try {
      const guide = await compositor.prepareModelInput(frame, MASK_WIDTH, MASK_HEIGHT, timings);
      await compositor.pushMask(movingPersonMask(index), guide, 'guided', timings);
      const output = await compositor.render(frame, { sigma: 8, view: 'composite', refinement: 'guided', lightWrap: 0, edgeHold: 10 / 255 }, timings);
      const bytes = new Uint8ClampedArray(FRAME_WIDTH * FRAME_HEIGHT * 4);
      await output.copyTo(bytes, { format: 'RGBA' });
      output.close();
      outputs.push(bytes);
      bandMs.push(timings.band);
    } finally {
      frame.close();
    }
  }
  return { outputs, bandMs };
}

async function compositorWithHelper(options: CpuRendererOptions): Promise<CpuCompositor> {
  const compositor = new CpuCompositor(options);
  compositor.startHelperThreads();
  const started = performance.now();
  while (compositor.compositeThreads !== 2) {
    if (performance.now() - started > 10000) throw new Error('the helper was not ready in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return compositor;
}

describe('CpuCompositor with its helper thread', () => {
  const compositors: CpuCompositor[] = [];
  afterEach(() => {
    for (const compositor of compositors.splice(0)) compositor.destroy();
  });

  it('the blur worker started as the helper composites the lower rows of every frame, and the frames equal one thread\'s byte for byte', async function () {
    if (navigator.hardwareConcurrency < 2) this.skip();
    const alone = new CpuCompositor();
    const helped = await compositorWithHelper({ startHelperWorker: () => new Worker('/dist/blur-worker.js', { type: 'module', name: COMPOSITE_BAND_WORKER_NAME }) });
    compositors.push(alone, helped);
    expect(alone.compositeThreads).to.equal(1);
    const expected = await renderSequence(alone, 6);
    const actual = await renderSequence(helped, 6);
    console.log(`helper ms per band: ${actual.bandMs.map((ms) => ms?.toFixed(1)).join(', ')}`);
    for (let i = 0; i < expected.outputs.length; i++) {
      expect(actual.bandMs[i], `frame ${i}: composited in part by the helper`).to.be.a('number');
      expect(differingBytes(actual.outputs[i]!, expected.outputs[i]!), `frame ${i}: bytes unlike one thread's`).to.equal(0);
    }
    // The frames really were composited: the room changed, so equality is not two pass-throughs.
    const first = movingPersonFrame(0);
    const camera = new Uint8ClampedArray(FRAME_WIDTH * FRAME_HEIGHT * 4);
    await first.copyTo(camera, { format: 'RGBA' });
    first.close();
    expect(differingBytes(expected.outputs[0]!, camera)).to.be.above(FRAME_WIDTH * FRAME_HEIGHT);
  });

  it('a helper whose first band is wrong fails the check, is ended with a warning, and its rows are composited here', async function () {
    if (navigator.hardwareConcurrency < 2) this.skip();
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      const alone = new CpuCompositor();
      const wrong = await compositorWithHelper({ startHelperWorker: () => new Worker(new URL('./fixtures/wrong-band-worker.ts', import.meta.url), { type: 'module' }) });
      compositors.push(alone, wrong);
      const expected = await renderSequence(alone, 3);
      const actual = await renderSequence(wrong, 3);
      for (let i = 0; i < expected.outputs.length; i++) {
        expect(actual.bandMs[i], `frame ${i}: no band from the wrong helper`).to.equal(undefined);
        expect(differingBytes(actual.outputs[i]!, expected.outputs[i]!), `frame ${i}: bytes unlike one thread's`).to.equal(0);
      }
      expect(wrong.compositeThreads).to.equal(1);
      expect(warnings.filter((w) => /second thread was stopped: its first band differed/.test(w)), warnings.join('\n')).to.have.length(1);
    } finally {
      console.warn = warn;
    }
  });
});

/** The rows at and below the middle: always within the helper's band, whatever its share. */
function lowerHalf(region: Uint8Array, width: number, height: number): Uint8Array {
  const lower = region.slice();
  lower.fill(0, 0, Math.ceil(height / 2) * width);
  return lower;
}

describe('the CPU renderer on two threads, through BlurProcessor', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });
  /** A machine with one core keeps the composite on one thread. */
  const helpers = navigator.hardwareConcurrency >= 2 ? 1 : 0;

  it(`composites with ${helpers} helper thread, blurs the room in the lower half and keeps the person sharp, and ends the helper at stop`, async () => {
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    run = await runStill(PORTRAIT, { sigma: 8, maxTier: 4 });
    expect(run.processor.stats.compositor).to.equal('cpu');
    await waitFor(() => run!.processor.stats.compositeWorkers === helpers, `${helpers} composite helper`);
    const output = await run.settled();
    const room = lowerHalf(deepRegion(truth, 0), truth.width, truth.height);
    const person = lowerHalf(deepRegion(truth, 1), truth.width, truth.height);
    const roomRatio = laplacianVariance(output, room) / laplacianVariance(run.input, room);
    const personRatio = laplacianVariance(output, person) / laplacianVariance(run.input, person);
    console.log(`lower half: room detail ×${roomRatio.toFixed(3)}, person ×${personRatio.toFixed(3)}; helpers ${run.processor.stats.compositeWorkers}`);
    expect(roomRatio, 'the room in the lower half').to.be.below(0.2);
    expect(personRatio, 'the person in the lower half').to.be.above(0.8);
    expect(run.processor.stats.compositeWorkers).to.equal(helpers);
    // The helper's band is timed there: present only where the helper composited.
    if (helpers === 1) expect(run.processor.stats.stages.band?.p50, 'the helper\'s milliseconds per band').to.be.above(0);
    await run.stop();
    expect(run.processor.stats.compositeWorkers, 'helpers left at stop').to.equal(0);
    run = null;
  });

  it('a helper that stops answering is ended after its deadline; its rows are composited here, and frames go on', async function () {
    if (helpers === 0) this.skip();
    await startConsoleWatch();
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    run = await runStill(PORTRAIT, { sigma: 8, maxTier: 4, testHooks: { silenceCompositeHelperAfterBands: 10 } });
    // The room in the lower half: blurred in every frame, whichever thread composited it (or before the first mask, both).
    const room = lowerHalf(deepRegion(truth, 0), truth.width, truth.height);
    const roomDetail = laplacianVariance(run.input, room);
    const check = (frame: Pixels, what: string): void => {
      expect(laplacianVariance(frame, room) / roomDetail, what).to.be.below(0.2);
    };
    // The helper starts once the segmenter has given a mask.
    await waitFor(() => run!.processor.stats.compositeWorkers === 1, 'the helper started', 30000);
    let frames = 0;
    while (run.processor.stats.compositeWorkers > 0) {
      check(await run.reader.next(), `frame ${++frames}, helper running`);
      expect(frames, 'frames before the helper was ended').to.be.below(600);
    }
    const framesOut = run.processor.stats.framesOut;
    for (let i = 0; i < 20; i++) check(await run.reader.next(), `frame ${i + 1} after the helper was ended`);
    await waitFor(() => run!.processor.stats.framesOut >= framesOut + 20, 'frames counted after the helper ended', 3000);
    // Chromium echoes a worker's console on the page's; the worker's own entries count.
    const warnings = (await readConsole()).filter((entry) => entry.origin.startsWith('worker') && /second thread was stopped: it gave no answer/.test(entry.text));
    expect(warnings, JSON.stringify(warnings)).to.have.length(1);
  });
});
