import { cachedAxis, type BilinearAxis } from '../bilinear-axis.js';
import type { RgbImage } from './rgb-image.js';

/** Below this sum of |a|, a guided weight does not depend on the pixel's colour (it moves q by under 1/1024). */
const GUIDED_COLOUR_IRRELEVANT = 1 / 1024;
/** Mask values at or above this leave the person's pixel untouched (it would round to itself). */
const OPAQUE = 1 - 1 / 512;
/** Mask values at or below this take the blurred pixel as it is. */
const TRANSPARENT = 1 / 512;

/**
 * What says, per full-resolution pixel, how much of it is the person:
 * - `confidence`: a 0–1 mask, stretched bilinearly;
 * - `guided`: the guided filter's coefficients (a.r, a.g, a.b, b) per mask
 *   texel (gpu/guided-mask-filter.ts), stretched bilinearly; the pixel's own
 *   colour c (0–1) gives q = a·c + b, and the weight is smoothstep(clamp(q)).
 */
export interface PersonMask {
  readonly kind: 'confidence' | 'guided';
  readonly width: number;
  readonly height: number;
  /** Row-major: one value per texel (`confidence`) or four (`guided`). */
  readonly data: Float32Array;
}

/**
 * Rows `first` to `last` − 1 of a frame `height` rows tall, where the RGBA
 * buffer given holds the frame's rows from `origin` on: a band of the frame
 * that another thread composites (gpu/cpu/composite-band-helper.ts). The
 * buffer must also hold the row below the band (unless it is the frame's
 * last), and the row above it (unless `above` gives that row's original
 * colours, or the band starts at the top): the guided weight's tent reads both.
 */
export interface RowBand {
  readonly first: number;
  readonly last: number;
  readonly origin: number;
  /** The frame's row `first` − 1 as it was before any pass wrote it; needed when the buffer's copy was overwritten. */
  readonly above?: Uint8ClampedArray;
}

/** The whole frame, held whole. */
export function wholeFrame(height: number): RowBand {
  return { first: 0, last: height, origin: 0 };
}

/**
 * The CPU renderer's final pass, in place over the frame's RGBA bytes: each
 * pixel becomes blurred + (frame − blurred) × mask, with the blurred copy and
 * the mask both stretched bilinearly to full size. Rows are interpolated
 * vertically once (at the small sizes), so the inner loop reads two
 * neighbours per value; each row's weights are worked out before the row is
 * written, and pixels the mask keeps whole are skipped.
 */
export class RgbaCompositePass {
  private maskX: BilinearAxis | null = null;
  private maskY: BilinearAxis | null = null;
  private blurX: BilinearAxis | null = null;
  private blurY: BilinearAxis | null = null;
  private maskRow = new Float32Array(0);
  private blurRow = new Float32Array(0);
  private alphaRow = new Float32Array(0);
  /** The frame's row above the current one, as it was before the pass overwrote it (the guided weight's tent reads it). */
  private rowAbove = new Uint8ClampedArray(0);
  private cellSlope = new Float32Array(0);
  /** The weight each pixel last showed (guided masks only), for the edge's hold; −1: none yet. */
  private shownAlpha = new Float32Array(0);
  /** The frame width `shownAlpha` was made for (one value per pixel, row-major). */
  private shownWidth = 0;
  /** The guided edge's hold (EDGE_HOLD), set per render; 0 turns it off. */
  edgeHold = 0;

  /**
   * Forgets the weights shown: the next guided mask is shown as it is (a new
   * run, or masks cleared). `fromRow` on: only those rows' (another thread
   * showed them meanwhile, so what this pass kept for them is stale).
   */
  forgetShownWeights(fromRow = 0): void {
    this.shownAlpha.fill(-1, Math.min(this.shownAlpha.length, fromRow * this.shownWidth));
  }

  /**
   * The person's weight of every pixel of row `y`, from `mask` and, for a
   * guided mask, the frame's colours around each pixel. Called for each row
   * in order, top to bottom, before that row is overwritten: it keeps the
   * row's original colours for the next row's tent.
   */
  private fillAlphaRow(rgba: Uint8ClampedArray, width: number, height: number, y: number, mask: PersonMask, origin: number): Float32Array {
    const channels = mask.kind === 'guided' ? 4 : 1;
    const mx = (this.maskX = cachedAxis(this.maskX, mask.width, width));
    const my = (this.maskY = cachedAxis(this.maskY, mask.height, height));
    const rowValues = mask.width * channels;
    if (this.maskRow.length < rowValues) this.maskRow = new Float32Array(rowValues);
    if (this.alphaRow.length < width) this.alphaRow = new Float32Array(width);
    const maskRow = this.maskRow;
    const alphaRow = this.alphaRow;
    const m = mask.data;
    const m0 = my.index[y]! * rowValues;
    const m1 = mask.height < 2 ? m0 : m0 + rowValues;
    const mf = my.weight[y]!;
    for (let i = 0; i < rowValues; i++) maskRow[i] = m[m0 + i]! + (m[m1 + i]! - m[m0 + i]!) * mf;
    const next = mask.width < 2 ? 0 : channels;
    const index = mx.index;
    const weight = mx.weight;
    if (channels === 1) {
      for (let x = 0; x < width; x++) {
        const a = index[x]!;
        alphaRow[x] = maskRow[a]! + (maskRow[a + next]! - maskRow[a]!) * weight[x]!;
      }
      return alphaRow;
    }
    const rowBytes = width * 4;
    if (this.rowAbove.length !== rowBytes) this.rowAbove = new Uint8ClampedArray(rowBytes);
    const row = (y - origin) * rowBytes;
    // The rows above and below, edges repeated; the one above is the kept copy, since the pass has overwritten it.
    const above = y === 0 ? rgba.subarray(row, row + rowBytes) : this.rowAbove;
    const below = y === height - 1 ? row : row + rowBytes;
    const lastX = width - 1;
    // Per cell between two texels of this row, an upper bound of |a.r| + |a.g| + |a.b| anywhere in it.
    if (this.cellSlope.length < mask.width) this.cellSlope = new Float32Array(mask.width);
    const cellSlope = this.cellSlope;
    for (let i = 0; i < mask.width; i++) {
      const t = i * 4;
      const u = Math.min(mask.width - 1, i + 1) * 4;
      cellSlope[i] = Math.abs(maskRow[t]!) + Math.abs(maskRow[t + 1]!) + Math.abs(maskRow[t + 2]!) + Math.abs(maskRow[u]!) + Math.abs(maskRow[u + 1]!) + Math.abs(maskRow[u + 2]!);
    }
    const hold = this.edgeHold;
    if (hold > 0 && (this.shownAlpha.length !== width * height || this.shownWidth !== width)) {
      this.shownAlpha = new Float32Array(width * height).fill(-1);
      this.shownWidth = width;
    }
    const shown = this.shownAlpha;
    const shownRow = y * width;
    for (let x = 0; x < width; x++) {
      const cell = index[x]!;
      const a = cell * 4;
      const f = weight[x]!;
      let q = maskRow[a + 3]! + (maskRow[a + 3 + next]! - maskRow[a + 3]!) * f;
      // Where a is ~0 (deep in the person or the room, most of the frame) the colour cannot move q: b alone.
      if (cellSlope[cell]! > GUIDED_COLOUR_IRRELEVANT) {
        const ar = maskRow[a]! + (maskRow[a + next]! - maskRow[a]!) * f;
        const ag = maskRow[a + 1]! + (maskRow[a + 1 + next]! - maskRow[a + 1]!) * f;
        const ab = maskRow[a + 2]! + (maskRow[a + 2 + next]! - maskRow[a + 2]!) * f;
        // The 3×3 tent ([1 2 1] ⊗ [1 2 1] / 16) of the frame's colour, as the GPU compositors sample it.
        const l = (x === 0 ? x : x - 1) * 4;
        const c = x * 4;
        const r = (x === lastX ? x : x + 1) * 4;
        let red = 0;
        let green = 0;
        let blue = 0;
        for (let k = 0; k < 3; k++) {
          const w = k === 1 ? 2 : 1;
          const source = k === 0 ? above : rgba;
          const base = k === 0 ? 0 : k === 1 ? row : below;
          red += w * (source[base + l]! + 2 * source[base + c]! + source[base + r]!);
          green += w * (source[base + l + 1]! + 2 * source[base + c + 1]! + source[base + r + 1]!);
          blue += w * (source[base + l + 2]! + 2 * source[base + c + 2]! + source[base + r + 2]!);
        }
        q += (ar * red + ag * green + ab * blue) * (1 / (16 * 255));
      }
      q = q < 0 ? 0 : q > 1 ? 1 : q;
      const alpha = q * q * (3 - 2 * q);
      if (hold > 0) {
        // Within the hold of what it showed, the pixel keeps showing that: the camera's noise does not reach the edge.
        const last = shown[shownRow + x]!;
        if (alpha - last < hold && last - alpha < hold) {
          alphaRow[x] = last;
          continue;
        }
        shown[shownRow + x] = alpha;
      }
      alphaRow[x] = alpha;
    }
    this.rowAbove.set(rgba.subarray(row, row + rowBytes));
    return alphaRow;
  }

  /**
   * Before a band's first row: the row above it, as the frame had it, becomes
   * the kept copy that the guided weight's tent reads for that row.
   */
  private beginBand(rgba: Uint8ClampedArray, width: number, band: RowBand): void {
    if (band.first === 0) return;
    const rowBytes = width * 4;
    if (this.rowAbove.length !== rowBytes) this.rowAbove = new Uint8ClampedArray(rowBytes);
    if (band.above) {
      this.rowAbove.set(band.above.subarray(0, rowBytes));
      return;
    }
    const start = (band.first - 1 - band.origin) * rowBytes;
    this.rowAbove.set(rgba.subarray(start, start + rowBytes));
  }

  /**
   * `blurred` is the frame downsampled by `downsample` (sizes rounded up);
   * `mask` null blurs the whole frame: fail closed while no mask exists.
   * `band` limits the pass to some of the frame's rows (see RowBand).
   */
  composite(rgba: Uint8ClampedArray, width: number, height: number, blurred: RgbImage, downsample: number, mask: PersonMask | null, band: RowBand = wholeFrame(height)): void {
    const bx = (this.blurX = cachedAxis(this.blurX, blurred.width, width, downsample));
    const by = (this.blurY = cachedAxis(this.blurY, blurred.height, height, downsample));
    if (this.blurRow.length < blurred.width * 3) this.blurRow = new Float32Array(blurred.width * 3);
    const blurRow = this.blurRow;
    const src = blurred.data;
    const blurRowValues = blurred.width * 3;
    const singleBlurColumn = blurred.width < 2 ? 0 : 3;
    // Locals, so the hot loop reads no object properties.
    const blurIndex = bx.index;
    const blurWeight = bx.weight;
    const { first, last, origin } = band;
    if (mask) this.beginBand(rgba, width, band);
    for (let y = first; y < last; y++) {
      const b0 = by.index[y]! * blurRowValues;
      const b1 = blurred.height < 2 ? b0 : b0 + blurRowValues;
      const bf = by.weight[y]!;
      for (let i = 0; i < blurRowValues; i++) blurRow[i] = src[b0 + i]! + (src[b1 + i]! - src[b0 + i]!) * bf;
      let p = (y - origin) * width * 4;
      if (!mask) {
        for (let x = 0; x < width; x++, p += 4) {
          const b = blurIndex[x]! * 3;
          const f = blurWeight[x]!;
          rgba[p] = blurRow[b]! + (blurRow[b + singleBlurColumn]! - blurRow[b]!) * f;
          rgba[p + 1] = blurRow[b + 1]! + (blurRow[b + 1 + singleBlurColumn]! - blurRow[b + 1]!) * f;
          rgba[p + 2] = blurRow[b + 2]! + (blurRow[b + 2 + singleBlurColumn]! - blurRow[b + 2]!) * f;
        }
        continue;
      }
      const alphas = this.fillAlphaRow(rgba, width, height, y, mask, origin);
      for (let x = 0; x < width; x++, p += 4) {
        const alpha = alphas[x]!;
        if (alpha >= OPAQUE) continue;
        const b = blurIndex[x]! * 3;
        const f = blurWeight[x]!;
        const r = blurRow[b]! + (blurRow[b + singleBlurColumn]! - blurRow[b]!) * f;
        const g = blurRow[b + 1]! + (blurRow[b + 1 + singleBlurColumn]! - blurRow[b + 1]!) * f;
        const bl = blurRow[b + 2]! + (blurRow[b + 2 + singleBlurColumn]! - blurRow[b + 2]!) * f;
        if (alpha <= TRANSPARENT) {
          rgba[p] = r;
          rgba[p + 1] = g;
          rgba[p + 2] = bl;
          continue;
        }
        rgba[p] = r + (rgba[p]! - r) * alpha;
        rgba[p + 1] = g + (rgba[p + 1]! - g) * alpha;
        rgba[p + 2] = bl + (rgba[p + 2]! - bl) * alpha;
      }
    }
  }

  private lightX: BilinearAxis | null = null;
  private lightY: BilinearAxis | null = null;
  private lightRow = new Float32Array(0);

  /**
   * Background replacement, in place: each pixel becomes
   * background + (person − background) × mask, where near the edge the
   * person's colour takes a little of the background's light first:
   * person + (light − person) × lightWrap × (1 − mask). `background` is RGBA at
   * the frame's size; `light` a small blurred copy, stretched bilinearly.
   */
  replace(rgba: Uint8ClampedArray, width: number, height: number, background: Uint8ClampedArray, light: RgbImage, mask: PersonMask, lightWrap: number): void {
    const lx = (this.lightX = cachedAxis(this.lightX, light.width, width));
    const ly = (this.lightY = cachedAxis(this.lightY, light.height, height));
    if (this.lightRow.length < light.width * 3) this.lightRow = new Float32Array(light.width * 3);
    const lightRow = this.lightRow;
    const src = light.data;
    const lightRowValues = light.width * 3;
    const singleLightColumn = light.width < 2 ? 0 : 3;
    const lightIndex = lx.index;
    const lightWeight = lx.weight;
    for (let y = 0; y < height; y++) {
      const alphas = this.fillAlphaRow(rgba, width, height, y, mask, 0);
      const l0 = ly.index[y]! * lightRowValues;
      const l1 = light.height < 2 ? l0 : l0 + lightRowValues;
      const lf = ly.weight[y]!;
      for (let i = 0; i < lightRowValues; i++) lightRow[i] = src[l0 + i]! + (src[l1 + i]! - src[l0 + i]!) * lf;
      let p = y * width * 4;
      for (let x = 0; x < width; x++, p += 4) {
        const alpha = alphas[x]!;
        if (alpha >= OPAQUE) continue;
        if (alpha <= TRANSPARENT) {
          rgba[p] = background[p]!;
          rgba[p + 1] = background[p + 1]!;
          rgba[p + 2] = background[p + 2]!;
          continue;
        }
        const l = lightIndex[x]! * 3;
        const f = lightWeight[x]!;
        const wrap = lightWrap * (1 - alpha);
        let r = rgba[p]!;
        let g = rgba[p + 1]!;
        let b = rgba[p + 2]!;
        r += (lightRow[l]! + (lightRow[l + singleLightColumn]! - lightRow[l]!) * f - r) * wrap;
        g += (lightRow[l + 1]! + (lightRow[l + 1 + singleLightColumn]! - lightRow[l + 1]!) * f - g) * wrap;
        b += (lightRow[l + 2]! + (lightRow[l + 2 + singleLightColumn]! - lightRow[l + 2]!) * f - b) * wrap;
        const br = background[p]!;
        const bg = background[p + 1]!;
        const bb = background[p + 2]!;
        rgba[p] = br + (r - br) * alpha;
        rgba[p + 1] = bg + (g - bg) * alpha;
        rgba[p + 2] = bb + (b - bb) * alpha;
      }
    }
  }

  /** view="mask": the mask as opaque grey, stretched to full size. */
  maskView(rgba: Uint8ClampedArray, width: number, height: number, mask: PersonMask | null): void {
    if (!mask) {
      rgba.fill(0);
      for (let p = 3; p < rgba.length; p += 4) rgba[p] = 255;
      return;
    }
    for (let y = 0; y < height; y++) {
      const alphas = this.fillAlphaRow(rgba, width, height, y, mask, 0);
      let p = y * width * 4;
      for (let x = 0; x < width; x++, p += 4) {
        rgba[p] = rgba[p + 1] = rgba[p + 2] = alphas[x]! * 255;
        rgba[p + 3] = 255;
      }
    }
  }
}
