/**
 * The bounds every background load keeps to: how large a picture may be (on
 * the wire, as its header declares it, and as it is kept) and how long each
 * step of its load may take.
 */

import { BackgroundLoadError } from './load-error.js';
import { withTimeout } from '../timeout.js';

/** Pictures larger than this on their long side are decoded smaller: no frame needs more, and memory stays bounded. */
export const MAX_BACKGROUND_SIDE = 3840;

/**
 * How long each step of loading a background may take (the fetch until its
 * headers, reading its body, decoding it, an <img>'s load, a <video>'s first
 * frame) before it gives up: a server that never answers must not leave the
 * load pending for ever, nor the page without its `background-load` error.
 */
export const BACKGROUND_LOAD_TIMEOUT_MS = 10_000;
/** The most bytes a background URL's body may have: a picture larger than this is no background, and would only fill memory. */
export const MAX_BACKGROUND_BYTES = 32 * 1024 * 1024;
/**
 * The most pixels a picture's header may declare: it is decoded at full size
 * (4 bytes a pixel) before anything shrinks it, so 40 megapixels (160 MB)
 * bounds what one background can take; a 30000×30000 header would ask for 3.6 GB.
 */
export const MAX_BACKGROUND_PIXELS = 40_000_000;
/** The longest side a picture's header may declare: a bound on a thin strip (say 1×40 000 000) that the pixel cap alone would let through. */
export const MAX_BACKGROUND_DECLARED_SIDE = 16384;

/** BACKGROUND_LOAD_TIMEOUT_MS in seconds, as the timeout messages say it. */
export const SECONDS = BACKGROUND_LOAD_TIMEOUT_MS / 1000;

/**
 * Runs one step of a background load under BACKGROUND_LOAD_TIMEOUT_MS: past it
 * the step rejects with a BackgroundLoadError saying `timeoutMessage`; when
 * `signal` aborts it rejects with the signal's reason. See withTimeout.
 */
export function loadStep<T>(signal: AbortSignal, timeoutMessage: string, step: (stepSignal: AbortSignal) => Promise<T>, discard?: (late: T) => void): Promise<T> {
  return withTimeout(signal, BACKGROUND_LOAD_TIMEOUT_MS, () => new BackgroundLoadError(timeoutMessage), step, discard);
}
