import type { Background } from '../contract/background.js';
import { gaussianKernel } from './gaussian-kernel.js';
import { LIGHT_WRAP_DOWNSAMPLE, LIGHT_WRAP_SIGMA } from './refine-constants.js';

export type { Background };

export const BLUR_BACKGROUND: Background = { kind: 'blur' };

/**
 * How one frame is rendered: `blur` (the room blurred behind the person, or the
 * whole frame blurred while no mask exists), `replace` (the fitted background
 * behind the person) or `none` (the frame as it is).
 *
 * A replacement needs a mask: without one the frame is blurred whole, as the
 * pipeline's fail-closed rule asks, never replaced by a picture with nobody in
 * it and never shown raw. `none` is the user's own choice, so it needs no mask.
 */
export type RenderMode = 'blur' | 'replace' | 'none';

export function renderMode(background: Background, hasMask: boolean): RenderMode {
  switch (background.kind) {
    case 'blur':
      return 'blur';
    case 'none':
      return 'none';
    default:
      return hasMask ? 'replace' : 'blur';
  }
}

/** The source rectangle of an `iw`×`ih` image that covers a `width`×`height` frame, centred (`object-fit: cover`). */
export function coverRect(iw: number, ih: number, width: number, height: number): { sx: number; sy: number; sw: number; sh: number } {
  const scale = Math.max(width / iw, height / ih);
  const sw = Math.min(iw, width / scale);
  const sh = Math.min(ih, height / scale);
  return { sx: (iw - sw) / 2, sy: (ih - sh) / 2, sw, sh };
}

/** A background fitted to one frame size; its pixels change only when `version` does. */
export interface FittedBackground {
  /** Bumped whenever the pixels below change: compositors upload again only then. */
  readonly version: number;
  readonly width: number;
  readonly height: number;
  /** The background at the frame's size, opaque RGBA, top row first; read back from the canvas on first use. */
  readonly pixels: ImageData;
  /**
   * The light that wraps over the person's edge: the background downsampled by
   * LIGHT_WRAP_DOWNSAMPLE and blurred (σ = LIGHT_WRAP_SIGMA full-size pixels,
   * edges clamped), as opaque RGBA bytes and as 0–255 floats (3 per pixel).
   */
  readonly light: ImageData;
  readonly lightRgb: Float32Array;
}

function canvas2d(width: number, height: number): { canvas: OffscreenCanvas; context: OffscreenCanvasRenderingContext2D } {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('OffscreenCanvas has no 2d context');
  return { canvas, context };
}

function sourceSize(image: ImageBitmap | VideoFrame): { width: number; height: number } {
  return image instanceof ImageBitmap ? { width: image.width, height: image.height } : { width: image.displayWidth, height: image.displayHeight };
}

/**
 * Fits a background to the frame once per change: each compositor holds one,
 * calls `set` when the background changes and `fit` on every frame, which
 * redraws only when the background or the frame size has changed since the
 * last call. Every tier gets the same fitted pixels and the same light, so the
 * tiers agree on the background exactly.
 */
export class BackgroundFitter {
  private background: Background = BLUR_BACKGROUND;
  /** Bumped by `set`. */
  private backgroundVersion = 0;
  private fitted: FittedBackground | null = null;
  private fittedFor = { backgroundVersion: -1, width: 0, height: 0 };
  private full: ReturnType<typeof canvas2d> | null = null;
  private small: ReturnType<typeof canvas2d> | null = null;
  private version = 0;

  get current(): Background {
    return this.background;
  }

  set(background: Background): void {
    this.background = background;
    this.backgroundVersion++;
  }

  /** The background at `width`×`height`; null for `blur` and `none`, which have no pixels of their own. */
  fit(width: number, height: number): FittedBackground | null {
    const background = this.background;
    if (background.kind !== 'colour' && background.kind !== 'image') return null;
    const wanted = this.fittedFor;
    if (this.fitted && wanted.backgroundVersion === this.backgroundVersion && wanted.width === width && wanted.height === height) return this.fitted;

    if (!this.full || this.full.canvas.width !== width || this.full.canvas.height !== height) this.full = canvas2d(width, height);
    const { canvas, context } = this.full;
    context.globalCompositeOperation = 'copy';
    if (background.kind === 'colour') {
      const [r, g, b] = background.rgb;
      context.fillStyle = `rgb(${r} ${g} ${b})`;
      context.fillRect(0, 0, width, height);
    } else {
      const size = sourceSize(background.image);
      const { sx, sy, sw, sh } = coverRect(size.width, size.height, width, height);
      // Transparent parts of a picture show black, as on a video call's own background.
      context.fillStyle = 'black';
      context.fillRect(0, 0, width, height);
      context.globalCompositeOperation = 'source-over';
      context.imageSmoothingEnabled = true;
      // Bilinear is as good as any filter when enlarging or shrinking a little, and twice as fast here as
      // 'high'; a picture shrunk to less than half needs the better filter against aliasing.
      context.imageSmoothingQuality = sw > 2 * width ? 'high' : 'medium';
      context.drawImage(background.image, sx, sy, sw, sh, 0, 0, width, height);
    }
    let pixels: ImageData | null = null;

    const lightWidth = Math.max(1, Math.round(width / LIGHT_WRAP_DOWNSAMPLE));
    const lightHeight = Math.max(1, Math.round(height / LIGHT_WRAP_DOWNSAMPLE));
    if (!this.small || this.small.canvas.width !== lightWidth || this.small.canvas.height !== lightHeight) this.small = canvas2d(lightWidth, lightHeight);
    const small = this.small.context;
    small.globalCompositeOperation = 'copy';
    small.imageSmoothingEnabled = true;
    small.imageSmoothingQuality = 'high';
    small.drawImage(canvas, 0, 0, lightWidth, lightHeight);
    const light = small.getImageData(0, 0, lightWidth, lightHeight);
    const lightRgb = blurLight(light);
    for (let i = 0, p = 0; i < lightRgb.length; i += 3, p += 4) {
      light.data[p] = lightRgb[i]!;
      light.data[p + 1] = lightRgb[i + 1]!;
      light.data[p + 2] = lightRgb[i + 2]!;
      light.data[p + 3] = 255;
    }

    this.fitted = {
      version: ++this.version,
      width,
      height,
      get pixels() {
        pixels ??= context.getImageData(0, 0, width, height);
        return pixels;
      },
      light,
      lightRgb,
    };
    this.fittedFor = { backgroundVersion: this.backgroundVersion, width, height };
    return this.fitted;
  }

  /** Forgets the fitted pixels and the canvases (the background itself is not this object's to close). */
  clear(): void {
    this.fitted = null;
    this.full = null;
    this.small = null;
    this.fittedFor = { backgroundVersion: -1, width: 0, height: 0 };
  }
}

/** A separable Gaussian (edges clamped) over the small copy's RGB, as 0–255 floats. */
function blurLight(image: ImageData): Float32Array {
  const { width, height, data } = image;
  const kernel = gaussianKernel(LIGHT_WRAP_SIGMA / LIGHT_WRAP_DOWNSAMPLE);
  const { radius, weights } = kernel;
  const rows = new Float32Array(width * height * 3);
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = data[(y * width + x) * 4 + c]! * weights[0]!;
        for (let i = 1; i <= radius; i++) {
          sum += (data[(y * width + Math.max(0, x - i)) * 4 + c]! + data[(y * width + Math.min(width - 1, x + i)) * 4 + c]!) * weights[i]!;
        }
        rows[(y * width + x) * 3 + c] = sum;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = rows[(y * width + x) * 3 + c]! * weights[0]!;
        for (let i = 1; i <= radius; i++) {
          sum += (rows[(Math.max(0, y - i) * width + x) * 3 + c]! + rows[(Math.min(height - 1, y + i) * width + x) * 3 + c]!) * weights[i]!;
        }
        out[(y * width + x) * 3 + c] = sum;
      }
    }
  }
  return out;
}
