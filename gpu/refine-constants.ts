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
 * The guided edge's hold (hysteresis), on the 0–1 person weight of each
 * full-resolution pixel: a pixel whose new weight is within this of the one it
 * showed keeps the one it showed. The guided weight is a·colour + b, so a
 * camera's noise moves it wherever a is steep, frame after frame, on a person
 * who sits still; a moving edge changes the weight by far more than this and
 * passes at once, so the hold adds no lag. What a held pixel shows is never
 * further than this from its weight now.
 */
export const EDGE_HOLD = 10 / 255;

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

/**
 * The `guided` refinement (gpu/guided-mask-filter.ts), as measured best on
 * ../shared/media's stills (issue 13), at half the mask's size (128×128 for
 * the 256×256 model): the raw confidence near-binarised by a sigmoid of this
 * steepness, a colour guided filter of radius 4 texels there (eps 1e-5),
 * binarised again, then a guided filter of radius 2 whose coefficients the
 * compositors evaluate at full resolution with the frame's colour under a 3×3
 * tent. The last eps is 1e-3 rather than the 1e-4 that scored best without
 * noise: with a sensor's noise (σ 2/255) the evaluated weight moved 3.7/255 a
 * frame at eps 1e-4 and untented colour, 1.0/255 tented at 1e-3, for a halo
 * error 2% higher.
 */
export const GUIDED_SIGMOID_STEEPNESS = 24;
export const GUIDED_FIRST_RADIUS = 4;
export const GUIDED_FIRST_EPS = 1e-5;
export const GUIDED_FINAL_RADIUS = 2;
export const GUIDED_FINAL_EPS = 1e-3;

/**
 * The guide's change (RMS over R, G and B, 0–1, over 3×3 texels) at which an
 * older mask's weight in the temporal average falls to e^-0.5: sensor noise
 * at the mask's size stays well under it, a moving edge well over. Measured on
 * dance-twirl one frame at a time (`npm run quality -- --motion-only --clips
 * dance-twirl --modes one-at-a-time --variants guided`): dtSSD 15.45 at 0.04,
 * 15.16 at 0.06, 14.91 at 0.08, 14.60 at 0.12 (naive 15.19), with lag 0 and
 * IoU 0.665–0.668 throughout. 0.08 is the least that beats naive with room;
 * keyed-person and every governor level stay at lag 0 with it.
 */
export const MOTION_TOLERANCE = 0.08;
