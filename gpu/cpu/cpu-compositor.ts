import { CpuMaskRefiner } from '../canvas2d/cpu-mask-refiner.js';
import type { Compositor, CompositorTimings, ConfidenceMask, MaskRefinement, RenderParams } from '../compositor.js';
import { frameSize } from '../frame-size.js';
import { gaussianKernel, planBlur, type GaussianKernel } from '../gaussian-kernel.js';
import { halveRgb, halveRgba, resampleToImageData } from './box-downscale.js';
import { RgbGaussianBlur } from './rgb-gaussian-blur.js';
import { emptyRgbImage, type RgbImage } from './rgb-image.js';
import { RgbaCompositePass, type PersonMask } from './rgba-composite.js';

/** The CPU renderer never blurs at full size: its smallest downsample is 2. */
const MIN_DOWNSAMPLE = 2;

/**
 * The renderer for machines whose only GPU is a software one (SwiftShader,
 * llvmpipe, a WebGPU fallback adapter). There, one full-screen 720p GPU pass
 * costs ~60 ms of CPU, while this whole pipeline in plain typed-array loops
 * costs ~15 ms: copy the frame's RGBA once, halve it (the model's input and
 * the blur both start from that copy), blur a small copy, and mix in place.
 * The output is a new RGBA VideoFrame with the input's timestamp.
 */
export class CpuCompositor implements Compositor {
  readonly name = 'cpu';
  /** Nothing on a GPU. */
  readonly gpuBytes = 0;
  private readonly refiner = new CpuMaskRefiner();
  private readonly blur = new RgbGaussianBlur();
  private readonly pass = new RgbaCompositePass();
  private rgba = new Uint8ClampedArray(0);
  /** The frame whose pixels `rgba` and `pyramid` hold, so `render` reuses what `prepareModelInput` copied. */
  private loadedFrame: VideoFrame | null = null;
  private loadedTimestamp = -1;
  /** pyramid[0] is the frame halved, each next level halves again. */
  private readonly pyramid: RgbImage[] = [emptyRgbImage(), emptyRgbImage(), emptyRgbImage()];
  private pyramidLevels = 0;
  private readonly blurred = emptyRgbImage();
  private mask: PersonMask | null = null;
  private maskData = new Float32Array(0);
  private kernel: { sigma: number; downsample: number; kernel: GaussianKernel } | null = null;

  get hasMask(): boolean {
    return this.mask !== null;
  }

  async prepareModelInput(frame: VideoFrame, width: number, height: number, timings: CompositorTimings): Promise<ImageData> {
    await this.load(frame, timings);
    const started = performance.now();
    // The smallest level still at least as large as the model's input, so nothing is upsampled much.
    let level = 0;
    while (level + 1 < this.pyramid.length && this.level(level + 1).width >= width && this.level(level + 1).height >= height * 0.75) level++;
    const image = resampleToImageData(this.level(level), width, height);
    timings.scale = (timings.scale ?? 0) + performance.now() - started;
    return image;
  }

  async pushMask(mask: ConfidenceMask, refinement: MaskRefinement, timings: CompositorTimings): Promise<void> {
    const started = performance.now();
    this.refiner.push(mask, refinement);
    const { width, height } = this.refiner.size;
    if (this.maskData.length !== width * height) this.maskData = new Float32Array(width * height);
    this.refiner.averageFloatInto(this.maskData);
    this.mask = { width, height, data: this.maskData };
    timings.refine = performance.now() - started;
  }

  clearMasks(): void {
    this.refiner.clear();
    this.mask = null;
  }

  async render(frame: VideoFrame, params: RenderParams, timings: CompositorTimings): Promise<VideoFrame> {
    await this.load(frame, timings);
    const { width, height } = frameSize(frame);
    if (params.view === 'mask') {
      const started = performance.now();
      this.pass.maskView(this.rgba, width, height, this.mask);
      timings.composite = performance.now() - started;
    } else {
      const blurStarted = performance.now();
      const { downsample, kernel } = this.blurKernel(params.sigma);
      const small = this.level(Math.log2(downsample) - 1);
      this.blur.blur(small, kernel, this.blurred);
      timings.blur = performance.now() - blurStarted;
      const compositeStarted = performance.now();
      this.pass.composite(this.rgba, width, height, this.blurred, this.mask);
      timings.composite = performance.now() - compositeStarted;
    }
    const outputStarted = performance.now();
    const output = new VideoFrame(this.rgba, {
      format: 'RGBA',
      codedWidth: width,
      codedHeight: height,
      timestamp: frame.timestamp,
      ...(frame.duration !== null ? { duration: frame.duration } : {}),
    });
    // The buffer now holds the composite, not the frame: the next call must copy again.
    this.loadedFrame = null;
    timings.composite = (timings.composite ?? 0) + performance.now() - outputStarted;
    return output;
  }

  destroy(): void {
    this.refiner.clear();
    this.mask = null;
    this.loadedFrame = null;
    this.rgba = new Uint8ClampedArray(0);
    for (const level of this.pyramid) level.data = new Float32Array(0);
    this.blurred.data = new Float32Array(0);
  }

  /** Copies the frame's pixels out once and halves them; later calls for the same frame reuse both. */
  private async load(frame: VideoFrame, timings: CompositorTimings): Promise<void> {
    if (this.loadedFrame === frame && this.loadedTimestamp === frame.timestamp) return;
    const started = performance.now();
    const { width, height } = frameSize(frame);
    const size = width * height * 4;
    if (this.rgba.length !== size) this.rgba = new Uint8ClampedArray(size);
    await frame.copyTo(this.rgba, { format: 'RGBA', layout: [{ offset: 0, stride: width * 4 }] });
    timings.upload = performance.now() - started;
    const scaleStarted = performance.now();
    halveRgba(this.rgba, width, height, this.pyramid[0]!);
    this.pyramidLevels = 1;
    timings.scale = performance.now() - scaleStarted;
    this.loadedFrame = frame;
    this.loadedTimestamp = frame.timestamp;
  }

  /** Pyramid level `index` (0 is half size), built on first use for this frame. */
  private level(index: number): RgbImage {
    while (this.pyramidLevels <= index) {
      halveRgb(this.pyramid[this.pyramidLevels - 1]!, this.pyramid[this.pyramidLevels]!);
      this.pyramidLevels++;
    }
    return this.pyramid[index]!;
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
