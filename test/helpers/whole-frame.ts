import type { Pixels } from './frames.js';
import { laplacianVariance } from './image-metrics.js';

/** The whole frame as a region, for detail measured over everything the camera sees. */
export function wholeFrame(pixels: Pixels): Uint8Array {
  return new Uint8Array(pixels.width * pixels.height).fill(1);
}

/** Fine detail of the whole frame (variance of the Laplacian of luma). */
export function frameDetail(pixels: Pixels): number {
  return laplacianVariance(pixels, wholeFrame(pixels));
}
