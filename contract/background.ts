/**
 * What stands behind the person:
 * - `blur`: the room, blurred (the default, and what every fault falls back to);
 * - `none`: the frame as it is, because the user turned the effect off;
 * - `colour`: one opaque sRGB colour, 0–255 per channel;
 * - `image`: a picture (or the latest frame of a video background), fitted to
 *   cover the frame, centred, keeping its aspect ratio.
 *
 * The image belongs to whoever set it (the worker's pipeline, which closes it
 * when it is replaced); a compositor only reads it while fitting it.
 */
export type Background =
  | { readonly kind: 'blur' }
  | { readonly kind: 'none' }
  | { readonly kind: 'colour'; readonly rgb: readonly [number, number, number] }
  | { readonly kind: 'image'; readonly image: ImageBitmap | VideoFrame };

export const BLUR_BACKGROUND: Background = { kind: 'blur' };
