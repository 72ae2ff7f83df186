import { cachedAxis, type BilinearAxis } from './bilinear-axis.js';
import type { RgbImage } from './rgb-image.js';

/** Mask values at or above this leave the person's pixel untouched (it would round to itself). */
const OPAQUE = 1 - 1 / 512;
/** Mask values at or below this take the blurred pixel as it is. */
const TRANSPARENT = 1 / 512;

export interface PersonMask {
  readonly width: number;
  readonly height: number;
  /** Person confidence, 0–1, row-major. */
  readonly data: Float32Array;
}

/**
 * The CPU renderer's final pass, in place over the frame's RGBA bytes: each
 * pixel becomes blurred + (frame − blurred) × mask, with the blurred copy and
 * the mask both stretched bilinearly to full size. Rows are interpolated
 * vertically once (at the small sizes), so the inner loop reads two
 * neighbours per value; pixels the mask keeps whole are skipped.
 */
export class RgbaCompositePass {
  private maskX: BilinearAxis | null = null;
  private maskY: BilinearAxis | null = null;
  private blurX: BilinearAxis | null = null;
  private blurY: BilinearAxis | null = null;
  private maskRow = new Float32Array(0);
  private blurRow = new Float32Array(0);

  /**
   * `blurred` is the frame downsampled by `downsample` (sizes rounded up);
   * `mask` null blurs the whole frame: fail closed while no mask exists.
   */
  composite(rgba: Uint8ClampedArray, width: number, height: number, blurred: RgbImage, downsample: number, mask: PersonMask | null): void {
    const bx = (this.blurX = cachedAxis(this.blurX, blurred.width, width, downsample));
    const by = (this.blurY = cachedAxis(this.blurY, blurred.height, height, downsample));
    if (this.blurRow.length < blurred.width * 3) this.blurRow = new Float32Array(blurred.width * 3);
    const blurRow = this.blurRow;
    const src = blurred.data;
    const blurRowValues = blurred.width * 3;
    let mx: BilinearAxis | null = null;
    let my: BilinearAxis | null = null;
    if (mask) {
      mx = this.maskX = cachedAxis(this.maskX, mask.width, width);
      my = this.maskY = cachedAxis(this.maskY, mask.height, height);
      if (this.maskRow.length < mask.width) this.maskRow = new Float32Array(mask.width);
    }
    const maskRow = this.maskRow;
    const singleBlurColumn = blurred.width < 2 ? 0 : 3;
    // Locals, so the hot loop reads no object properties.
    const blurIndex = bx.index;
    const blurWeight = bx.weight;
    const maskIndex = mx?.index ?? blurIndex;
    const maskWeight = mx?.weight ?? blurWeight;
    for (let y = 0; y < height; y++) {
      const b0 = by.index[y]! * blurRowValues;
      const b1 = blurred.height < 2 ? b0 : b0 + blurRowValues;
      const bf = by.weight[y]!;
      for (let i = 0; i < blurRowValues; i++) blurRow[i] = src[b0 + i]! + (src[b1 + i]! - src[b0 + i]!) * bf;
      let p = y * width * 4;
      if (!mask || !mx || !my) {
        for (let x = 0; x < width; x++, p += 4) {
          const b = blurIndex[x]! * 3;
          const f = blurWeight[x]!;
          rgba[p] = blurRow[b]! + (blurRow[b + singleBlurColumn]! - blurRow[b]!) * f;
          rgba[p + 1] = blurRow[b + 1]! + (blurRow[b + 1 + singleBlurColumn]! - blurRow[b + 1]!) * f;
          rgba[p + 2] = blurRow[b + 2]! + (blurRow[b + 2 + singleBlurColumn]! - blurRow[b + 2]!) * f;
        }
        continue;
      }
      const m = mask.data;
      const m0 = my.index[y]! * mask.width;
      const m1 = mask.height < 2 ? m0 : m0 + mask.width;
      const mf = my.weight[y]!;
      for (let i = 0; i < mask.width; i++) maskRow[i] = m[m0 + i]! + (m[m1 + i]! - m[m0 + i]!) * mf;
      const singleMaskColumn = mask.width < 2 ? 0 : 1;
      for (let x = 0; x < width; x++, p += 4) {
        const a = maskIndex[x]!;
        const alpha = maskRow[a]! + (maskRow[a + singleMaskColumn]! - maskRow[a]!) * maskWeight[x]!;
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
    const mx = (this.maskX = cachedAxis(this.maskX, mask.width, width));
    const my = (this.maskY = cachedAxis(this.maskY, mask.height, height));
    const lx = (this.lightX = cachedAxis(this.lightX, light.width, width));
    const ly = (this.lightY = cachedAxis(this.lightY, light.height, height));
    if (this.maskRow.length < mask.width) this.maskRow = new Float32Array(mask.width);
    if (this.lightRow.length < light.width * 3) this.lightRow = new Float32Array(light.width * 3);
    const maskRow = this.maskRow;
    const lightRow = this.lightRow;
    const m = mask.data;
    const src = light.data;
    const lightRowValues = light.width * 3;
    const singleMaskColumn = mask.width < 2 ? 0 : 1;
    const singleLightColumn = light.width < 2 ? 0 : 3;
    const maskIndex = mx.index;
    const maskWeight = mx.weight;
    const lightIndex = lx.index;
    const lightWeight = lx.weight;
    for (let y = 0; y < height; y++) {
      const m0 = my.index[y]! * mask.width;
      const m1 = mask.height < 2 ? m0 : m0 + mask.width;
      const mf = my.weight[y]!;
      for (let i = 0; i < mask.width; i++) maskRow[i] = m[m0 + i]! + (m[m1 + i]! - m[m0 + i]!) * mf;
      const l0 = ly.index[y]! * lightRowValues;
      const l1 = light.height < 2 ? l0 : l0 + lightRowValues;
      const lf = ly.weight[y]!;
      for (let i = 0; i < lightRowValues; i++) lightRow[i] = src[l0 + i]! + (src[l1 + i]! - src[l0 + i]!) * lf;
      let p = y * width * 4;
      for (let x = 0; x < width; x++, p += 4) {
        const a = maskIndex[x]!;
        const alpha = maskRow[a]! + (maskRow[a + singleMaskColumn]! - maskRow[a]!) * maskWeight[x]!;
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
    const mx = (this.maskX = cachedAxis(this.maskX, mask.width, width));
    const my = (this.maskY = cachedAxis(this.maskY, mask.height, height));
    const m = mask.data;
    const singleMaskColumn = mask.width < 2 ? 0 : 1;
    for (let y = 0; y < height; y++) {
      const m0 = my.index[y]! * mask.width;
      const m1 = mask.height < 2 ? m0 : m0 + mask.width;
      const mf = my.weight[y]!;
      let p = y * width * 4;
      for (let x = 0; x < width; x++, p += 4) {
        const a = mx.index[x]!;
        const top = m[m0 + a]! + (m[m0 + a + singleMaskColumn]! - m[m0 + a]!) * mx.weight[x]!;
        const bottom = m[m1 + a]! + (m[m1 + a + singleMaskColumn]! - m[m1 + a]!) * mx.weight[x]!;
        const grey = (top + (bottom - top) * mf) * 255;
        rgba[p] = rgba[p + 1] = rgba[p + 2] = grey;
        rgba[p + 3] = 255;
      }
    }
  }
}
