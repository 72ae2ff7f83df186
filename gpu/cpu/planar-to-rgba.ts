/**
 * YUV 4:2:0 (I420, NV12) to RGBA on the CPU, with the frame's own matrix and
 * range, for browsers whose `copyTo(…, { format: 'RGBA' })` is slow: Firefox
 * 153 took 43–48 ms for a 720p camera frame, where copying its planes took 4
 * and converting them here about 15. Which way a source's frames go is
 * measured (see RgbaCopier in copy-rgba.ts), not assumed: Chromium's own conversion is faster.
 */

/** The planar layouts converted here; any other format is the browser's to convert. */
export type PlanarFormat = 'I420' | 'NV12';

export function isPlanar(format: VideoPixelFormat | null): format is PlanarFormat {
  return format === 'I420' || format === 'NV12';
}

/** Fixed-point (×2¹⁰) coefficients of one matrix and range. */
interface Coefficients {
  readonly yScale: number;
  readonly yOffset: number;
  readonly rv: number;
  readonly gu: number;
  readonly gv: number;
  readonly bu: number;
}

const FIXED = 1024;

function coefficients(kr: number, kb: number, fullRange: boolean): Coefficients {
  // The standard derivation from Kr and Kb; limited range stretches Y from 16–235 and chroma from 16–240.
  const kg = 1 - kr - kb;
  const yScale = fullRange ? 1 : 255 / 219;
  const cScale = fullRange ? 1 : 255 / 224;
  return {
    yScale: Math.round(yScale * FIXED),
    yOffset: fullRange ? 0 : 16,
    rv: Math.round(2 * (1 - kr) * cScale * FIXED),
    gu: Math.round(((2 * kb * (1 - kb)) / kg) * cScale * FIXED),
    gv: Math.round(((2 * kr * (1 - kr)) / kg) * cScale * FIXED),
    bu: Math.round(2 * (1 - kb) * cScale * FIXED),
  };
}

/**
 * The coefficients for `colorSpace`, or null for one converted elsewhere. An
 * unset matrix or range is read as BT.601 limited range, as Firefox (its
 * camera's frames carry no colour space) and Chromium convert such frames.
 */
export function coefficientsFor(colorSpace: VideoColorSpace): Coefficients | null {
  const fullRange = colorSpace.fullRange ?? false;
  switch (colorSpace.matrix ?? 'smpte170m') {
    case 'smpte170m':
    case 'bt470bg':
      return coefficients(0.299, 0.114, fullRange);
    case 'bt709':
      return coefficients(0.2126, 0.0722, fullRange);
    default:
      return null;
  }
}

/** The planes' offsets and strides, as `copyTo` laid them out. */
export type PlaneLayout = readonly { readonly offset: number; readonly stride: number }[];

/**
 * Converts the visible `width`×`height` of a 4:2:0 frame copied as it is
 * (`planes`, laid out as `layout` says) into opaque RGBA in `target`.
 */
export function planarToRgba(format: PlanarFormat, planes: Uint8Array, layout: PlaneLayout, width: number, height: number, c: Coefficients, target: Uint8ClampedArray): void {
  const [yPlane, uPlane, vPlane] = layout;
  if (!yPlane || !uPlane || (format === 'I420' && !vPlane)) throw new Error(`${format} frame with ${layout.length} planes`);
  const { yScale, yOffset, rv, gu, gv, bu } = c;
  const half = FIXED / 2;
  for (let y = 0; y < height; y++) {
    const yRow = yPlane.offset + y * yPlane.stride;
    const uRow = uPlane.offset + (y >> 1) * uPlane.stride;
    // NV12 interleaves U and V in its second plane.
    const vRow = format === 'I420' ? vPlane!.offset + (y >> 1) * vPlane!.stride : uRow + 1;
    const chromaStep = format === 'I420' ? 1 : 2;
    let out = y * width * 4;
    for (let x = 0; x < width; x += 2) {
      const chroma = (x >> 1) * chromaStep;
      const u = planes[uRow + chroma]! - 128;
      const v = planes[vRow + chroma]! - 128;
      const r = rv * v + half;
      const g = half - gu * u - gv * v;
      const b = bu * u + half;
      const luma0 = (planes[yRow + x]! - yOffset) * yScale;
      target[out] = (luma0 + r) >> 10;
      target[out + 1] = (luma0 + g) >> 10;
      target[out + 2] = (luma0 + b) >> 10;
      target[out + 3] = 255;
      if (x + 1 < width) {
        const luma1 = (planes[yRow + x + 1]! - yOffset) * yScale;
        target[out + 4] = (luma1 + r) >> 10;
        target[out + 5] = (luma1 + g) >> 10;
        target[out + 6] = (luma1 + b) >> 10;
        target[out + 7] = 255;
      }
      out += 8;
    }
  }
}
