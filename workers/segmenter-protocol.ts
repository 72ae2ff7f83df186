import type { SegmenterSpec } from './segmenter-factory.js';

/**
 * Messages between the blur worker and its segmenter worker
 * (segmenter-worker.js), which runs the segmenter on its own thread so that
 * frame N+1 is segmented while frame N is composited. One segmenter worker
 * serves every model the blur worker asks for (a model change starts a second
 * segmenter beside the first, which then closes), so a change costs no new
 * thread and no second download of the wasm.
 */
export type ToSegmenterWorker =
  | {
      readonly type: 'segmenter-start';
      readonly segmenter: number;
      /** The runtime and its own options: the segmenter worker makes it through the same factory as the blur worker. */
      readonly spec: SegmenterSpec;
      /** Test hook: after this many masks the segmenter answers no more, as a stuck runtime would. */
      readonly stallAfterMasks?: number;
    }
  | { readonly type: 'segmenter-run'; readonly segmenter: number; readonly id: number; readonly width: number; readonly height: number; readonly pixels: Uint8ClampedArray; readonly timestampMs: number }
  | { readonly type: 'segmenter-close'; readonly segmenter: number };

export type FromSegmenterWorker =
  | { readonly type: 'segmenter-ready'; readonly segmenter: number }
  | { readonly type: 'segmenter-failed'; readonly segmenter: number; readonly url: string | null; readonly message: string }
  | { readonly type: 'segmenter-mask'; readonly segmenter: number; readonly id: number; readonly width: number; readonly height: number; readonly data: Float32Array }
  | { readonly type: 'segmenter-error'; readonly segmenter: number; readonly id: number; readonly message: string };
