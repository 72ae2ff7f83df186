/**
 * The quality harness's page side (`npm run quality` drives it): feeds known
 * frames through the public BlurProcessor and reads each output frame back by
 * its timestamp, then measures the edges against ground truth. Two ways of
 * feeding: one frame at a time (each written once the last one's output is
 * back, so none is dropped), and in real time (a camera's 30 fps clock that
 * never waits for outputs, so the pipeline's overlapped stages and the
 * frame-budget governor act as in a call; dropped frames are simply missing).
 */
import { BlurProcessor } from '../../dist/blur-camera.js';
import type { MaskRefinement } from '../../dist/blur-camera.js';
import { bitmapPixels, framePixels, loadBitmap, type Pixels } from '../helpers/frames.js';
import { gaussianBlurAt } from '../helpers/gaussian-blur.js';
import { loadGroundTruth, type GroundTruth } from '../helpers/image-metrics.js';
import type { PipelineStats } from '../../dist/blur-camera.js';

export interface StillCase {
  readonly name: string;
  readonly image: string;
  readonly mask: string;
}

/** A moving input with a true mask per frame: JPEG frames, or one MJPEG clip (JPEGs concatenated). */
export interface ClipCase {
  readonly name: string;
  /** One URL per frame, or one URL of an MJPEG clip to split into frames. */
  readonly frames: readonly string[] | { readonly mjpeg: string };
  /** One mask per frame; the clip is cut to this many frames. */
  readonly masks: readonly string[];
}

export type FeedMode = 'one-at-a-time' | 'real-time';
export type Level = 0 | 1 | 2;

/** What one variant's run measures; built by scripts/quality.mjs from its flags. */
export interface QualityPlan {
  readonly renderer: 'auto' | 'gpu';
  /** Stills for the stills table (empty: none, and no composite flicker). */
  readonly stills: readonly StillCase[];
  /** The still for mask flicker (and the warm-up frame). */
  readonly flickerStill: StillCase;
  readonly clips: readonly ClipCase[];
  readonly modes: readonly FeedMode[];
  /** Governor levels for the real-time feed (one-at-a-time runs with the governor off, level 0). */
  readonly levels: readonly Level[];
  /** The guided edge's hold for the `guided` variant (the edgeHold test hook), 0–1; absent: the product's EDGE_HOLD. */
  readonly edgeHold?: number;
}

const SIGMAS = [4, 8, 16] as const;
const HALO_BAND_PX = 12;
const FLICKER_FRAMES = 60;
const NOISE_SIGMA = 2; // in 0–255 units, as a real sensor gives
const MAX_LAG = 3;
const FRAME_US = 33_333;
const FRAME_MS = 1000 / 30;
/** Noisy frames for mask flicker. */
const MASK_FLICKER_FRAMES = 45;
/** Frames of a clip's first picture fed before it, so the pipeline (and its mask mean) starts on this clip, as a camera already running. */
const LEAD_IN_FRAMES = 30;

/** A refinement, or `guided-unheld`: the guided edge with its hold turned off (the `edgeHold` test hook), to measure what the hold does. */
export type QualityVariant = MaskRefinement | 'guided-unheld';

/** Drives one BlurProcessor with frames written one at a time, so that none is dropped. */
class Driver {
  private readonly generator = new MediaStreamTrackGenerator({ kind: 'video' });
  private readonly writer = this.generator.writable.getWriter();
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private timestamp = 0;
  readonly processor: BlurProcessor;

  /** Without `level` the governor is off (as today's one-at-a-time runs); with it, it is on and pinned there. */
  constructor(variant: QualityVariant, renderer: 'auto' | 'gpu', level?: Level, edgeHold?: number) {
    this.processor = new BlurProcessor(this.generator, {
      refinement: variant === 'guided-unheld' ? 'guided' : variant,
      maxTier: 1,
      sigma: 8,
      renderer,
      adaptive: level !== undefined,
      testHooks: { ...(level !== undefined ? { governorLevel: level } : {}), ...(variant === 'guided-unheld' ? { edgeHold: 0 } : variant === 'guided' && edgeHold !== undefined ? { edgeHold } : {}) },
    });
  }

  async start(first: ImageBitmap): Promise<void> {
    // The processor resolves once a first frame is through, so keep one coming until then.
    const feeding = setInterval(() => void this.write(first), 100);
    try {
      const output = await this.processor.start();
      // A deep buffer, so that the harness reading outputs never drops one itself (the pipeline's drops are what is measured).
      this.reader = new MediaStreamTrackProcessor({ track: output, maxBufferSize: 60 }).readable.getReader();
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
      const frame = await this.readNext(deadline - performance.now());
      if (!frame) return null;
      try {
        if (frame.timestamp === timestamp) return framePixels(frame);
      } finally {
        frame.close();
      }
    }
  }

  /** The next output frame (the caller closes it), or null after `timeoutMs`; a read still pending then is kept for the next call. */
  private async readNext(timeoutMs: number): Promise<VideoFrame | null> {
    if (timeoutMs <= 0) return null;
    const next = this.pending ?? this.reader!.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([next, new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); })]);
    clearTimeout(timer);
    if (result === null) {
      this.pending = next;
      return null;
    }
    this.pending = null;
    const { value, done } = result;
    if (done || !value) throw new Error('the output ended');
    this.received++;
    return value;
  }

  private pending: Promise<ReadableStreamReadResult<VideoFrame>> | null = null;
  /** Output frames read, all of them: the pipeline's framesOut, unless this side lost some. */
  received = 0;

  /**
   * Writes `frames` on a 30 fps clock, as a camera does, never waiting for
   * outputs, after `leadIn` copies of the first; returns each frame's output
   * mask (red channel) by timestamp, null where the pipeline dropped it.
   */
  async feedRealTime(frames: readonly ImageBitmap[], leadIn: number): Promise<{ outputs: (Uint8Array | null)[]; lateMs: number[] }> {
    const first = this.timestamp + FRAME_US;
    const total = leadIn + frames.length;
    const last = first + (total - 1) * FRAME_US;
    this.timestamp = last;
    const outputs: (Uint8Array | null)[] = frames.map(() => null);
    let fed = false;
    const reading = (async () => {
      for (;;) {
        // While frames go in, a long silence means a stuck pipeline; once all are in, a short one means the last were dropped.
        const frame = await this.readNext(fed ? 3000 : 15_000);
        if (!frame) return;
        const timestamp = frame.timestamp;
        try {
          const index = Math.round((timestamp - first) / FRAME_US) - leadIn;
          if (index >= 0 && index < frames.length) outputs[index] = redChannel(frame);
        } finally {
          frame.close();
        }
        if (timestamp >= last) return;
      }
    })();
    const lateMs: number[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      // Due times from the start, not from the last write, so that late timers do not slow the clock down.
      const wait = start + i * FRAME_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lateMs.push(performance.now() - (start + i * FRAME_MS));
      const frame = new VideoFrame(frames[Math.max(0, i - leadIn)]!, { timestamp: first + i * FRAME_US, duration: FRAME_US });
      this.writer.write(frame).catch(() => undefined).finally(() => frame.close());
    }
    fed = true;
    await reading;
    return { outputs, lateMs };
  }

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

export interface ClipResult {
  readonly clip: string;
  readonly frames: number;
  /** Frames with an output (all of them one at a time; the rest were dropped in real time). */
  readonly delivered: number;
  /** Means over the delivered frames, each output against its own frame's truth (lag 0). */
  readonly iou: number;
  readonly boundaryIou: number;
  /** RVM's dtSSD ×100 over consecutive delivered frames. */
  readonly dtSSD: number;
  /** Mean IoU of the delivered outputs against the truth `lag` frames earlier, lag 0…3 (the first frames left out). */
  readonly iouByLag: number[];
  /** The lag whose truth best matches the outputs. */
  readonly lagFrames: number;
}

/** One way of feeding: one at a time (governor off), or real time with the governor pinned at `level`. */
export interface MotionResult {
  readonly mode: FeedMode;
  readonly level: Level;
  /** Mean |mask(k+1) − mask(k)| (0–255) within 12 px of the true edge, consecutive delivered masks of a noisy still. */
  readonly maskFlicker: number;
  /** Each pair's change, in order (a mean can hide one bad frame). */
  readonly maskFlickerPairs: number[];
  readonly clips: ClipResult[];
  /** Real time: how late the writes were against the 30 fps clock, ms, mean and max over every clip's frames (0 one at a time). */
  readonly clockLateMs: { readonly mean: number; readonly max: number };
  /** What the pipeline reported at the end: the level and model in force, frames in, out and dropped. */
  readonly adaptation: PipelineStats['adaptation'];
  readonly framesIn: number;
  readonly framesOut: number;
  readonly framesDropped: number;
  /** Output frames the harness read (should equal framesOut). */
  readonly framesRead: number;
}

export interface VariantResult {
  readonly variant: QualityVariant;
  readonly stills: StillResult[];
  /** Composite flicker on the first still, one at a time; null without stills. */
  readonly flicker: { readonly output: number; readonly noiseOnlyIdeal: number } | null;
  readonly motion: MotionResult[];
}

const blurCache = new Map<string, Float32Array>();

/** The light wrap measured beside none (the product ships none: it measured worse with the guided edge). */
const LIGHT_WRAP_TRIED = 0.5;

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
    const wrapBefore = driver.processor.lightWrap;
    for (const [key, wrap] of [['wrapOff', 0], ['wrapOn', LIGHT_WRAP_TRIED]] as const) {
      driver.processor.lightWrap = wrap;
      // The picture is fitted in the worker; give it frames to arrive.
      for (let i = 0; i < 3; i++) await driver.process(bitmap);
      replacementHalo[key] = softReplacementHalo(await driver.process(bitmap), input, pictureRgba, truth, haloBand);
    }
    driver.processor.background = 'blur';
    driver.processor.lightWrap = wrapBefore;
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

/** The red channel of a frame (the mask, with view 'mask'), read through one reused canvas. */
let redCanvas: OffscreenCanvasRenderingContext2D | null = null;
function redChannel(frame: VideoFrame): Uint8Array {
  const width = frame.displayWidth;
  const height = frame.displayHeight;
  if (!redCanvas || redCanvas.canvas.width !== width || redCanvas.canvas.height !== height) {
    redCanvas = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  }
  redCanvas.drawImage(frame, 0, 0);
  const { data } = redCanvas.getImageData(0, 0, width, height);
  const red = new Uint8Array(width * height);
  for (let i = 0; i < red.length; i++) red[i] = data[i * 4]!;
  return red;
}

function maskIou(mask: Uint8Array, truth: GroundTruth, region?: Uint8Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < truth.person.length; i++) {
    if (region && !region[i]) continue;
    const predicted = mask[i]! >= 128;
    const actual = truth.person[i] === 1;
    if (predicted && actual) intersection++;
    if (predicted || actual) union++;
  }
  return union === 0 ? 1 : intersection / union;
}

/** RVM's dtSSD for one pair of frames: √(mean(((p_t − p_s) − (g_t − g_s))²)) × 100, p and g in 0–1. */
function dtSSD(p: Uint8Array, pPrevious: Uint8Array, g: GroundTruth, gPrevious: GroundTruth): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const d = (p[i]! - pPrevious[i]!) / 255 - (g.person[i]! - gPrevious.person[i]!);
    sum += d * d;
  }
  return Math.sqrt(sum / p.length) * 100;
}

/** Splits an MJPEG clip into its JPEGs: each runs from an SOI (FF D8) to the EOI (FF D9) that the next SOI follows. */
function splitMjpeg(bytes: Uint8Array<ArrayBuffer>): Blob[] {
  const frames: Blob[] = [];
  let start = 0;
  for (let i = 2; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9 && bytes[i + 2] === 0xff && bytes[i + 3] === 0xd8) {
      frames.push(new Blob([bytes.subarray(start, i + 2)], { type: 'image/jpeg' }));
      start = i + 2;
      i += 3;
    }
  }
  if (start < bytes.length) frames.push(new Blob([bytes.subarray(start)], { type: 'image/jpeg' }));
  return frames;
}

interface DecodedClip {
  readonly bitmaps: ImageBitmap[];
  readonly truths: GroundTruth[];
  /** The 2%-of-diagonal band around the true edge, per frame. */
  readonly boundaries: Uint8Array[];
}

/** Clips decoded once per page (before any feeding, so decoding never disturbs the clock), kept for every variant. */
const clipCache = new Map<string, Promise<DecodedClip>>();

function decodeClip(clip: ClipCase): Promise<DecodedClip> {
  let decoded = clipCache.get(clip.name);
  if (!decoded) {
    decoded = (async () => {
      let sources: Blob[];
      if ('mjpeg' in clip.frames) {
        const response = await fetch(clip.frames.mjpeg);
        if (!response.ok) throw new Error(`${clip.frames.mjpeg}: HTTP ${response.status}`);
        sources = splitMjpeg(new Uint8Array(await response.arrayBuffer()));
      } else {
        sources = await Promise.all(clip.frames.map(async (url) => {
          const response = await fetch(url);
          if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
          return response.blob();
        }));
      }
      if (sources.length < clip.masks.length) throw new Error(`${clip.name}: ${sources.length} frames for ${clip.masks.length} masks`);
      const bitmaps: ImageBitmap[] = [];
      const truths: GroundTruth[] = [];
      const boundaries: Uint8Array[] = [];
      for (let i = 0; i < clip.masks.length; i++) {
        bitmaps.push(await createImageBitmap(sources[i]!));
        const truth = await loadGroundTruth(clip.masks[i]!);
        if (truth.width !== bitmaps[i]!.width || truth.height !== bitmaps[i]!.height) throw new Error(`${clip.masks[i]}: mask size differs from its frame`);
        truths.push(truth);
        boundaries.push(band(truth, 0.02 * Math.hypot(truth.width, truth.height)));
      }
      return { bitmaps, truths, boundaries };
    })();
    clipCache.set(clip.name, decoded);
  }
  return decoded;
}

function scoreClip(name: string, clip: DecodedClip, outputs: readonly (Uint8Array | null)[]): ClipResult {
  let iouSum = 0;
  let boundarySum = 0;
  let delivered = 0;
  let dtSum = 0;
  let dtPairs = 0;
  let previous = -1;
  for (let t = 0; t < outputs.length; t++) {
    const output = outputs[t];
    if (!output) continue;
    delivered++;
    iouSum += maskIou(output, clip.truths[t]!);
    boundarySum += maskIou(output, clip.truths[t]!, clip.boundaries[t]);
    if (previous >= 0) {
      dtSum += dtSSD(output, outputs[previous]!, clip.truths[t]!, clip.truths[previous]!);
      dtPairs++;
    }
    previous = t;
  }
  const iouByLag: number[] = [];
  for (let lag = 0; lag <= MAX_LAG; lag++) {
    let sum = 0;
    let n = 0;
    for (let t = MAX_LAG + 3; t < outputs.length; t++) {
      if (!outputs[t]) continue;
      sum += maskIou(outputs[t]!, clip.truths[t - lag]!);
      n++;
    }
    iouByLag.push(n ? sum / n : NaN);
  }
  return {
    clip: name,
    frames: outputs.length,
    delivered,
    iou: iouSum / delivered,
    boundaryIou: boundarySum / delivered,
    dtSSD: dtPairs ? dtSum / dtPairs : NaN,
    iouByLag,
    lagFrames: iouByLag.indexOf(Math.max(...iouByLag)),
  };
}

/** Mean change between consecutive delivered masks within `where`, 0–255: the mean, and each pair's. */
function maskFlickerOf(masks: readonly (Uint8Array | null)[], where: Uint8Array): Pick<MotionResult, 'maskFlicker' | 'maskFlickerPairs'> {
  const pairs: number[] = [];
  let previous: Uint8Array | null = null;
  for (const mask of masks) {
    if (!mask) continue;
    if (previous) {
      let change = 0;
      let n = 0;
      for (let p = 0; p < where.length; p++) {
        if (!where[p]) continue;
        change += Math.abs(mask[p]! - previous[p]!);
        n++;
      }
      pairs.push(change / n);
    }
    previous = mask;
  }
  return { maskFlicker: pairs.reduce((a, b) => a + b, 0) / pairs.length, maskFlickerPairs: pairs };
}

/** The still with fresh noise in every frame, as bitmaps made before any feeding. */
async function noisyFrames(still: StillCase): Promise<{ frames: ImageBitmap[]; where: Uint8Array }> {
  const bitmap = await loadBitmap(still.image);
  const input = bitmapPixels(bitmap);
  bitmap.close();
  const truth = await loadGroundTruth(still.mask);
  const frames: ImageBitmap[] = [];
  for (let i = 0; i < MASK_FLICKER_FRAMES; i++) frames.push(await createImageBitmap(withNoise(input)));
  return { frames, where: band(truth, HALO_BAND_PX) };
}

/** Feeds each clip and the noisy still one frame at a time (every frame gets its output), with view 'mask'. */
async function oneAtATime(driver: Driver, clips: readonly ClipCase[], noisy: { frames: ImageBitmap[]; where: Uint8Array }, log: (line: string) => void): Promise<Pick<MotionResult, 'clips' | 'maskFlicker' | 'maskFlickerPairs' | 'clockLateMs'>> {
  driver.processor.view = 'mask';
  const clipResults: ClipResult[] = [];
  for (const clip of clips) {
    log(`  ${clip.name}`);
    const decoded = await decodeClip(clip);
    // As in real time: the first picture a while first, so the mask mean holds only this clip.
    for (let i = 0; i < 5; i++) await driver.process(decoded.bitmaps[0]!);
    const outputs: Uint8Array[] = [];
    for (const bitmap of decoded.bitmaps) outputs.push(redOf(await driver.process(bitmap)));
    clipResults.push(scoreClip(clip.name, decoded, outputs));
  }
  log('  mask flicker');
  const masks: Uint8Array[] = [];
  for (let i = 0; i < 5; i++) await driver.process(noisy.frames[0]!);
  for (const frame of noisy.frames) masks.push(redOf(await driver.process(frame)));
  return { clips: clipResults, ...maskFlickerOf(masks, noisy.where), clockLateMs: { mean: 0, max: 0 } };
}

function redOf(pixels: Pixels): Uint8Array {
  const red = new Uint8Array(pixels.width * pixels.height);
  for (let i = 0; i < red.length; i++) red[i] = pixels.data[i * 4]!;
  return red;
}

/** Feeds each clip and the noisy still at 30 fps, never waiting, with view 'mask'. */
async function realTime(driver: Driver, clips: readonly ClipCase[], noisy: { frames: ImageBitmap[]; where: Uint8Array }, log: (line: string) => void): Promise<Pick<MotionResult, 'clips' | 'maskFlicker' | 'maskFlickerPairs' | 'clockLateMs'>> {
  driver.processor.view = 'mask';
  const clipResults: ClipResult[] = [];
  const late: number[] = [];
  for (const clip of clips) {
    log(`  ${clip.name}`);
    const decoded = await decodeClip(clip);
    const { outputs, lateMs } = await driver.feedRealTime(decoded.bitmaps, LEAD_IN_FRAMES);
    late.push(...lateMs);
    clipResults.push(scoreClip(clip.name, decoded, outputs));
  }
  log('  mask flicker');
  const { outputs: masks } = await driver.feedRealTime(noisy.frames, LEAD_IN_FRAMES);
  return { clips: clipResults, ...maskFlickerOf(masks, noisy.where), clockLateMs: { mean: late.reduce((a, b) => a + b, 0) / late.length, max: Math.max(...late) } };
}

/** Runs one variant on every input of the plan; called by scripts/quality.mjs once per variant. */
export async function runQuality(variant: QualityVariant, plan: QualityPlan, log: (line: string) => void): Promise<VariantResult> {
  const warmup = await loadBitmap(plan.flickerStill.image);
  // Everything decoded before any feeding.
  for (const clip of plan.clips) await decodeClip(clip);
  const noisy = await noisyFrames(plan.flickerStill);
  let stills: StillResult[] = [];
  let flicker: VariantResult['flicker'] = null;
  const motion: MotionResult[] = [];
  const runs: { mode: FeedMode; level?: Level }[] = [];
  if (plan.stills.length || plan.modes.includes('one-at-a-time')) runs.push({ mode: 'one-at-a-time' });
  if (plan.modes.includes('real-time')) for (const level of plan.levels) runs.push({ mode: 'real-time', level });
  try {
    for (const run of runs) {
      const driver = new Driver(variant, plan.renderer, run.level, plan.edgeHold);
      await driver.start(warmup);
      try {
        if (run.mode === 'one-at-a-time' && plan.stills.length) {
          log(`${variant}: stills`);
          stills = await measureStills(driver, plan.stills);
          log(`${variant}: flicker`);
          flicker = await measureFlicker(driver, plan.stills[0]!);
        }
        if (!plan.modes.includes(run.mode)) continue;
        log(`${variant}: ${run.mode}${run.level !== undefined ? `, level ${run.level}` : ''}`);
        const measured = run.mode === 'one-at-a-time' ? await oneAtATime(driver, plan.clips, noisy, log) : await realTime(driver, plan.clips, noisy, log);
        // Stats come every 500 ms.
        await new Promise((resolve) => setTimeout(resolve, 1200));
        const stats = driver.processor.stats;
        // The first output or two go out before start() resolves and the reader exists.
        if (stats.framesOut - driver.received > 2) log(`  the pipeline wrote ${stats.framesOut} frames, the harness read only ${driver.received}`);
        motion.push({ mode: run.mode, level: run.level ?? 0, ...measured, adaptation: stats.adaptation, framesIn: stats.framesIn, framesOut: stats.framesOut, framesDropped: stats.framesDropped, framesRead: driver.received });
      } finally {
        await driver.stop();
      }
    }
  } finally {
    warmup.close();
    for (const frame of noisy.frames) frame.close();
  }
  return { variant, stills, flicker, motion };
}

declare global {
  interface Window {
    runQuality: typeof runQuality;
  }
}
window.runQuality = runQuality;
document.title = 'ready';
