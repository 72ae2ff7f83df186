/**
 * The quality harness's page side (`npm run quality` drives it): feeds known
 * frames through the public BlurProcessor one at a time, reads each output
 * frame back by its timestamp, and measures the edges against ground truth.
 */
import { BlurProcessor } from '../../dist/blur-camera.js';
import type { MaskRefinement } from '../../dist/blur-camera.js';
import { bitmapPixels, framePixels, loadBitmap, type Pixels } from '../helpers/frames.js';
import { gaussianBlurAt } from '../helpers/gaussian-blur.js';
import { loadGroundTruth, type GroundTruth } from '../helpers/image-metrics.js';

export interface StillCase {
  readonly name: string;
  readonly image: string;
  readonly mask: string;
}

export interface SequenceCase {
  readonly name: string;
  readonly frames: readonly string[];
  readonly masks: readonly string[];
}

const SIGMAS = [4, 8, 16] as const;
const HALO_BAND_PX = 12;
const FLICKER_FRAMES = 60;
const NOISE_SIGMA = 2; // in 0–255 units, as a real sensor gives
const MAX_LAG = 3;

/** Drives one BlurProcessor with frames written one at a time, so that none is dropped. */
class Driver {
  private readonly generator = new MediaStreamTrackGenerator({ kind: 'video' });
  private readonly writer = this.generator.writable.getWriter();
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private timestamp = 0;
  readonly processor: BlurProcessor;

  constructor(refinement: MaskRefinement, renderer: 'auto' | 'gpu') {
    this.processor = new BlurProcessor(this.generator, { refinement, maxTier: 1, sigma: 8, renderer, adaptive: false });
  }

  async start(first: ImageBitmap): Promise<void> {
    // The processor resolves once a first frame is through, so keep one coming until then.
    const feeding = setInterval(() => void this.write(first), 100);
    try {
      const output = await this.processor.start();
      this.reader = new MediaStreamTrackProcessor({ track: output }).readable.getReader();
    } finally {
      clearInterval(feeding);
    }
    // The first mask only exists once the model has loaded: wait for it.
    while (this.processor.stats.masks === 0) await this.process(first);
  }

  private async write(image: ImageBitmap | VideoFrame): Promise<number> {
    this.timestamp += 33_333;
    const frame = image instanceof VideoFrame ? image : new VideoFrame(image, { timestamp: this.timestamp });
    const timestamp = frame.timestamp;
    try {
      await this.writer.write(frame);
    } finally {
      frame.close();
    }
    return timestamp;
  }

  /** Writes one frame and returns the output frame with the same timestamp (writing it again if the pipeline dropped it). */
  async process(image: ImageBitmap | ImageData): Promise<Pixels> {
    const source = image instanceof ImageData ? await createImageBitmap(image) : image;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        this.timestamp += 33_333;
        const timestamp = await this.write(new VideoFrame(source, { timestamp: this.timestamp }));
        const output = await this.readUntil(timestamp, 15_000);
        if (output) return output;
        console.error(`quality: frame ${timestamp} got no output; writing it again`);
      }
      throw new Error('the pipeline gave no output three times');
    } finally {
      if (image instanceof ImageData) source.close();
    }
  }

  private async readUntil(timestamp: number, timeoutMs: number): Promise<Pixels | null> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return null;
      const next = this.pending ?? this.reader!.read();
      const result = await Promise.race([next, new Promise<null>((resolve) => setTimeout(() => resolve(null), remaining))]);
      if (result === null) {
        this.pending = next;
        return null;
      }
      this.pending = null;
      const { value, done } = result;
      if (done || !value) throw new Error('the output ended');
      try {
        if (value.timestamp === timestamp) return framePixels(value);
      } finally {
        value.close();
      }
    }
  }

  private pending: Promise<ReadableStreamReadResult<VideoFrame>> | null = null;

  async stop(): Promise<void> {
    await this.reader?.cancel();
    await this.processor.stop();
    this.generator.stop();
  }
}

interface SoftTruth extends GroundTruth {
  /** The true alpha, 0–1 (hard masks give 0 or 1). */
  readonly alpha: Float32Array;
}

async function loadSoftTruth(url: string): Promise<SoftTruth> {
  const truth = await loadGroundTruth(url);
  const bitmap = await loadBitmap(url);
  const pixels = bitmapPixels(bitmap);
  bitmap.close();
  const alpha = new Float32Array(truth.width * truth.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = pixels.data[i * 4]! / 255;
  return { ...truth, alpha };
}

function band(truth: GroundTruth, width: number): Uint8Array {
  const out = new Uint8Array(truth.person.length);
  for (let i = 0; i < out.length; i++) out[i] = truth.edgeDistance[i]! <= width ? 1 : 0;
  return out;
}

function iou(mask: Pixels, truth: GroundTruth, region?: Uint8Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < truth.person.length; i++) {
    if (region && !region[i]) continue;
    const predicted = mask.data[i * 4]! >= 128;
    const actual = truth.person[i] === 1;
    if (predicted && actual) intersection++;
    if (predicted || actual) union++;
  }
  return union === 0 ? 1 : intersection / union;
}

/** Mean |output − (A·I + (1−A)·B)| over `where`, 0–255, with B the reference Gaussian of I. */
function haloError(output: Pixels, input: Pixels, truth: SoftTruth, blurred: Float32Array, where: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < where.length; p++) {
    if (!where[p]) continue;
    const a = truth.alpha[p]!;
    for (let c = 0; c < 3; c++) {
      const ideal = a * input.data[p * 4 + c]! + (1 - a) * blurred[p * 3 + c]!;
      sum += Math.abs(output.data[p * 4 + c]! - ideal);
      n++;
    }
  }
  return sum / n;
}

function gaussianNoise(): number {
  const u = 1 - Math.random();
  const v = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function withNoise(input: Pixels): ImageData {
  const data = new Uint8ClampedArray(input.data.length);
  for (let i = 0; i < data.length; i += 4) {
    for (let c = 0; c < 3; c++) data[i + c] = input.data[i + c]! + gaussianNoise() * NOISE_SIGMA;
    data[i + 3] = 255;
  }
  return new ImageData(data, input.width, input.height);
}

function meanChange(a: { data: ArrayLike<number> }, b: { data: ArrayLike<number> }, where: Uint8Array, stride: number): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < where.length; p++) {
    if (!where[p]) continue;
    for (let c = 0; c < 3; c++) {
      sum += Math.abs(a.data[p * stride + c]! - b.data[p * stride + c]!);
      n++;
    }
  }
  return sum / n;
}

export interface StillResult {
  readonly name: string;
  readonly iou: number;
  readonly boundaryIou: number;
  readonly halo: Record<number, number>;
  /** Background replacement's halo error against A·I + (1−A)·picture, without and with the light wrap. */
  readonly replacementHalo: { readonly wrapOff: number; readonly wrapOn: number };
}

export interface VariantResult {
  readonly variant: MaskRefinement;
  readonly stills: StillResult[];
  readonly flicker: { readonly output: number; readonly noiseOnlyIdeal: number };
  readonly lag: { readonly sequence: string; readonly iouByLag: number[]; readonly lagFrames: number } | null;
}

const blurCache = new Map<string, Float32Array>();

/** The light wrap the product ships (BlurProcessor's default lightWrap). */
const LIGHT_WRAP_SHIPPED = 0.5;

/** A smooth, colourful picture to put behind the person: a diagonal gradient with soft bands. */
function replacementPicture(width: number, height: number): ImageData {
  const image = new ImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const t = (x / width + y / height) / 2;
      image.data[i] = 40 + 180 * t;
      image.data[i + 1] = 90 + 60 * Math.sin(6 * t);
      image.data[i + 2] = 200 - 150 * t;
      image.data[i + 3] = 255;
    }
  }
  return image;
}

/** Mean |output − (A·I + (1−A)·P)| over `where`, with the soft true alpha A and the picture P. */
function softReplacementHalo(output: Pixels, input: Pixels, picture: Pixels, truth: SoftTruth, where: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < where.length; p++) {
    if (!where[p]) continue;
    const a = truth.alpha[p]!;
    for (let c = 0; c < 3; c++) sum += Math.abs(output.data[p * 4 + c]! - (a * input.data[p * 4 + c]! + (1 - a) * picture.data[p * 4 + c]!));
    n += 3;
  }
  return sum / n;
}

async function measureStills(driver: Driver, stills: readonly StillCase[]): Promise<StillResult[]> {
  const results: StillResult[] = [];
  for (const still of stills) {
    console.log(`quality:   ${still.name}`);
    const bitmap = await loadBitmap(still.image);
    const input = bitmapPixels(bitmap);
    const truth = await loadSoftTruth(still.mask);
    const diagonal = Math.hypot(truth.width, truth.height);
    driver.processor.view = 'mask';
    driver.processor.sigma = 8;
    let mask: Pixels | null = null;
    // Enough frames for the 3-mask mean to hold only this image.
    for (let i = 0; i < 5; i++) mask = await driver.process(bitmap);
    const halo: Record<number, number> = {};
    const haloBand = band(truth, HALO_BAND_PX);
    driver.processor.view = 'composite';
    for (const sigma of SIGMAS) {
      driver.processor.sigma = sigma;
      await driver.process(bitmap);
      const output = await driver.process(bitmap);
      const key = `${still.image}@${sigma}`;
      if (!blurCache.has(key)) blurCache.set(key, gaussianBlurAt(input, sigma, haloBand));
      halo[sigma] = haloError(output, input, truth, blurCache.get(key)!, haloBand);
    }
    // Replacement: a picture of the frame's own size (so covering it is the identity), wrap off then on.
    const picture = replacementPicture(truth.width, truth.height);
    const pictureBitmap = await createImageBitmap(picture);
    const pictureRgba = { width: picture.width, height: picture.height, data: picture.data, timestamp: 0 };
    driver.processor.background = pictureBitmap;
    const replacementHalo = { wrapOff: 0, wrapOn: 0 };
    for (const [key, wrap] of [['wrapOff', 0], ['wrapOn', LIGHT_WRAP_SHIPPED]] as const) {
      driver.processor.lightWrap = wrap;
      // The picture is fitted in the worker; give it frames to arrive.
      for (let i = 0; i < 3; i++) await driver.process(bitmap);
      replacementHalo[key] = softReplacementHalo(await driver.process(bitmap), input, pictureRgba, truth, haloBand);
    }
    driver.processor.background = 'blur';
    driver.processor.lightWrap = LIGHT_WRAP_SHIPPED;
    pictureBitmap.close();
    bitmap.close();
    results.push({
      name: still.name,
      iou: iou(mask!, truth),
      boundaryIou: iou(mask!, truth, band(truth, 0.02 * diagonal)),
      halo,
      replacementHalo,
    });
  }
  return results;
}

async function measureFlicker(driver: Driver, still: StillCase): Promise<VariantResult['flicker']> {
  const bitmap = await loadBitmap(still.image);
  const input = bitmapPixels(bitmap);
  bitmap.close();
  const truth = await loadSoftTruth(still.mask);
  const where = band(truth, HALO_BAND_PX);
  driver.processor.view = 'composite';
  driver.processor.sigma = 8;
  let previous: Pixels | null = null;
  let previousIdeal: Float32Array | null = null;
  let outputChange = 0;
  let idealChange = 0;
  let idealPairs = 0;
  for (let i = 0; i < FLICKER_FRAMES; i++) {
    const noisy = withNoise(input);
    const output = await driver.process(noisy);
    if (previous) outputChange += meanChange(output, previous, where, 4);
    previous = output;
    // The ideal's own frame-to-frame change, on the first frames: what the noise alone contributes.
    if (i < 10) {
      const noisyPixels: Pixels = { width: noisy.width, height: noisy.height, data: noisy.data, timestamp: 0 };
      const blurred = gaussianBlurAt(noisyPixels, 8, where);
      const ideal = new Float32Array(where.length * 3);
      for (let p = 0; p < where.length; p++) {
        if (!where[p]) continue;
        const a = truth.alpha[p]!;
        for (let c = 0; c < 3; c++) ideal[p * 3 + c] = a * noisy.data[p * 4 + c]! + (1 - a) * blurred[p * 3 + c]!;
      }
      if (previousIdeal) {
        idealChange += meanChange({ data: ideal }, { data: previousIdeal }, where, 3);
        idealPairs++;
      }
      previousIdeal = ideal;
    }
  }
  return { output: outputChange / (FLICKER_FRAMES - 1), noiseOnlyIdeal: idealChange / idealPairs };
}

async function measureLag(driver: Driver, sequence: SequenceCase): Promise<VariantResult['lag']> {
  driver.processor.view = 'mask';
  const truths: GroundTruth[] = [];
  const outputs: Pixels[] = [];
  for (let i = 0; i < sequence.frames.length; i++) {
    const bitmap = await loadBitmap(sequence.frames[i]!);
    outputs.push(await driver.process(bitmap));
    bitmap.close();
    truths.push(await loadGroundTruth(sequence.masks[i]!));
  }
  const iouByLag: number[] = [];
  for (let lag = 0; lag <= MAX_LAG; lag++) {
    let sum = 0;
    let n = 0;
    for (let t = MAX_LAG + 3; t < outputs.length; t++) {
      sum += iou(outputs[t]!, truths[t - lag]!);
      n++;
    }
    iouByLag.push(sum / n);
  }
  const best = iouByLag.indexOf(Math.max(...iouByLag));
  return { sequence: sequence.name, iouByLag, lagFrames: best };
}

/** Runs every variant on every input; called by scripts/quality.mjs. */
export async function runQuality(
  variants: readonly MaskRefinement[],
  stills: readonly StillCase[],
  sequences: readonly SequenceCase[],
  log: (line: string) => void,
  renderer: 'auto' | 'gpu' = 'gpu',
): Promise<VariantResult[]> {
  const results: VariantResult[] = [];
  const warmup = await loadBitmap(stills[0]!.image);
  for (const variant of variants) {
    const driver = new Driver(variant, renderer);
    await driver.start(warmup);
    log(`${variant}: stills`);
    const stillResults = await measureStills(driver, stills);
    log(`${variant}: flicker`);
    const flicker = await measureFlicker(driver, stills[0]!);
    log(`${variant}: lag`);
    const lag = sequences[0] ? await measureLag(driver, sequences[0]) : null;
    await driver.stop();
    results.push({ variant, stills: stillResults, flicker, lag });
  }
  warmup.close();
  return results;
}

declare global {
  interface Window {
    runQuality: typeof runQuality;
  }
}
window.runQuality = runQuality;
document.title = 'ready';
