import type { AssetUrls, SegmentationModel } from './protocol.js';

/**
 * Messages between the blur worker and its segmenter worker (a second
 * instance of blur-worker.js), which runs MediaPipe on its own thread so that
 * frame N+1 is segmented while frame N is composited.
 */
export type ToSegmenterWorker =
  | { readonly type: 'segmenter-start'; readonly assets: AssetUrls; readonly model: SegmentationModel; readonly delegate: 'CPU' | 'GPU' }
  | { readonly type: 'segmenter-run'; readonly id: number; readonly width: number; readonly height: number; readonly pixels: Uint8ClampedArray; readonly timestampMs: number };

export type FromSegmenterWorker =
  | { readonly type: 'segmenter-ready' }
  | { readonly type: 'segmenter-failed'; readonly url: string | null; readonly message: string }
  | { readonly type: 'segmenter-mask'; readonly id: number; readonly width: number; readonly height: number; readonly data: Float32Array }
  | { readonly type: 'segmenter-error'; readonly id: number; readonly message: string };

export function isToSegmenterWorker(message: { type: string }): message is ToSegmenterWorker {
  return message.type === 'segmenter-start' || message.type === 'segmenter-run';
}
