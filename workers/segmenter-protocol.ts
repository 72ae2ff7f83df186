import type { AssetUrls, SegmentationModel } from '../contract/options.js';

/**
 * Messages between the blur worker and its segmenter worker (a second
 * instance of blur-worker.js), which runs MediaPipe on its own thread so that
 * frame N+1 is segmented while frame N is composited. One segmenter worker
 * serves every model the blur worker asks for (a model change starts a second
 * segmenter beside the first, which then closes), so a change costs no new
 * thread and no second download of the wasm.
 */
export type ToSegmenterWorker =
  | {
      readonly type: 'segmenter-start';
      readonly segmenter: number;
      readonly assets: AssetUrls;
      readonly model: SegmentationModel;
      readonly delegate: 'CPU' | 'GPU';
      /** Test hook: after this many masks the segmenter answers no more, as a stuck MediaPipe would. */
      readonly stallAfterMasks?: number;
    }
  | { readonly type: 'segmenter-run'; readonly segmenter: number; readonly id: number; readonly width: number; readonly height: number; readonly pixels: Uint8ClampedArray; readonly timestampMs: number }
  | { readonly type: 'segmenter-close'; readonly segmenter: number };

export type FromSegmenterWorker =
  | { readonly type: 'segmenter-ready'; readonly segmenter: number }
  | { readonly type: 'segmenter-failed'; readonly segmenter: number; readonly url: string | null; readonly message: string }
  | { readonly type: 'segmenter-mask'; readonly segmenter: number; readonly id: number; readonly width: number; readonly height: number; readonly data: Float32Array }
  | { readonly type: 'segmenter-error'; readonly segmenter: number; readonly id: number; readonly message: string };

export function isToSegmenterWorker(message: { type: string }): message is ToSegmenterWorker {
  return message.type === 'segmenter-start' || message.type === 'segmenter-run' || message.type === 'segmenter-close';
}
