import { MASK_SMOOTHING_SIGMA, MAX_BLUR_RADIUS_TAPS } from './refine-constants.js';

/** One side of a normalised, symmetric Gaussian kernel: `weights[0]` is the centre tap. */
export interface GaussianKernel {
  readonly sigma: number;
  readonly radius: number;
  readonly weights: Float32Array;
}

/**
 * Builds a normalised Gaussian kernel truncated at 3 sigma (99.7% of its mass),
 * which is what the eye cannot tell from the untruncated one.
 */
export function gaussianKernel(sigma: number, maxRadius = MAX_BLUR_RADIUS_TAPS): GaussianKernel {
  const radius = Math.max(1, Math.min(maxRadius, Math.ceil(sigma * 3)));
  const weights = new Float32Array(radius + 1);
  let sum = 0;
  for (let i = 0; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    weights[i] = w;
    sum += i === 0 ? w : 2 * w;
  }
  for (let i = 0; i <= radius; i++) weights[i]! /= sum;
  return { sigma, radius, weights };
}

/**
 * The mask's smoothing kernel for a refinement: σ=2 normally, and a single
 * tap of weight 1 for `naive`, which passes the raw mask through. Built once.
 */
const MASK_KERNEL = gaussianKernel(MASK_SMOOTHING_SIGMA);
const IDENTITY_KERNEL: GaussianKernel = { sigma: 0, radius: 0, weights: new Float32Array([1]) };
export function maskSmoothingKernel(naive: boolean): GaussianKernel {
  return naive ? IDENTITY_KERNEL : MASK_KERNEL;
}

/** How a full-resolution blur of `sigma` is carried out on a smaller copy of the frame. */
export interface BlurPlan {
  /** Integer downsampling factor of the frame before it is blurred (1, 2, 4 or 8). */
  readonly downsample: number;
  /** Sigma of the Gaussian run on the downsampled copy, in its own pixels. */
  readonly sigmaAtScale: number;
}

/**
 * Blurring a copy downsampled by `d` and sampling it back bilinearly costs d² less
 * and looks the same, as long as the Gaussian on the small copy still spans a few
 * of its pixels. The box prefilter of the downsample and the bilinear tent of the
 * upsample each add variance (d² − 1) / 12 and d² / 6 at full resolution; that
 * variance is taken out of the Gaussian so the total matches the requested sigma.
 */
export function planBlur(sigma: number): BlurPlan {
  let downsample = 1;
  while (downsample < 8 && sigma / (downsample * 2) >= 2) downsample *= 2;
  const d = downsample;
  const addedVariance = d === 1 ? 0 : (d * d - 1) / 12 + (d * d) / 6;
  const remaining = Math.max(sigma * sigma - addedVariance, (0.5 * d) ** 2);
  return { downsample, sigmaAtScale: Math.sqrt(remaining) / d };
}
