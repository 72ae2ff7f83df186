import { LIGHT_WRAP_STRENGTH } from '../contract/options.js';

/**
 * The mask refinement and blur constants, defined once for every tier so that
 * all backends produce the same picture for the same input.
 */

/** Standard deviation, in mask pixels, of the Gaussian that smooths the raw confidence mask. */
export const MASK_SMOOTHING_SIGMA = 2;

/** Steepness of the sigmoid `1 / (1 + exp(-k (m - 0.5)))` that sharpens the smoothed mask. */
export const MASK_SIGMOID_STEEPNESS = 12;

/** How many of the most recent refined masks are averaged, to calm frame-to-frame jitter. */
export const MASK_HISTORY_LENGTH = 3;

/**
 * The `refined` variant's joint bilateral upsample: colour distance (0–1 per
 * channel) at which a mask texel's weight falls to e^-0.5.
 */
export const EDGE_RANGE_SIGMA = 0.1;

/**
 * Largest blur radius, in taps on one side, that a single separable pass runs.
 * The frame is downsampled before blurring, so this bounds the work per pixel
 * whatever sigma the user picks.
 */
export const MAX_BLUR_RADIUS_TAPS = 24;

/**
 * Light wrap, for background replacement: near the person's edge a little of
 * the new background's light bleeds over the person, so the cut-out does not
 * look pasted on. The person's colour there becomes
 * `mix(person, light, LIGHT_WRAP_STRENGTH × (1 − mask))` (the strength is an
 * option, so contract/options.ts holds it), with `light` the
 * background downsampled by LIGHT_WRAP_DOWNSAMPLE and blurred to
 * LIGHT_WRAP_SIGMA full-size pixels. Deep inside the person (mask 1) and deep
 * in the background (mask 0) nothing changes; the composite changes by at most
 * STRENGTH / 4 of the light's difference, where the mask is one half.
 */
export { LIGHT_WRAP_STRENGTH };
export const LIGHT_WRAP_DOWNSAMPLE = 8;
export const LIGHT_WRAP_SIGMA = 12;

/**
 * The least blur a frame without a mask gets (before the first mask, while a
 * model loads, after a fault), whatever the slider says: the whole frame is
 * then the room, and σ 2 would leave text and faces readable. At σ 16 a
 * 720p frame keeps under a twentieth of its detail on every compositor.
 */
export const UNMASKED_SIGMA_MIN = 16;

/** The blur a frame gets: the user's sigma with a mask, at least UNMASKED_SIGMA_MIN without one. */
export function blurSigma(sigma: number, hasMask: boolean): number {
  return hasMask ? sigma : Math.max(sigma, UNMASKED_SIGMA_MIN);
}
