import type { ConfidenceMask } from '../gpu/compositor.js';

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
