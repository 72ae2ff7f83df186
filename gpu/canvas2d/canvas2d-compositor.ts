import { BackgroundFitter, renderMode, type Background } from '../background.js';
import type { Compositor, CompositorTimings, ConfidenceMask, MaskRefinement, RenderParams } from '../compositor.js';
import { frameSize } from '../frame-size.js';
import { planBlur } from '../gaussian-kernel.js';
import { CpuFrameScaler } from './cpu-frame-scaler.js';
import { CpuMaskRefiner } from './cpu-mask-refiner.js';

type Context2D = OffscreenCanvasRenderingContext2D;

function canvas2d(width: number, height: number): { canvas: OffscreenCanvas; context: Context2D } {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('OffscreenCanvas has no 2d context');
  return { canvas, context };
}

function resize(target: { canvas: OffscreenCanvas }, width: number, height: number): void {
  if (target.canvas.width !== width) target.canvas.width = width;
  if (target.canvas.height !== height) target.canvas.height = height;
}

/**
 * Tier 4's compositor, with no GPU API: the refined mask is computed in JS,
 * the background is blurred by the canvas `blur()` filter on a downsampled,
 * edge-padded copy (so the frame's border is not darkened by transparent
 * pixels beyond it), and the person is cut out with the mask as alpha.
 */
export class Canvas2DCompositor implements Compositor {
  readonly name = 'canvas2d';
  /** Shares its canvases between stages: one frame at a time. */
  readonly overlaps = false;
  /** The browser decides where canvases live; not countable here. */
  readonly gpuBytes = null;
  private readonly refiner = new CpuMaskRefiner();
  private readonly output = canvas2d(1, 1);
  private readonly scaler = new CpuFrameScaler();
  private readonly padded = canvas2d(1, 1);
  private readonly blurred = canvas2d(1, 1);
  private readonly person = canvas2d(1, 1);
  private readonly mask = canvas2d(1, 1);
  /** The light wrap's weight, lightWrap × (1 − mask), as alpha at the mask's size; then the light, cut to it. */
  private readonly wrap = canvas2d(1, 1);
  private wrapFor = { maskVersion: -1, lightWrap: -1, backgroundVersion: -1 };
  private maskVersion = 0;
  private maskDirty = true;
  private maskView: RenderParams['view'] = 'composite';
  private readonly background = new BackgroundFitter();

  get hasMask(): boolean {
    return this.refiner.count > 0;
  }

  async prepareModelInput(frame: VideoFrame, width: number, height: number, timings: CompositorTimings): Promise<ImageData> {
    const started = performance.now();
    const image = await this.scaler.scale(frame, width, height);
    timings.upload = this.scaler.lastCopyMs;
    timings.scale = performance.now() - started - this.scaler.lastCopyMs;
    return image;
  }

  async pushMask(mask: ConfidenceMask, refinement: MaskRefinement, timings: CompositorTimings): Promise<void> {
    const started = performance.now();
    this.refiner.push(mask, refinement);
    this.maskDirty = true;
    timings.refine = performance.now() - started;
  }

  clearMasks(): void {
    this.refiner.clear();
    this.maskDirty = true;
  }

  setBackground(background: Background): void {
    this.background.set(background);
  }

  async render(frame: VideoFrame, params: RenderParams, timings: CompositorTimings): Promise<VideoFrame> {
    const { width, height } = frameSize(frame);
    const mode = params.view === 'mask' ? 'blur' : renderMode(this.background.current, this.hasMask);
    if (mode === 'replace') return this.replace(frame, width, height, params, timings);
    const blurStarted = performance.now();
    if (mode === 'blur') this.blurBackground(frame, width, height, params.sigma);
    timings.blur = performance.now() - blurStarted;

    const compositeStarted = performance.now();
    resize(this.output, width, height);
    const out = this.output.context;
    out.globalCompositeOperation = 'source-over';
    out.imageSmoothingEnabled = true;
    out.imageSmoothingQuality = 'high';
    const maskCanvas = this.hasMask ? this.updateMaskCanvas(params.view) : null;
    if (params.view === 'mask') {
      out.fillStyle = 'black';
      out.fillRect(0, 0, width, height);
      if (maskCanvas) out.drawImage(maskCanvas, 0, 0, width, height);
    } else if (mode === 'none') {
      // The effect is off (the user's choice): the frame as it is.
      out.drawImage(frame, 0, 0, width, height);
    } else {
      out.drawImage(this.blurred.canvas, 0, 0, width, height);
      if (maskCanvas) {
        // The person: the frame, with the upscaled mask as its alpha, over the blurred room.
        resize(this.person, width, height);
        const person = this.person.context;
        person.globalCompositeOperation = 'copy';
        person.imageSmoothingEnabled = true;
        person.imageSmoothingQuality = 'high';
        person.drawImage(maskCanvas, 0, 0, width, height);
        person.globalCompositeOperation = 'source-in';
        person.drawImage(frame, 0, 0, width, height);
        out.drawImage(this.person.canvas, 0, 0);
      }
    }
    const output = new VideoFrame(this.output.canvas, {
      timestamp: frame.timestamp,
      ...(frame.duration !== null ? { duration: frame.duration } : {}),
    });
    timings.composite = performance.now() - compositeStarted;
    return output;
  }

  destroy(): void {
    this.refiner.clear();
    this.background.clear();
    for (const target of [this.output, this.padded, this.blurred, this.person, this.mask, this.wrap]) resize(target, 1, 1);
  }

  /**
   * The fitted background, then the person over it: the frame with the light
   * wrap drawn over it (the background's light, with lightWrap × (1 − mask)
   * as alpha), cut out with the mask as alpha.
   */
  private replace(frame: VideoFrame, width: number, height: number, params: RenderParams, timings: CompositorTimings): VideoFrame {
    const started = performance.now();
    const fitted = this.background.fit(width, height)!;
    const maskCanvas = this.updateMaskCanvas('composite');
    resize(this.output, width, height);
    const out = this.output.context;
    out.globalCompositeOperation = 'copy';
    out.drawImage(fitted.canvas, 0, 0);
    resize(this.person, width, height);
    const person = this.person.context;
    person.imageSmoothingEnabled = true;
    person.imageSmoothingQuality = 'high';
    person.globalCompositeOperation = 'copy';
    person.drawImage(frame, 0, 0, width, height);
    if (params.lightWrap > 0) {
      person.globalCompositeOperation = 'source-over';
      person.drawImage(this.updateWrapCanvas(maskCanvas, fitted.lightCanvas, fitted.version, params.lightWrap), 0, 0, width, height);
    }
    person.globalCompositeOperation = 'destination-in';
    person.drawImage(maskCanvas, 0, 0, width, height);
    out.globalCompositeOperation = 'source-over';
    out.drawImage(this.person.canvas, 0, 0);
    const output = new VideoFrame(this.output.canvas, {
      timestamp: frame.timestamp,
      ...(frame.duration !== null ? { duration: frame.duration } : {}),
    });
    timings.composite = performance.now() - started;
    return output;
  }

  /** The light, with lightWrap × (1 − mask) as alpha, at the mask's size; redrawn when the mask, strength or light change. */
  private updateWrapCanvas(maskCanvas: OffscreenCanvas, light: OffscreenCanvas, lightVersion: number, lightWrap: number): OffscreenCanvas {
    const wanted = this.wrapFor;
    if (wanted.maskVersion === this.maskVersion && wanted.lightWrap === lightWrap && wanted.backgroundVersion === lightVersion) return this.wrap.canvas;
    const { width, height } = maskCanvas;
    resize(this.wrap, width, height);
    const wrap = this.wrap.context;
    const image = new ImageData(width, height);
    const data = image.data;
    this.refiner.averageFloatInto(this.wrapWeights(width * height));
    const weights = this.wrapWeightsArray;
    for (let i = 0; i < width * height; i++) data[i * 4 + 3] = Math.round(lightWrap * (1 - weights[i]!) * 255);
    wrap.putImageData(image, 0, 0);
    wrap.globalCompositeOperation = 'source-in';
    wrap.imageSmoothingEnabled = true;
    wrap.imageSmoothingQuality = 'high';
    wrap.drawImage(light, 0, 0, width, height);
    wrap.globalCompositeOperation = 'source-over';
    this.wrapFor = { maskVersion: this.maskVersion, lightWrap, backgroundVersion: lightVersion };
    return this.wrap.canvas;
  }

  private wrapWeightsArray = new Float32Array(0);

  private wrapWeights(size: number): Float32Array {
    if (this.wrapWeightsArray.length !== size) this.wrapWeightsArray = new Float32Array(size);
    return this.wrapWeightsArray;
  }

  /** Blurs a downsampled copy, padded by stretching the frame so the edges blur against themselves. */
  private blurBackground(frame: VideoFrame, width: number, height: number, sigma: number): void {
    const plan = planBlur(sigma);
    const smallWidth = Math.max(1, Math.round(width / plan.downsample));
    const smallHeight = Math.max(1, Math.round(height / plan.downsample));
    const pad = Math.ceil(plan.sigmaAtScale * 3) + 1;
    resize(this.padded, smallWidth + 2 * pad, smallHeight + 2 * pad);
    const padded = this.padded.context;
    padded.filter = 'none';
    padded.imageSmoothingQuality = 'medium';
    padded.drawImage(frame, 0, 0, smallWidth + 2 * pad, smallHeight + 2 * pad);
    padded.drawImage(frame, pad, pad, smallWidth, smallHeight);
    resize(this.blurred, smallWidth, smallHeight);
    const blurred = this.blurred.context;
    blurred.globalCompositeOperation = 'copy';
    blurred.filter = `blur(${plan.sigmaAtScale}px)`;
    blurred.drawImage(this.padded.canvas, -pad, -pad);
    blurred.filter = 'none';
  }

  private updateMaskCanvas(view: RenderParams['view']): OffscreenCanvas {
    const { width, height } = this.refiner.size;
    if (this.maskDirty || this.maskView !== view || this.mask.canvas.width !== width) {
      this.maskView = view;
      resize(this.mask, width, height);
      const image = new ImageData(width, height);
      const data = image.data;
      // As alpha for the composite; as grey (opaque) for view="mask".
      if (view === 'mask') {
        this.refiner.averageInto((i, v) => {
          data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = v;
          data[i * 4 + 3] = 255;
        });
      } else {
        this.refiner.averageInto((i, v) => {
          data[i * 4 + 3] = v;
        });
      }
      this.mask.context.putImageData(image, 0, 0);
      this.maskDirty = false;
      this.maskVersion++;
    }
    return this.mask.canvas;
  }
}
