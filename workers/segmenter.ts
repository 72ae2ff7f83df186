import type { ConfidenceMask } from '../gpu/compositor.js';
import type { AssetUrls, SegmentationModel } from '../contract/options.js';

/**
 * Where a segmenter should run its model: `GPU` where the renderer has a
 * hardware GPU, `CPU` where it renders on the CPU or on a software GPU
 * (SwiftShader, llvmpipe), where a GPU path is many times slower. Each
 * runtime maps it onto its own setting (MediaPipe's delegate).
 */
export type SegmenterAccelerator = 'CPU' | 'GPU';

/** What the blur worker asks of any segmenter runtime; each runtime turns it into its own options. */
export interface SegmenterRequest {
  readonly assets: AssetUrls;
  readonly model: SegmentationModel;
  readonly accelerator: SegmenterAccelerator;
}

/** Turns a small image of the frame into a person-confidence mask of the same size. */
export interface Segmenter {
  /** Takes over `image` (its pixels may be transferred away). */
  segment(image: ImageData, timestampMs: number): Promise<ConfidenceMask>;
  close(): void;
}

/** A failure to fetch or start a model or the wasm runtime; names the URL so users can fix their hosting. */
export class ModelLoadError extends Error {
  readonly url: string;
  constructor(url: string, message: string, options?: { cause?: unknown }) {
    super(`${message} (${url})`, options);
    this.name = 'ModelLoadError';
    this.url = url;
  }
}

/** The segmenter worker gave no mask in time: its thread is taken to be stuck, and the worker is not reused. */
export class SegmenterStalled extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the segmenter gave no mask within ${timeoutMs} ms`);
    this.name = 'SegmenterStalled';
  }
}
