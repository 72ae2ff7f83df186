import { coefficientsFor, isPlanar, planarToRgba } from './planar-to-rgba.js';

/**
 * Copies frames' visible pixels into RGBA bytes, `width` pixels a row.
 *
 * Not `copyTo(target, { format: 'RGBA' })` for frames that are already packed:
 * WebKit (2.50) ignores the requested format for a BGRA frame and writes BGRA,
 * which swapped red and blue on every frame of its camera and captured
 * canvases. Packed frames are copied as they are and put in order here.
 * Planar ones (I420, NV12) are converted by the browser or by
 * planar-to-rgba.ts, whichever measured faster on this source's first frames
 * (Firefox's own conversion took 43–48 ms a 720p frame, against 4 + ~15 here;
 * Chromium's is the faster).
 */
export class RgbaCopier {
  private readonly browserMs: number[] = [];
  private readonly ownMs: number[] = [];
  /** Null while both ways are still on trial. */
  private chosen: 'browser' | 'own' | null = null;
  private planes = new Uint8Array(0);

  /** Which way planar frames go, once measured (null: still on trial). */
  get planarWay(): 'browser' | 'own' | null {
    return this.chosen;
  }

  async copy(frame: VideoFrame, target: Uint8ClampedArray<ArrayBuffer>, width: number): Promise<void> {
    const layout = [{ offset: 0, stride: width * 4 }];
    switch (frame.format) {
      case 'RGBA':
        await frame.copyTo(target, { layout });
        return;
      case 'RGBX':
        await frame.copyTo(target, { layout });
        opaque(target);
        return;
      case 'BGRA':
      case 'BGRX':
        await frame.copyTo(target, { layout });
        swapRedAndBlue(target, frame.format === 'BGRX');
        return;
    }
    const format = frame.format;
    const coefficients = isPlanar(format) ? coefficientsFor(frame.colorSpace) : null;
    if (!isPlanar(format) || !coefficients) {
      await frame.copyTo(target, { format: 'RGBA', layout });
      return;
    }
    // Both ways in turn until each has TRIALS timings; then the faster by median, for good.
    const way = this.chosen ?? (this.browserMs.length <= this.ownMs.length ? 'browser' : 'own');
    const started = performance.now();
    if (way === 'browser') {
      await frame.copyTo(target, { format: 'RGBA', layout });
    } else {
      const size = frame.allocationSize();
      if (this.planes.length < size) this.planes = new Uint8Array(size);
      const planes = this.planes.subarray(0, size);
      const planeLayout = await frame.copyTo(planes);
      planarToRgba(format, planes, planeLayout, width, target.length / (width * 4), coefficients, target);
    }
    if (this.chosen) return;
    (way === 'browser' ? this.browserMs : this.ownMs).push(performance.now() - started);
    if (this.browserMs.length >= TRIALS && this.ownMs.length >= TRIALS) this.chosen = median(this.ownMs) < median(this.browserMs) ? 'own' : 'browser';
  }
}

/** Frames timed each way before one is kept: the first frames of a source run slower either way. */
const TRIALS = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function swapRedAndBlue(pixels: Uint8ClampedArray, makeOpaque: boolean): void {
  for (let i = 0; i < pixels.length; i += 4) {
    const blue = pixels[i]!;
    pixels[i] = pixels[i + 2]!;
    pixels[i + 2] = blue;
    if (makeOpaque) pixels[i + 3] = 255;
  }
}

/** The X of RGBX is undefined; the output is RGBA and must be opaque. */
function opaque(pixels: Uint8ClampedArray): void {
  for (let i = 3; i < pixels.length; i += 4) pixels[i] = 255;
}
