import { cachedAxis, type BilinearAxis } from './bilinear-axis.js';
import type { ConfidenceMask } from './compositor.js';
import {
  GUIDED_FINAL_EPS,
  GUIDED_FINAL_RADIUS,
  GUIDED_FIRST_EPS,
  GUIDED_FIRST_RADIUS,
  GUIDED_SIGMOID_STEEPNESS,
  MASK_HISTORY_LENGTH,
  MOTION_TOLERANCE,
} from './refine-constants.js';

/** The guided filter's result: coefficients (a.r, a.g, a.b, b) per texel of a plane at half the mask's size. */
export interface GuidedCoefficients {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/**
 * The `guided` refinement's work at half the mask's resolution (2×2 means of
 * the mask and of the model's input; measured as good as the full size, at a
 * quarter of the cost), shared by every compositor so that all tiers draw the
 * same edge: He et al.'s colour guided filter, twice, guided by the model's
 * own input (the frame at the mask's size).
 *
 * 1. The raw confidence is near-binarised (sigmoid, GUIDED_SIGMOID_STEEPNESS).
 * 2. Temporal smoothing without lag: the last MASK_HISTORY_LENGTH binarised
 *    masks are averaged per pixel, each older one weighted by how little the
 *    guide changed there since it was made (exp(−d² / 2τ²), τ =
 *    MOTION_TOLERANCE). Still regions average all of them, so the edge holds
 *    steady against sensor noise; where the person moved, the old masks fall
 *    away and the edge follows the new frame at once.
 * 3. A colour guided filter (radius GUIDED_FIRST_RADIUS) snaps that mask to
 *    the guide's edges; it is binarised again.
 * 4. A second, smaller guided filter (GUIDED_FINAL_RADIUS) gives per-texel
 *    coefficients (a, b) with q = a·colour + b. The compositor upsamples them
 *    bilinearly and evaluates q with the full-resolution frame's colour (under
 *    a 3×3 tent, so that sensor noise is not amplified), then
 *    smoothstep(clamp(q, 0, 1)): the edge follows the real frame's edges, not
 *    the mask's 256-pixel grid (the "fast guided filter").
 *
 * The constants, and why, are in refine-constants.ts; the README's "Edge
 * quality" has the figures.
 */
export class GuidedMaskFilter {
  private width = 0;
  private height = 0;
  /** Binarised masks and their guides (0–1 RGB planes), newest last. */
  private history: { mask: Float32Array; guide: Float32Array }[] = [];
  private scratch: Scratch | null = null;
  private upX: BilinearAxis | null = null;
  private upY: BilinearAxis | null = null;
  /** The coefficients (a.r, a.g, a.b, b) per mask texel, for the compositor. */
  private coefficients = new Float32Array(0);

  get size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  /** How many masks the temporal average holds now. */
  get count(): number {
    return this.history.length;
  }

  clear(): void {
    this.history = [];
  }

  /**
   * Refines `mask` guided by `guide` (the model's input, the mask's size) and
   * returns the coefficients; their array is reused by the next call.
   */
  push(mask: ConfidenceMask, guide: ImageData): GuidedCoefficients {
    if (guide.width !== mask.width || guide.height !== mask.height) throw new Error(`the guide is ${guide.width}×${guide.height}, the mask ${mask.width}×${mask.height}`);
    const width = Math.ceil(mask.width / 2);
    const height = Math.ceil(mask.height / 2);
    const n = width * height;
    if (width !== this.width || height !== this.height || !this.scratch) {
      this.width = width;
      this.height = height;
      this.history = [];
      this.scratch = new Scratch(width, height);
      this.coefficients = new Float32Array(n * 4);
    }
    const s = this.scratch;
    const full = s.full(mask.width, mask.height);
    // Binarised at the mask's own size, then halved: halving first blurred the edge the sigmoid was to sharpen.
    for (let i = 0; i < full.mask.length; i++) {
      full.mask[i] = sigmoid(mask.data[i]!);
      full.guide[i * 3] = guide.data[i * 4]! / 255;
      full.guide[i * 3 + 1] = guide.data[i * 4 + 1]! / 255;
      full.guide[i * 3 + 2] = guide.data[i * 4 + 2]! / 255;
    }
    const entry = this.history.length === MASK_HISTORY_LENGTH ? this.history.shift()! : { mask: new Float32Array(n), guide: new Float32Array(n * 3) };
    halve(full.mask, 1, mask.width, mask.height, entry.mask);
    halve(full.guide, 3, mask.width, mask.height, entry.guide);
    this.history.push(entry);
    this.motionWeightedMean(entry, s.p);
    guidedCoefficients(s, entry.guide, s.p, GUIDED_FIRST_RADIUS, GUIDED_FIRST_EPS, this.coefficients);
    // The first filter's output, evaluated at the mask's size with its full guide (as the compositors do at the
    // frame's), binarised again and halved: the second filter's input. Measured better than evaluating at half size.
    // The compositors' own sampling (texel centres aligned, edges clamped), computed once per size.
    this.upX = cachedAxis(this.upX, width, mask.width);
    this.upY = cachedAxis(this.upY, height, mask.height);
    evaluateUpsampled(this.coefficients, this.upX, this.upY, full.guide, full.mask);
    for (let i = 0; i < full.mask.length; i++) full.mask[i] = sigmoid(full.mask[i]!);
    halve(full.mask, 1, mask.width, mask.height, s.p);
    guidedCoefficients(s, entry.guide, s.p, GUIDED_FINAL_RADIUS, GUIDED_FINAL_EPS, this.coefficients);
    return { width, height, data: this.coefficients };
  }

  /** The newest mask averaged with the older ones, each weighted per pixel by how still the guide stayed there. */
  private motionWeightedMean(newest: { mask: Float32Array; guide: Float32Array }, out: Float32Array): void {
    const s = this.scratch!;
    const n = this.width * this.height;
    out.set(newest.mask);
    s.weightSum.fill(1);
    const scale = -1 / (2 * MOTION_TOLERANCE * MOTION_TOLERANCE);
    for (const older of this.history) {
      if (older === newest) continue;
      for (let i = 0; i < n; i++) {
        const dr = newest.guide[i * 3]! - older.guide[i * 3]!;
        const dg = newest.guide[i * 3 + 1]! - older.guide[i * 3 + 1]!;
        const db = newest.guide[i * 3 + 2]! - older.guide[i * 3 + 2]!;
        s.t0[i] = (dr * dr + dg * dg + db * db) / 3;
      }
      // Over a 3×3 neighbourhood: one noisy texel must not decide.
      boxFilter(s.t0, s.t1, s.temp, s.sums, this.width, this.height, 1);
      for (let i = 0; i < n; i++) {
        const w = Math.exp(s.t1[i]! * scale);
        out[i]! += w * older.mask[i]!;
        s.weightSum[i]! += w;
      }
    }
    for (let i = 0; i < n; i++) out[i]! /= s.weightSum[i]!;
  }
}

/** The 2×2 means of a plane of `channels` values per texel into `out` (half the size, rounded up; an odd last row or column is its own mean). */
function halve(plane: Float32Array, channels: number, width: number, height: number, out: Float32Array): void {
  const halfWidth = Math.ceil(width / 2);
  for (let y = 0; y < height; y += 2) {
    const y1 = Math.min(height - 1, y + 1);
    for (let x = 0; x < width; x += 2) {
      const x1 = Math.min(width - 1, x + 1);
      const i00 = (y * width + x) * channels;
      const i01 = (y * width + x1) * channels;
      const i10 = (y1 * width + x) * channels;
      const i11 = (y1 * width + x1) * channels;
      const o = ((y >> 1) * halfWidth + (x >> 1)) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = (plane[i00 + c]! + plane[i01 + c]! + plane[i10 + c]! + plane[i11 + c]!) * 0.25;
    }
  }
}

/** q = a·guide + b per texel of the full-size guide, with (a, b) stretched bilinearly from the half-size coefficients. */
function evaluateUpsampled(coefficients: Float32Array, xs: BilinearAxis, ys: BilinearAxis, guide: Float32Array, out: Float32Array): void {
  const width = xs.sourceSize;
  const height = ys.sourceSize;
  const fullWidth = xs.targetSize;
  const fullHeight = ys.targetSize;
  const nextX = width < 2 ? 0 : 4;
  const nextY = height < 2 ? 0 : width * 4;
  for (let y = 0; y < fullHeight; y++) {
    const row = ys.index[y]! * width * 4;
    const fy = ys.weight[y]!;
    for (let x = 0; x < fullWidth; x++) {
      const i = row + xs.index[x]! * 4;
      const fx = xs.weight[x]!;
      const o = y * fullWidth + x;
      let q = 0;
      for (let c = 0; c < 4; c++) {
        const top = coefficients[i + c]! + (coefficients[i + nextX + c]! - coefficients[i + c]!) * fx;
        const bottom = coefficients[i + nextY + c]! + (coefficients[i + nextY + nextX + c]! - coefficients[i + nextY + c]!) * fx;
        const value = top + (bottom - top) * fy;
        q += c < 3 ? value * guide[o * 3 + c]! : value;
      }
      out[o] = q;
    }
  }
}

function sigmoid(m: number): number {
  return 1 / (1 + Math.exp(-GUIDED_SIGMOID_STEEPNESS * (m - 0.5)));
}

/** Work planes for one mask size, reused from frame to frame. */
class Scratch {
  readonly p: Float32Array;
  readonly weightSum: Float32Array;
  readonly t0: Float32Array;
  readonly t1: Float32Array;
  readonly temp: Float64Array;
  readonly sums: Float64Array;
  private fullPlanes: { mask: Float32Array; guide: Float32Array } | null = null;
  /** Box means: of the guide (3), of p, of guide·p (3), of guide_i·guide_j (6). */
  readonly means: Float32Array[];
  readonly products: Float32Array[];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const n = width * height;
    const plane = (): Float32Array => new Float32Array(n);
    this.p = plane();
    this.weightSum = plane();
    this.t0 = plane();
    this.t1 = plane();
    this.temp = new Float64Array(n);
    this.sums = new Float64Array(width);
    this.means = Array.from({ length: 13 }, plane);
    this.products = Array.from({ length: 13 }, plane);
  }

  /** Planes at the mask's own size: a mask, and the guide as 0–1 RGB. */
  full(width: number, height: number): { mask: Float32Array; guide: Float32Array } {
    const n = width * height;
    if (this.fullPlanes?.mask.length !== n) this.fullPlanes = { mask: new Float32Array(n), guide: new Float32Array(n * 3) };
    return this.fullPlanes;
  }
}

/**
 * He et al.'s colour guided filter of `p` by the RGB plane `guide`: writes the
 * box-averaged coefficients (ā.r, ā.g, ā.b, b̄) per texel into `out`.
 */
function guidedCoefficients(s: Scratch, guide: Float32Array, p: Float32Array, radius: number, eps: number, out: Float32Array): void {
  const { width, height } = s;
  const n = width * height;
  const [r, g, b, pp, rp, gp, bp, rr, rg, rb, gg, gb, bb] = s.products as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < n; i++) {
    const ri = guide[i * 3]!;
    const gi = guide[i * 3 + 1]!;
    const bi = guide[i * 3 + 2]!;
    const pi = p[i]!;
    r[i] = ri;
    g[i] = gi;
    b[i] = bi;
    pp[i] = pi;
    rp[i] = ri * pi;
    gp[i] = gi * pi;
    bp[i] = bi * pi;
    rr[i] = ri * ri;
    rg[i] = ri * gi;
    rb[i] = ri * bi;
    gg[i] = gi * gi;
    gb[i] = gi * bi;
    bb[i] = bi * bi;
  }
  for (let k = 0; k < 13; k++) boxFilter(s.products[k]!, s.means[k]!, s.temp, s.sums, width, height, radius);
  const [mr, mg, mb, mp, mrp, mgp, mbp, mrr, mrg, mrb, mgg, mgb, mbb] = s.means as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  // a = (Σ + eps·I)⁻¹ cov, b = mean(p) − a·mean(guide); written over the product planes r, g, b, pp.
  for (let i = 0; i < n; i++) {
    const ur = mr[i]!;
    const ug = mg[i]!;
    const ub = mb[i]!;
    const up = mp[i]!;
    const cr = mrp[i]! - ur * up;
    const cg = mgp[i]! - ug * up;
    const cb = mbp[i]! - ub * up;
    const s00 = mrr[i]! - ur * ur + eps;
    const s01 = mrg[i]! - ur * ug;
    const s02 = mrb[i]! - ur * ub;
    const s11 = mgg[i]! - ug * ug + eps;
    const s12 = mgb[i]! - ug * ub;
    const s22 = mbb[i]! - ub * ub + eps;
    // The symmetric 3×3 inverse by cofactors.
    const i00 = s11 * s22 - s12 * s12;
    const i01 = s02 * s12 - s01 * s22;
    const i02 = s01 * s12 - s02 * s11;
    const i11 = s00 * s22 - s02 * s02;
    const i12 = s01 * s02 - s00 * s12;
    const i22 = s00 * s11 - s01 * s01;
    const det = s00 * i00 + s01 * i01 + s02 * i02;
    const inv = det > 1e-30 ? 1 / det : 0;
    const ar = (i00 * cr + i01 * cg + i02 * cb) * inv;
    const ag = (i01 * cr + i11 * cg + i12 * cb) * inv;
    const ab = (i02 * cr + i12 * cg + i22 * cb) * inv;
    r[i] = ar;
    g[i] = ag;
    b[i] = ab;
    pp[i] = up - ar * ur - ag * ug - ab * ub;
  }
  for (let k = 0; k < 4; k++) boxFilter(s.products[k]!, s.means[k]!, s.temp, s.sums, width, height, radius);
  for (let i = 0; i < n; i++) {
    out[i * 4] = mr[i]!;
    out[i * 4 + 1] = mg[i]!;
    out[i * 4 + 2] = mb[i]!;
    out[i * 4 + 3] = mp[i]!;
  }
}

/**
 * The mean over a (2r+1)² window, the image's edge pixels repeated beyond it,
 * by running sums: along each row of `src` into `temp`, then down the columns
 * of `temp` into `dst`, row by row so that memory is read in order (`sums`
 * holds one row of column sums). `src` and `dst` may be the same plane.
 */
export function boxFilter(src: Float32Array, dst: Float32Array, temp: Float64Array, sums: Float64Array, width: number, height: number, radius: number): void {
  const norm = 1 / (2 * radius + 1);
  const lastX = width - 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = src[row]! * (radius + 1);
    for (let k = 1; k <= radius; k++) sum += src[row + Math.min(lastX, k)]!;
    for (let x = 0; x < width; x++) {
      temp[row + x] = sum;
      const add = x + radius + 1;
      const drop = x - radius;
      sum += src[row + (add < width ? add : lastX)]! - src[row + (drop > 0 ? drop : 0)]!;
    }
  }
  const lastY = height - 1;
  for (let x = 0; x < width; x++) sums[x] = temp[x]! * (radius + 1);
  for (let k = 1; k <= radius; k++) {
    const row = Math.min(lastY, k) * width;
    for (let x = 0; x < width; x++) sums[x]! += temp[row + x]!;
  }
  const norm2 = norm * norm;
  for (let y = 0; y < height; y++) {
    const addRow = Math.min(lastY, y + radius + 1) * width;
    const dropRow = Math.max(0, y - radius) * width;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const sum = sums[x]!;
      dst[row + x] = sum * norm2;
      sums[x] = sum + temp[addRow + x]! - temp[dropRow + x]!;
    }
  }
}
