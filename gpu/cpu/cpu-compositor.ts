import { CpuMaskRefiner } from './cpu-mask-refiner.js';
import { GuidedMaskFilter } from '../guided-mask-filter.js';
import { BackgroundFitter, renderMode, type Background } from '../background.js';
import type { Compositor, CompositorTimings, ConfidenceMask, MaskRefinement, RenderParams } from '../compositor.js';
import { frameSize } from '../frame-size.js';
import { gaussianKernel, planBlur, type GaussianKernel } from '../gaussian-kernel.js';
import { blurSigma } from '../refine-constants.js';
import { RgbaCopier } from './copy-rgba.js';
import { halveRgb, halveRgba, resampleToImageData } from './box-downscale.js';
import { RgbGaussianBlur } from './rgb-gaussian-blur.js';
import { emptyRgbImage, type RgbImage } from './rgb-image.js';
import { RgbaCompositePass, type PersonMask } from './rgba-composite.js';
import { CompositeBandHelper, type BandCheck } from './composite-band-helper.js';
import type { CpuRendererOptions } from '../backend-descriptor.js';

/** The CPU renderer never blurs at full size: its smallest downsample is 2. */
const MIN_DOWNSAMPLE = 2;

/**
 * One frame's pixels: the RGBA copy (which `render` turns into the output in
 * place) and its pyramid of halved copies. The pipeline has at most two frames
 * in flight (one being segmented, one composited), and a third may be loading.
 */
interface FrameBuffers {
  frame: VideoFrame | null;
  timestamp: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
  /** pyramid[0] is the frame halved, each next level halves again. */
  readonly pyramid: RgbImage[];
  levels: number;
  /** In use by a stage right now: not to be reused for another frame. */
  busy: boolean;
  lastUsed: number;
}

const FRAME_BUFFER_SLOTS = 3;

/**
 * The share of a frame's rows that the helper thread composites. The blur
 * worker also copies, halves, refines and blurs each frame (about 12 ms at
 * 720p, against the composite's 20), so the helper takes more than half.
 */
const HELPER_ROW_SHARE = 0.6;
/** Frames shorter than this are composited on one thread: the hand-over would cost more than it saves. */
const MIN_SPLIT_HEIGHT = 240;


/**
 * The renderer for machines whose only GPU is a software one (SwiftShader,
 * llvmpipe, a WebGPU fallback adapter). There, one full-screen 720p GPU pass
 * costs ~60 ms of CPU, while this whole pipeline in plain typed-array loops
 * costs ~15 ms: copy the frame's RGBA once, halve it (the model's input and
 * the blur both start from that copy), blur a small copy, and mix in place.
 * The output is a new RGBA VideoFrame with the input's timestamp. Where the
 * machine has a second core, the mix of the frame's lower rows runs on a
 * helper thread meanwhile (CompositeBandHelper).
 */
export class CpuCompositor implements Compositor {
  readonly name = 'cpu';
  /** Each frame in flight has its own buffers (see FrameBuffers). */
  readonly overlaps = true;
  /** Nothing on a GPU. */
  readonly gpuBytes = 0;
  private readonly copier = new RgbaCopier();
  private readonly refiner = new CpuMaskRefiner();
  private readonly guided = new GuidedMaskFilter();
  private readonly blur = new RgbGaussianBlur();
  private readonly pass = new RgbaCompositePass();
  private readonly slots: FrameBuffers[] = [];
  private useCounter = 0;
  private readonly blurred = emptyRgbImage();
  private readonly background = new BackgroundFitter();
  private mask: PersonMask | null = null;
  private maskData = new Float32Array(0);
  private kernel: { sigma: number; downsample: number; kernel: GaussianKernel } | null = null;
  private helper: CompositeBandHelper | null = null;
  private helperStarted = false;
  private readonly options: CpuRendererOptions;
  /** The frame's row above the helper's band, as it was: what the guided weight reads if that band comes back here. */
  private helperRowAbove = new Uint8ClampedArray(0);
  /** The mask's values as the helper got them, for rows that come back here after the next frame's push rewrote the mask. */
  private bandMask = new Float32Array(0);
  private destroyed = false;

  constructor(options: CpuRendererOptions = {}) {
    this.options = options;
  }

  /** Starts the composite's second thread, once, where there is a second core (see Compositor.startHelperThreads). */
  startHelperThreads(): void {
    if (this.helperStarted || this.destroyed) return;
    this.helperStarted = true;
    const { startHelperWorker, silenceHelperAfterBands } = this.options;
    const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
    if (startHelperWorker && cores >= 2) this.helper = CompositeBandHelper.start(startHelperWorker, silenceHelperAfterBands);
  }

  get hasMask(): boolean {
    return this.mask !== null;
  }

  /** 2 while the helper thread is ready to take the lower rows of the next frame; else 1. */
  get compositeThreads(): 1 | 2 {
    return this.helper?.usable ? 2 : 1;
  }

  async prepareModelInput(frame: VideoFrame, width: number, height: number, timings: CompositorTimings): Promise<ImageData> {
    const slot = await this.load(frame, timings);
    try {
      const started = performance.now();
      // The smallest level still at least as large as the model's input, so nothing is upsampled much.
      let level = 0;
      while (level + 1 < slot.pyramid.length && this.level(slot, level + 1).width >= width && this.level(slot, level + 1).height >= height * 0.75) level++;
      const image = resampleToImageData(this.level(slot, level), width, height);
      timings.scale = (timings.scale ?? 0) + performance.now() - started;
      return image;
    } finally {
      slot.busy = false;
    }
  }

  async pushMask(mask: ConfidenceMask, guide: ImageData, refinement: MaskRefinement, timings: CompositorTimings): Promise<void> {
    const started = performance.now();
    if (refinement === 'guided') {
      this.refiner.clear();
      // The coefficients' array is the filter's own and is rewritten by the next push; a render reads it synchronously.
      this.mask = { kind: 'guided', ...this.guided.push(mask, guide) };
      timings.refine = performance.now() - started;
      return;
    }
    this.guided.clear();
    this.refiner.push(mask, refinement);
    const { width, height } = this.refiner.size;
    // One array is enough: a render reads the mask only in its synchronous part, which a push cannot interrupt.
    if (this.maskData.length !== width * height) this.maskData = new Float32Array(width * height);
    this.refiner.averageFloatInto(this.maskData);
    this.mask = { kind: 'confidence', width, height, data: this.maskData };
    timings.refine = performance.now() - started;
  }

  clearMasks(): void {
    this.refiner.clear();
    this.guided.clear();
    this.pass.forgetShownWeights();
    this.helper?.forgetShownWeights();
    this.mask = null;
  }

  setBackground(background: Background): void {
    this.background.set(background);
  }

  async render(frame: VideoFrame, params: RenderParams, timings: CompositorTimings): Promise<VideoFrame> {
    const slot = await this.load(frame, timings);
    try {
      const { width, height } = frameSize(frame);
      const mask = this.mask;
      this.pass.edgeHold = params.edgeHold;
      const mode = renderMode(this.background.current, mask !== null);
      if (params.view === 'mask') {
        const started = performance.now();
        this.pass.maskView(slot.rgba, width, height, mask);
        this.helper?.forgetShownWeights();
        timings.composite = performance.now() - started;
      } else if (mode === 'none') {
        // The effect is off (the user's choice): the frame's own pixels, already in the buffer.
      } else if (mode === 'replace' && mask) {
        const started = performance.now();
        const fitted = this.background.fit(width, height)!;
        this.pass.replace(slot.rgba, width, height, fitted.pixels.data, { width: fitted.light.width, height: fitted.light.height, data: fitted.lightRgb }, mask, params.lightWrap);
        this.helper?.forgetShownWeights();
        timings.composite = performance.now() - started;
      } else {
        const blurStarted = performance.now();
        const { downsample, kernel } = this.blurKernel(blurSigma(params.sigma, mask !== null));
        const small = this.level(slot, Math.log2(downsample) - 1);
        this.blur.blur(small, kernel, this.blurred);
        timings.blur = performance.now() - blurStarted;
        const compositeStarted = performance.now();
        await this.composite(slot.rgba, width, height, downsample, mask, params.edgeHold, timings);
        timings.composite = performance.now() - compositeStarted;
      }
      const outputStarted = performance.now();
      const output = new VideoFrame(slot.rgba, {
        format: 'RGBA',
        codedWidth: width,
        codedHeight: height,
        timestamp: frame.timestamp,
        ...(frame.duration !== null ? { duration: frame.duration } : {}),
      });
      timings.composite = (timings.composite ?? 0) + performance.now() - outputStarted;
      return output;
    } finally {
      // The buffer now holds the composite, not the frame.
      slot.frame = null;
      slot.busy = false;
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.helper?.destroy();
    this.helper = null;
    this.refiner.clear();
    this.guided.clear();
    this.background.clear();
    this.mask = null;
    this.slots.length = 0;
    this.blurred.data = new Float32Array(0);
  }

  /**
   * The blurred copy mixed with the frame, in place: the top rows here, the
   * bottom rows on the helper's thread at the same time where it is running.
   * Rows the helper fails to return are composited here: none leaves raw.
   */
  private async composite(rgba: Uint8ClampedArray, width: number, height: number, downsample: number, mask: PersonMask | null, edgeHold: number, timings: CompositorTimings): Promise<void> {
    if (this.helper?.isEnded) this.helper = null;
    const helper = this.helper;
    if (!helper?.usable || height < MIN_SPLIT_HEIGHT) {
      this.pass.composite(rgba, width, height, this.blurred, downsample, mask);
      // This thread showed every row: the weights the helper kept for its rows are stale.
      helper?.forgetShownWeights();
      return;
    }
    const split = Math.round(height * (1 - HELPER_ROW_SHARE));
    const rowBytes = width * 4;
    if (this.helperRowAbove.length !== rowBytes) this.helperRowAbove = new Uint8ClampedArray(rowBytes);
    this.helperRowAbove.set(rgba.subarray((split - 1) * rowBytes, split * rowBytes));
    // The mask is the filter's own array, which the next frame's push rewrites while this render waits for the helper.
    const bandMask = mask && this.keepMask(mask);
    // Until a band of the helper's has matched this thread's composite of the same rows, byte for byte, it is not trusted.
    const check = helper.trusted ? undefined : this.bandCheck(rgba, width, height, split, downsample, bandMask, edgeHold);
    // The helper's rows are copied out before this thread overwrites the row above them.
    const answered = helper.composite(rgba, width, height, split, this.blurred, downsample, bandMask, edgeHold, check);
    this.pass.composite(rgba, width, height, this.blurred, downsample, mask, { first: 0, last: split, origin: 0 });
    const bandMs = await answered;
    if (this.destroyed) throw new Error('the CPU renderer was released while it composited this frame');
    if (bandMs !== null) {
      timings.band = bandMs;
      return;
    }
    // The helper failed, and its rows still hold the frame. What this pass kept for them is stale: the helper showed them.
    this.pass.forgetShownWeights(split);
    this.pass.composite(rgba, width, height, this.blurred, downsample, bandMask, { first: split, last: height, origin: 0, above: this.helperRowAbove });
  }

  /** A copy of `mask` in this compositor's own array. */
  private keepMask(mask: PersonMask): PersonMask {
    const values = mask.width * mask.height * (mask.kind === 'guided' ? 4 : 1);
    if (this.bandMask.length < values) this.bandMask = new Float32Array(values);
    this.bandMask.set(mask.data.subarray(0, values));
    return { kind: mask.kind, width: mask.width, height: mask.height, data: this.bandMask.subarray(0, values) };
  }

  /**
   * The check of a helper's first band: this thread composites the same rows
   * (from the frame, before any are overwritten) with a pass of its own, as
   * new as the helper's, and the answer must match it byte for byte.
   */
  private bandCheck(rgba: Uint8ClampedArray, width: number, height: number, split: number, downsample: number, mask: PersonMask | null, edgeHold: number): BandCheck {
    const rowBytes = width * 4;
    const expected = rgba.slice((split - 1) * rowBytes, height * rowBytes);
    const pass = new RgbaCompositePass();
    pass.edgeHold = edgeHold;
    pass.composite(expected, width, height, this.blurred, downsample, mask, { first: split, last: height, origin: split - 1 });
    return (band) => {
      let differing = 0;
      for (let i = 0; i < expected.length; i++) if (band[i] !== expected[i]) differing++;
      return differing === 0 ? null : `its first band differed from this thread's composite of the same rows in ${differing} of ${expected.length} bytes`;
    };
  }

  /**
   * The buffers holding `frame`, copied out and halved once; later calls for the
   * same frame reuse them. The slot is busy until the caller releases it.
   */
  private async load(frame: VideoFrame, timings: CompositorTimings): Promise<FrameBuffers> {
    let slot = this.slots.find((s) => s.frame === frame && s.timestamp === frame.timestamp && !s.busy);
    if (slot) {
      slot.busy = true;
      slot.lastUsed = ++this.useCounter;
      return slot;
    }
    slot = this.freeSlot();
    slot.busy = true;
    slot.lastUsed = ++this.useCounter;
    slot.frame = null;
    const started = performance.now();
    const { width, height } = frameSize(frame);
    const size = width * height * 4;
    if (slot.rgba.length !== size) slot.rgba = new Uint8ClampedArray(size);
    try {
      await this.copier.copy(frame, slot.rgba, width);
    } catch (error) {
      slot.busy = false;
      throw error;
    }
    timings.upload = performance.now() - started;
    const scaleStarted = performance.now();
    halveRgba(slot.rgba, width, height, slot.pyramid[0]!);
    slot.levels = 1;
    timings.scale = performance.now() - scaleStarted;
    slot.frame = frame;
    slot.timestamp = frame.timestamp;
    return slot;
  }

  /** A slot no stage is using: an unused one first, else the least recently used. */
  private freeSlot(): FrameBuffers {
    const idle = this.slots.filter((s) => !s.busy);
    const empty = idle.find((s) => s.frame === null);
    if (empty) return empty;
    if (this.slots.length < FRAME_BUFFER_SLOTS) {
      const slot: FrameBuffers = { frame: null, timestamp: -1, rgba: new Uint8ClampedArray(0), pyramid: [emptyRgbImage(), emptyRgbImage(), emptyRgbImage()], levels: 0, busy: false, lastUsed: 0 };
      this.slots.push(slot);
      return slot;
    }
    const oldest = idle.sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!oldest) throw new Error('every frame buffer is in use');
    return oldest;
  }

  /** Pyramid level `index` of a slot (0 is half size), built on first use for its frame. */
  private level(slot: FrameBuffers, index: number): RgbImage {
    while (slot.levels <= index) {
      halveRgb(slot.pyramid[slot.levels - 1]!, slot.pyramid[slot.levels]!);
      slot.levels++;
    }
    return slot.pyramid[index]!;
  }

  private blurKernel(sigma: number): { downsample: number; kernel: GaussianKernel } {
    if (this.kernel?.sigma === sigma) return this.kernel;
    const plan = planBlur(sigma);
    const downsample = Math.min(8, Math.max(MIN_DOWNSAMPLE, plan.downsample));
    // Same variance bookkeeping as planBlur, for the downsample actually used.
    const d = downsample;
    const remaining = Math.max(sigma * sigma - ((d * d - 1) / 12 + (d * d) / 6), (0.5 * d) ** 2);
    this.kernel = { sigma, downsample, kernel: gaussianKernel(Math.sqrt(remaining) / d) };
    return this.kernel;
  }
}
