import type { PersonMask } from './rgba-composite.js';

/**
 * Messages between the CPU renderer and its helper thread, a copy of the blur
 * worker that composites the lower band of each frame
 * (composite-band-helper.ts, composite-band-server.ts).
 */

/** From the helper, once, when its script has loaded: bands sent from now on are answered at once. */
export interface CompositeBandReady {
  readonly type: 'composite-band-ready';
}

/**
 * Composite rows `first` to `last` − 1 of a `width` × `height` frame. `rgba`
 * holds the frame's rows from `first` − 1 (the guided weight's tent reads the
 * row above) to its last row. The three buffers are transferred, and come
 * back in the answer to be used again.
 */
export interface CompositeBandRequest {
  readonly type: 'composite-band';
  readonly id: number;
  readonly width: number;
  readonly height: number;
  readonly first: number;
  readonly last: number;
  readonly rgba: Uint8ClampedArray<ArrayBuffer>;
  /** The blurred small copy (RgbImage), its data in a buffer of at least width × height × 3 floats. */
  readonly blurred: { readonly width: number; readonly height: number; readonly data: Float32Array<ArrayBuffer> };
  readonly downsample: number;
  /** The mask, its data in a buffer at least as long as the mask's values; null blurs the band whole. */
  readonly mask: (Omit<PersonMask, 'data'> & { readonly data: Float32Array<ArrayBuffer> }) | null;
  readonly edgeHold: number;
  /** The renderer forgot the weights it showed (masks cleared) since the last band: the helper forgets its own too. */
  readonly forgetShownWeights: boolean;
  /** Test hook: the helper stops answering from this band on, as a stuck thread would. */
  readonly goSilent?: boolean;
}

/** The band composited in place in `rgba`, with the buffers handed back. */
export interface CompositeBandDone {
  readonly type: 'composite-band-done';
  readonly id: number;
  /** Milliseconds the helper spent compositing the band. */
  readonly ms: number;
  readonly rgba: Uint8ClampedArray<ArrayBuffer>;
  readonly blurredData: Float32Array<ArrayBuffer>;
  readonly maskData: Float32Array<ArrayBuffer> | null;
}

export interface CompositeBandFailed {
  readonly type: 'composite-band-failed';
  readonly id: number;
  readonly message: string;
}

export type FromCompositeBandHelper = CompositeBandReady | CompositeBandDone | CompositeBandFailed;

export function isCompositeBandRequest(message: unknown): message is CompositeBandRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'composite-band';
}
